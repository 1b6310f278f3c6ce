#!/usr/bin/env bash
# Sentence embeddings in SwiftGrad (`swiftgrad bench embed`), sentence-transformers on PyTorch and ONNX Runtime
# (bench/embed_python.py), alternately on the same thread count and the same fixed sentences
# (bench/embed_sentences.txt: 320 passages of 8-128 tokens). Needs a release build and
# `pip install sentence-transformers onnxruntime onnx onnxscript`.
# Usage: bench/compare_embed.sh MODEL_FOLDER [THREADS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:?usage: bench/compare_embed.sh MODEL_FOLDER [THREADS] [ROUNDS]}
threads=${2:-1}
rounds=${3:-1}
bin=.build/release/swiftgrad
[[ -x $bin ]] || { echo "build first: swift build -c release" >&2; exit 1; }
for round in $(seq "$rounds"); do
    echo "== round $round: $threads thread(s)"
    echo "-- SwiftGrad"
    "$bin" bench embed --model "$model" --text bench/embed_sentences.txt --threads "$threads"
    echo "-- Python: PyTorch $(python3 -c 'import torch; print(torch.__version__)'), ONNX Runtime $(python3 -c 'import onnxruntime; print(onnxruntime.__version__)')"
    python3 bench/embed_python.py --model "$model" --text bench/embed_sentences.txt --threads "$threads"
done
