#!/usr/bin/env python3
"""A small WordPiece tokenizer trained by Hugging Face's `tokenizers`, a corpus of awkward text, and what the Python
package makes of it: the reference the Tokenizers module's tests compare with.

Writes into Tests/SwiftGradTests/Resources/tokenizers:
  awkward.json               the texts: accents, Chinese and Japanese, emoji and other 4-byte characters, numbers,
                             contractions, runs of whitespace and newlines, control characters, very long words, ""
  wordpiece/tokenizer.json   a BERT-style tokenizer (BertNormalizer, BertPreTokenizer, WordPiece, [CLS] $A [SEP],
                             truncation at 64) trained on the bundled Hamlet and Macbeth plus the awkward texts
  wordpiece/vocab.txt        its vocabulary, one token per line
  wordpiece_expected.json    for each text: ids, tokens, type ids, offsets, attention mask; a pair; a padded batch
  bpe/tokenizer.json, bpe/vocab.json, bpe/merges.txt   a GPT-2-style byte-level BPE (1000 tokens) trained on the same
  bpe_expected.json          for each text: ids, tokens, offsets, and the decoded text

Regenerate with:  python3 scripts/make_tokenizer_fixtures.py   (needs tokenizers)
With --check FOLDER it instead compares a model folder's tokenizer.json (all-MiniLM-L6-v2's, say) with
`swift run swiftgrad tokenize` ... see scripts/check_tokenizers.py.
"""
import json
import os

from tokenizers import ByteLevelBPETokenizer, Tokenizer, normalizers, pre_tokenizers, processors, trainers
from tokenizers.models import WordPiece

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "Tests", "SwiftGradTests", "Resources", "tokenizers")

AWKWARD = [
    "Hello, world!",
    "",
    "   ",
    "Héllo Wörld — Crème brûlée, naïve façade; ÀÉÎÕÜ ß ǅ İstanbul",
    "The quick brown fox didn't jump; it's 3.14159 km/h (or 42%).",
    "中文分词测试，北京欢迎你！",
    "日本語のテキストとカタカナ、ひらがな。",
    "한국어 문장도 있어요.",
    "Emoji 😀🎉👍🏽 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝟙𝟚𝟛 and 🇫🇷 flags",
    "tabs\tand\nnewlines\r\nand  double  spaces\u00a0nbsp\u3000ideographic",
    "control\u0000chars\u0007bell\u200bzero-width\u200djoiner\ufeffbom\ufffdreplacement",
    "Supercalifragilisticexpialidocious " + "a" * 150 + " antidisestablishmentarianism",
    "numbers 1,234,567.89 and 2nd 3rd 10th 1e-5 0x1F",
    "I'm we're they've won't y'all ma'am rock'n'roll",
    "Ελληνικά κείμενα και Русский текст",
    "URLs like https://example.com/path?query=1&x=y#frag and e-mail a.b@c.org",
    "MiXeD CaSe WORDS and ALLCAPS",
    "hyphen-ated words—em dash–en dash…ellipsis",
    "«quotes» „German“ ‘single’ “double”",
    "$100 + €50 = £150 ~ ¥2000 ^ | < > `backticks` {braces} [brackets] \\backslash",
]


def train():
    tokenizer = Tokenizer(WordPiece(unk_token="[UNK]", max_input_chars_per_word=100))
    tokenizer.normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=None,
                                                      lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.WordPieceTrainer(vocab_size=1200, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    corpus = open(os.path.join(ROOT, "Sources", "Datasets", "Resources", "shakespeare", "hamlet-macbeth.txt"),
                  encoding="utf-8").read().split("\n")
    tokenizer.train_from_iterator(corpus + AWKWARD, trainer)
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
    tokenizer.enable_truncation(64)
    return tokenizer


def encoding(e):
    return {"ids": e.ids, "tokens": e.tokens, "type_ids": e.type_ids, "offsets": [list(o) for o in e.offsets],
            "attention_mask": e.attention_mask}


def main():
    os.makedirs(os.path.join(OUT, "wordpiece"), exist_ok=True)
    with open(os.path.join(OUT, "awkward.json"), "w", encoding="utf-8") as f:
        json.dump(AWKWARD, f, ensure_ascii=False, indent=1)
        f.write("\n")
    tokenizer = train()
    tokenizer.save(os.path.join(OUT, "wordpiece", "tokenizer.json"))
    vocab = sorted(tokenizer.get_vocab().items(), key=lambda item: item[1])
    with open(os.path.join(OUT, "wordpiece", "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("".join(token + "\n" for token, _ in vocab))
    expected = {"single": [encoding(tokenizer.encode(text)) for text in AWKWARD],
                "pair": encoding(tokenizer.encode(AWKWARD[0], AWKWARD[4]))}
    tokenizer.enable_padding(pad_id=tokenizer.token_to_id("[PAD]"), pad_token="[PAD]")
    expected["batch"] = [encoding(e) for e in tokenizer.encode_batch(AWKWARD[:5])]
    with open(os.path.join(OUT, "wordpiece_expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False)
        f.write("\n")


def byte_level():
    os.makedirs(os.path.join(OUT, "bpe"), exist_ok=True)
    corpus = open(os.path.join(ROOT, "Sources", "Datasets", "Resources", "shakespeare", "hamlet-macbeth.txt"),
                  encoding="utf-8").read().split("\n")
    tokenizer = ByteLevelBPETokenizer()
    tokenizer.train_from_iterator(corpus + AWKWARD, vocab_size=1000, min_frequency=2, special_tokens=["<|endoftext|>"])
    tokenizer.save(os.path.join(OUT, "bpe", "tokenizer.json"))
    tokenizer.save_model(os.path.join(OUT, "bpe"))
    expected = []
    for text in AWKWARD:
        e = tokenizer.encode(text)
        expected.append({"ids": e.ids, "tokens": e.tokens, "offsets": [list(o) for o in e.offsets],
                         "decoded": tokenizer.decode(e.ids)})
    with open(os.path.join(OUT, "bpe_expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
    byte_level()
