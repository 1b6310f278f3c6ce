#!/usr/bin/env python3
"""A small random BERT saved by Hugging Face's `transformers`, with the WordPiece tokenizer of the tokenizer tests, and
what `transformers` computes with it: the reference the pretrained-model tests compare with.

Writes into Tests/SwiftGradTests/Resources/pretrained/bert-tiny:
  config.json, model.safetensors   BertModel(vocab of tokenizers/wordpiece, 32 wide, 2 layers, 4 heads, 64 positions)
  tokenizer.json                   a copy of tokenizers/wordpiece/tokenizer.json
  modules.json, 1_Pooling/config.json, sentence_bert_config.json   a sentence-transformers pipeline: mean pooling,
                                   normalisation, max_seq_length 24
and Tests/SwiftGradTests/Resources/pretrained/bert_tiny_expected.json: for a padded batch of texts, the tokenizer's ids
and masks, the last hidden states, and the sentence embeddings (mean over the mask, then L2-normalised, as
sentence-transformers' Pooling and Normalize modules compute them).

and Tests/SwiftGradTests/Resources/pretrained/gpt2-tiny: a random GPT2LMHeadModel (the byte-level BPE of the tokenizer
tests, 32 wide, 2 layers, 4 heads, 64 positions, gelu_new) with its tokenizer.json; gpt2_tiny_expected.json: a
prompt's ids and logits, and the 50 tokens transformers' greedy generate picks after it.

Regenerate with:  python3 scripts/make_pretrained_fixtures.py   (needs torch, transformers, tokenizers)
"""
import json
import os
import shutil

import torch
from tokenizers import Tokenizer
from transformers import BertConfig, BertModel, GPT2Config, GPT2LMHeadModel

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
RES = os.path.join(ROOT, "Tests", "SwiftGradTests", "Resources")
OUT = os.path.join(RES, "pretrained", "bert-tiny")
TEXTS = ["Hello, world!", "The quick brown fox jumps over the lazy dog.", "中文分词测试", "",
         "A much longer sentence that goes on and on so that it is cut at the sequence length of twenty-four tokens, "
         "as sentence-transformers truncates."]


def main():
    os.makedirs(os.path.join(OUT, "1_Pooling"), exist_ok=True)
    shutil.copy(os.path.join(RES, "tokenizers", "wordpiece", "tokenizer.json"), os.path.join(OUT, "tokenizer.json"))
    tokenizer = Tokenizer.from_file(os.path.join(OUT, "tokenizer.json"))
    torch.manual_seed(30)
    config = BertConfig(vocab_size=tokenizer.get_vocab_size(), hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=64, max_position_embeddings=64, hidden_act="gelu", layer_norm_eps=1e-12)
    model = BertModel(config).eval()
    model.save_pretrained(OUT, safe_serialization=True)
    json.dump([{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
               {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
               {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}],
              open(os.path.join(OUT, "modules.json"), "w"), indent=2)
    json.dump({"word_embedding_dimension": 32, "pooling_mode_cls_token": False, "pooling_mode_mean_tokens": True,
               "pooling_mode_max_tokens": False, "pooling_mode_mean_sqrt_len_tokens": False},
              open(os.path.join(OUT, "1_Pooling", "config.json"), "w"), indent=2)
    json.dump({"max_seq_length": 24, "do_lower_case": False}, open(os.path.join(OUT, "sentence_bert_config.json"), "w"))

    tokenizer.enable_truncation(24)
    tokenizer.enable_padding(pad_id=tokenizer.token_to_id("[PAD]"), pad_token="[PAD]")
    batch = tokenizer.encode_batch(TEXTS)
    ids = torch.tensor([e.ids for e in batch])
    mask = torch.tensor([e.attention_mask for e in batch])
    with torch.no_grad():
        hidden = model(input_ids=ids, attention_mask=mask).last_hidden_state
    pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdim=True).clamp(min=1e-9)
    embeddings = torch.nn.functional.normalize(pooled, p=2, dim=1)
    t2j = lambda t: {"shape": list(t.shape), "data": t.reshape(-1).tolist()}
    json.dump({"texts": TEXTS, "ids": ids.tolist(), "attention_mask": mask.tolist(), "hidden": t2j(hidden),
               "embeddings": t2j(embeddings)}, open(os.path.join(RES, "pretrained", "bert_tiny_expected.json"), "w"))


def gpt2():
    out = os.path.join(RES, "pretrained", "gpt2-tiny")
    os.makedirs(out, exist_ok=True)
    shutil.copy(os.path.join(RES, "tokenizers", "bpe", "tokenizer.json"), os.path.join(out, "tokenizer.json"))
    tokenizer = Tokenizer.from_file(os.path.join(out, "tokenizer.json"))
    torch.manual_seed(31)
    config = GPT2Config(vocab_size=tokenizer.get_vocab_size(), n_positions=64, n_embd=32, n_layer=2, n_head=4,
                        activation_function="gelu_new", bos_token_id=0, eos_token_id=0, pad_token_id=0)
    model = GPT2LMHeadModel(config).eval()
    model.save_pretrained(out, safe_serialization=True)
    prompt = "To be, or not to be: that is"
    ids = torch.tensor([tokenizer.encode(prompt).ids])
    with torch.no_grad():
        logits = model(ids).logits
        generated = model.generate(ids, max_new_tokens=50, min_new_tokens=50, do_sample=False)
    t2j = lambda t: {"shape": list(t.shape), "data": t.reshape(-1).tolist()}
    json.dump({"prompt": prompt, "ids": ids[0].tolist(), "logits": t2j(logits[0]), "greedy": generated[0, ids.shape[1]:].tolist()},
              open(os.path.join(RES, "pretrained", "gpt2_tiny_expected.json"), "w"))


if __name__ == "__main__":
    main()
    gpt2()
