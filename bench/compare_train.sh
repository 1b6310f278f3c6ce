#!/usr/bin/env bash
# Trains the same models (three MLPs and the CNN preset) with SwiftGrad and PyTorch alternately and prints seconds per epoch (training loop only),
# their ratio, test accuracy and peak memory. Needs the full Fashion-MNIST (apt-get install dataset-fashion-mnist),
# `pip install torch`, and a release build: swift build -c release
# PRECISION=bf16 trains both in mixed precision (`--precision bf16`, torch.autocast with bfloat16); MODELS picks some
# of mlp-50, mlp-1024-1024, mlp-256-128, cnn-128 (comma-separated; default all).
# Usage: [PRECISION=f32|bf16] [MODELS=...] bench/compare_train.sh [THREADS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-1}
rounds=${2:-2}
precision=${PRECISION:-f32}
models=${MODELS:-mlp-50,mlp-1024-1024,mlp-256-128,cnn-128}
bin=.build/release/swiftgrad
[[ -x $bin ]] || { echo "build first: swift build -c release" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# hidden | batch | optimizer | lr | momentum | weight decay | architecture: the two SGD MLPs of the GEMM issue, the
# main job's model and optimizer (its one-cycle schedule left out: it costs nothing per step in either), and the
# CNN preset (`swiftgrad train --arch cnn`) with the same optimizer.
configs=("50|64|sgd|0.5|0|0|mlp" "1024,1024|256|sgd|0.1|0.9|0|mlp" "256,128|128|adamw|0.003|0|0.1|mlp"
         "128|128|adamw|0.003|0|0.1|cnn")
for round in $(seq "$rounds"); do
    for config in "${configs[@]}"; do
        IFS='|' read -r hidden batch optimizer lr momentum decay arch <<< "$config"
        name=$arch-$(echo "$hidden" | tr ',' '-')
        [[ ,$models, == *,$name,* ]] || continue
        # swiftgrad train takes --momentum only for SGD (given for another optimizer, it is refused).
        momentum_flag=()
        [[ $optimizer == sgd ]] && momentum_flag=(--momentum "$momentum")
        /usr/bin/time -f "%M" -o "$tmp/swift-mem.$name.$round" "$bin" train --arch "$arch" --hidden "$hidden" --batch-size "$batch" \
            --optimizer "$optimizer" --lr "$lr" ${momentum_flag[@]+"${momentum_flag[@]}"} --weight-decay "$decay" --schedule constant \
            --epochs 2 --threads "$threads" --precision "$precision" --out "$tmp/run" --json | tail -n 1 > "$tmp/swift.$name.$round"
        python3 bench/train_pytorch.py --arch "$arch" --hidden "$hidden" --batch-size "$batch" --optimizer "$optimizer" --lr "$lr" \
            --momentum "$momentum" --weight-decay "$decay" --epochs 2 --threads "$threads" --precision "$precision" --json \
            > "$tmp/torch.$name.$round"
    done
done
python3 - "$tmp" "$rounds" "$threads" "$precision" "$models" <<'PY'
import json, sys, statistics
tmp, rounds, threads, precision, models = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5].split(",")
print(f"threads: {threads}, precision {precision}; seconds per epoch = median over {rounds} rounds of the 2nd epoch")
print(f"{'model':<22} {'SwiftGrad s':>11} {'PyTorch s':>10} {'ratio':>6} {'SG acc':>7} {'PT acc':>7} {'SG MB':>6} {'PT MB':>6}")
for name, label in [("mlp-50", "784-50-10 b64"), ("mlp-1024-1024", "784-1024-1024-10 b256"),
                    ("mlp-256-128", "784-256-128-10 AdamW"), ("cnn-128", "CNN preset AdamW")]:
    if name not in models:
        continue
    sg = [json.load(open(f"{tmp}/swift.{name}.{r}")) for r in range(1, rounds + 1)]
    pt = [json.load(open(f"{tmp}/torch.{name}.{r}")) for r in range(1, rounds + 1)]
    sg_s = statistics.median(run["epochs"][-1]["train_seconds"] for run in sg)
    pt_s = statistics.median(run["results"][-1]["train_seconds"] for run in pt)
    sg_mb = max(int(open(f"{tmp}/swift-mem.{name}.{r}").read().split()[-1]) for r in range(1, rounds + 1)) / 1024
    pt_mb = max(run["peak_memory_mb"] for run in pt)
    print(f"{label:<22} {sg_s:>11.3f} {pt_s:>10.3f} {sg_s / pt_s:>6.2f} {sg[-1]['test_accuracy']:>7.4f} "
          f"{pt[-1]['results'][-1]['test_accuracy']:>7.4f} {sg_mb:>6.0f} {pt_mb:>6.0f}")
PY
