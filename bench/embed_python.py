#!/usr/bin/env python3
"""The Python side of `swiftgrad bench embed`: a sentence-transformers folder run by sentence-transformers on
PyTorch and by ONNX Runtime (the transformer exported with torch.onnx in this script; tokenising, mean pooling
and normalisation in Python around it, as sentence-transformers does), timed as the Swift side times itself:
load, sentences per second in batches sorted by length, one sentence alone, each a median.

    python3 bench/embed_python.py --model FOLDER --text bench/embed_sentences.txt --threads 1 [--json]

Needs `pip install sentence-transformers onnxruntime onnx onnxscript`.
"""
import argparse
import os
import tempfile
import time

import numpy as np
import torch

from timing import median_time, print_results


def onnx_embedder(folder, threads, directory):
    """An embed(sentences, batch_size) function on ONNX Runtime, and the seconds its session took to load."""
    import onnxruntime
    from tokenizers import Tokenizer
    from transformers import AutoModel

    path = os.path.join(directory, "model.onnx")
    model = AutoModel.from_pretrained(folder, attn_implementation="eager").eval()

    class Hidden(torch.nn.Module):
        """The transformer's last hidden states from positional inputs, which the exporter traces."""

        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    names = ["input_ids", "attention_mask", "token_type_ids"]
    example = (torch.ones(2, 16, dtype=torch.int64), torch.tensor([[1] * 16, [1] * 9 + [0] * 7]),
               torch.zeros(2, 16, dtype=torch.int64))
    with torch.no_grad():
        torch.onnx.export(Hidden(), example, path, input_names=names, output_names=["hidden"],
                          dynamic_axes={name: {0: "batch", 1: "time"} for name in names}, dynamo=False)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    start = time.perf_counter()
    session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    tokenizer = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
    tokenizer.enable_truncation(256)
    tokenizer.no_padding()
    load = time.perf_counter() - start

    def embed(sentences, batch_size=32):
        encodings = tokenizer.encode_batch(sentences)
        order = sorted(range(len(sentences)), key=lambda i: -len(encodings[i].ids))
        out = np.zeros((len(sentences), model.config.hidden_size), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            members = order[start:start + batch_size]
            time_steps = max(len(encodings[i].ids) for i in members)
            ids = np.zeros((len(members), time_steps), dtype=np.int64)
            mask = np.zeros_like(ids)
            for row, i in enumerate(members):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1
            hidden = session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(1) / np.maximum(weights.sum(1), 1e-9)
            out[members] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return out

    return embed, load


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--text", required=True)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    sentences = [line for line in open(args.text, encoding="utf-8").read().split("\n") if line]
    from sentence_transformers import SentenceTransformer

    start = time.perf_counter()
    st = SentenceTransformer(args.model, device="cpu")
    st_load = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as directory:
        ort_embed, ort_load = onnx_embedder(args.model, args.threads, directory)
        reference = st.encode(sentences, batch_size=args.batch_size, convert_to_numpy=True)
        agreement = float((ort_embed(sentences, args.batch_size) * reference).sum(1).min())
        results = []
        for name, load, embed in [
            ("sentence-transformers", st_load,
             lambda s, b: st.encode(s, batch_size=b, convert_to_numpy=True, show_progress_bar=False)),
            ("onnxruntime", ort_load, ort_embed),
        ]:
            batch = median_time(lambda: embed(sentences, args.batch_size), budget=3, min_runs=3, warmup=1)
            single = median_time(lambda: embed(sentences[:1], 1), budget=1, min_runs=10, warmup=3)
            results.append({"name": name, "threads": args.threads, "load_seconds": load,
                            "sentences_per_second": len(sentences) / batch, "single_sentence_seconds": single})
    print_results(results, args.json, f"{len(sentences)} sentences, batch {args.batch_size}, {args.threads} thread(s); "
                  f"ONNX Runtime's embeddings agree with sentence-transformers' to cosine {agreement:.6f}",
                  lambda r: f"{r['name']:22s} load {r['load_seconds'] * 1e3:7.1f} ms  {r['sentences_per_second']:6.1f} sentences/s"
                            f"  one sentence {r['single_sentence_seconds'] * 1e3:6.2f} ms")


if __name__ == "__main__":
    main()
