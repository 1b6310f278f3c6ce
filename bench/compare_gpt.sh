#!/usr/bin/env bash
# A GPT's training step, its fused attention and its generation in SwiftGrad (`swiftgrad bench gpt`) and PyTorch
# (bench/gpt_pytorch.py) alternately, on the same thread count. Needs `pip install torch` and a release build.
# PRECISION=bf16 runs the training step in mixed precision on both sides (`--precision bf16`, torch.autocast).
# Usage: [PRECISION=f32|bf16] bench/compare_gpt.sh [cpu|baby] [THREADS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-cpu}
threads=${2:-1}
rounds=${3:-2}
precision=${PRECISION:-f32}
bin=.build/release/swiftgrad
[[ -x $bin ]] || { echo "build first: swift build -c release" >&2; exit 1; }
for round in $(seq "$rounds"); do
    echo "== round $round: $preset, $threads thread(s)"
    echo "-- SwiftGrad"
    "$bin" bench gpt --preset "$preset" --threads "$threads" --precision "$precision"
    echo "-- PyTorch $(python3 -c 'import torch; print(torch.__version__)')"
    python3 bench/gpt_pytorch.py --preset "$preset" --threads "$threads" --precision "$precision"
done
