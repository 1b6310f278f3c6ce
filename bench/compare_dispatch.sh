#!/usr/bin/env bash
# A plain `swift build -c release` (run-time kernel dispatch) against a `-Xcc -march=native` build, side by side:
# GEMM on squares and training shapes (1 and 2 threads), bench autograd's MLP forward + backward (1 thread), and
# the main job's epoch time (`swiftgrad train`, defaults, 2 epochs, 2 threads). Alternates the two binaries for
# ROUNDS rounds and prints the median of each figure and the ratio plain / native.
# Usage: bench/compare_dispatch.sh [ROUNDS]   (builds both first: .build and .build-native)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
swift build -c release --product swiftgrad >&2
swift build -c release --product swiftgrad -Xcc -march=native --scratch-path .build-native >&2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
sizes=256,512,1024,2048,64x784x50,256x784x1024,256x784x1024T,784Tx256x1024
for round in $(seq "$rounds"); do
    for build in plain native; do
        binary=.build/release/swiftgrad
        [[ $build == native ]] && binary=.build-native/release/swiftgrad
        for threads in 1 2; do
            "$binary" bench gemm --sizes "$sizes" --threads "$threads" --json > "$out/gemm-$build-$threads-$round.json"
        done
        "$binary" bench autograd --threads 1 --json > "$out/autograd-$build-$round.json"
        "$binary" train --epochs 2 --threads 2 --out "$out/run-$build" --json | tail -n 1 > "$out/train-$build-$round.json"
        echo "round $round $build done" >&2
    done
done
python3 - "$out" "$rounds" <<'PY'
import json, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
def load(name): return json.load(open(f"{out}/{name}"))
rows = {}
for build in ("plain", "native"):
    for r in range(1, rounds + 1):
        for threads in (1, 2):
            for result in load(f"gemm-{build}-{threads}-{r}.json")["results"]:
                rows.setdefault((f"GEMM {result['shape']} GFLOPS", threads), {}).setdefault(build, []).append(result["gflops"])
        for result in load(f"autograd-{build}-{r}.json")["results"]:
            if result["name"] == "mlp_forward_backward":
                rows.setdefault(("MLP forward+backward µs", 1), {}).setdefault(build, []).append(result["median_seconds"] * 1e6)
        epochs = load(f"train-{build}-{r}.json")["epochs"]
        rows.setdefault(("main job epoch s", 2), {}).setdefault(build, []).append(min(e["train_seconds"] for e in epochs))
print(f"{'figure':40} {'threads':>7} {'plain':>9} {'native':>9} {'plain/native':>12}")
for (name, threads), values in rows.items():
    plain, native = statistics.median(values["plain"]), statistics.median(values["native"])
    print(f"{name:40} {threads:>7} {plain:9.2f} {native:9.2f} {plain / native:12.3f}")
PY
