#!/usr/bin/env bash
# Runs SwiftGrad's and NumPy's GEMM benchmarks alternately on the same shapes and prints the ratio
# SwiftGrad / OpenBLAS (above 1 means SwiftGrad is faster); with AGAINST=torch, against PyTorch instead.
# SHAPES is a list of sizes (64,256x784x1024T, as `swiftgrad bench gemm --sizes` reads them), or the models whose
# training steps' products to compare (lesson, mlp, main, cnn, gpt, baby-gpt: `bench gemm --shapes`), or a file
# of shapes. With models, the table also gives each product's rate inside SwiftGrad's step.
# Build first:
#   swift build -c release
# Usage: [AGAINST=torch] bench/compare_gemm.sh [SHAPES] [THREADS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
shapes=${1:-64,128,256,512,1024,2048,5x784x10,64x784x50,64x784x50T,64Tx784x50,256x784x1024,256x784x1024T,256Tx784x1024}
threads=${2:-1}
rounds=${3:-3}
against=${AGAINST:-numpy}
[[ $against == numpy || $against == torch ]] || { echo "AGAINST must be numpy or torch, got '$against'" >&2; exit 1; }
swift_bin=.build/release/swiftgrad
[[ -x $swift_bin ]] || { echo "build first: swift build -c release" >&2; exit 1; }
if [[ $shapes =~ ^[0-9xXtT,]+$ ]]; then option=--sizes; else option=--shapes; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for round in $(seq "$rounds"); do
    "$swift_bin" bench gemm "$option" "$shapes" --threads "$threads" --json > "$tmp/swift.$round.json"
    sizes=$(python3 -c 'import json, sys; print(",".join(dict.fromkeys(r["shape"] for r in json.load(open(sys.argv[1]))["results"])))' "$tmp/swift.$round.json")
    if [[ $against == torch ]]; then
        python3 bench/gemm_numpy.py --torch --threads "$threads" --sizes "$sizes" --json > "$tmp/other.$round.json"
    else
        env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS="$threads" \
            python3 bench/gemm_numpy.py --sizes "$sizes" --json > "$tmp/other.$round.json"
    fi
done
python3 - "$tmp" "$rounds" "$threads" "$against" <<'PY'
import json, sys, statistics
tmp, rounds, threads, against = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
other_name = "PyTorch" if against == "torch" else "OpenBLAS"
def runs(side):
    return [json.load(open(f"{tmp}/{side}.{r}.json"))["results"] for r in range(1, rounds + 1)]
def median(side, key):
    # Rows are matched by model (when there is one) and shape, so that rounds listing them in another order agree.
    values = {}
    for run in runs(side):
        for row in run:
            values.setdefault((row.get("model", ""), row["shape"]), []).append(row[key])
    return {key: statistics.median(v) for key, v in values.items()}
swift, other = median("swift", "gflops"), {shape: g for (_, shape), g in median("other", "gflops").items()}
in_step = median("swift", "step_gflops") if "step_gflops" in runs("swift")[0][0] else None
peaks = [run[0]["peak_gflops"] for run in runs("swift")]
peak = statistics.median(peaks)
print(f"threads: {threads}, medians of {rounds} alternating rounds")
print(f"SwiftGrad kernel's multiply-add peak on {threads} thread(s): {peak:.0f} GFLOPS "
      f"(runs: {', '.join(f'{p:.0f}' for p in peaks)})")
step_header = f" {'in step':>8} {'of peak':>7}" if in_step else ""
print(f"{'model':<9} {'shape':<16}{step_header} {'SwiftGrad':>9} {'of peak':>7} {other_name:>9} {'of peak':>7} {'ratio':>6}")
for (model, shape), gflops in swift.items():
    step = f" {in_step[(model, shape)]:>8.1f} {100 * in_step[(model, shape)] / peak:>6.0f}%" if in_step else ""
    o = other[shape]
    print(f"{model:<9} {shape:<16}{step} {gflops:>9.1f} {100 * gflops / peak:>6.0f}% {o:>9.1f} {100 * o / peak:>6.0f}% {gflops / o:>6.2f}")
PY
