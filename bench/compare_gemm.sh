#!/usr/bin/env bash
# Runs SwiftGrad's and NumPy's GEMM benchmarks alternately on the same shapes and prints the ratio
# SwiftGrad / OpenBLAS (above 1 means SwiftGrad is faster); with AGAINST=torch, against PyTorch instead.
# Build first:
#   swift build -c release
# Usage: [AGAINST=torch] bench/compare_gemm.sh [SIZES] [THREADS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${1:-64,128,256,512,1024,2048,5x784x10,64x784x50,64x784x50T,64Tx784x50,256x784x1024,256x784x1024T,256Tx784x1024}
threads=${2:-1}
rounds=${3:-3}
against=${AGAINST:-numpy}
[[ $against == numpy || $against == torch ]] || { echo "AGAINST must be numpy or torch, got '$against'" >&2; exit 1; }
swift_bin=.build/release/swiftgrad
[[ -x $swift_bin ]] || { echo "build first: swift build -c release" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for round in $(seq "$rounds"); do
    "$swift_bin" bench gemm --sizes "$sizes" --threads "$threads" --json > "$tmp/swift.$round.json"
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
def load(side):
    runs = [json.load(open(f"{tmp}/{side}.{r}.json"))["results"] for r in range(1, rounds + 1)]
    return {res["shape"]: statistics.median(run[i]["gflops"] for run in runs) for i, res in enumerate(runs[0])}
swift, other = load("swift"), load("other")
peaks = [json.load(open(f"{tmp}/swift.{r}.json"))["results"][0].get("peak_gflops") for r in range(1, rounds + 1)]
print(f"threads: {threads}, medians of {rounds} alternating rounds")
if None not in peaks:
    print(f"SwiftGrad kernel's multiply-add peak on {threads} thread(s): {statistics.median(peaks):.0f} GFLOPS "
          f"(runs: {', '.join(f'{p:.0f}' for p in peaks)})")
print(f"{'shape':<16} {'SwiftGrad GFLOPS':>17} {other_name + ' GFLOPS':>16} {'ratio':>6}")
for shape in swift:
    print(f"{shape:<16} {swift[shape]:>17.1f} {other[shape]:>16.1f} {swift[shape] / other[shape]:>6.2f}")
PY
