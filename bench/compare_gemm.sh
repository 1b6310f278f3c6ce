#!/usr/bin/env bash
# Runs SwiftGrad's, NumPy's (OpenBLAS) and PyTorch's GEMM benchmarks alternately on the same shapes and prints
# the ratios SwiftGrad / OpenBLAS and SwiftGrad / PyTorch (above 1 means SwiftGrad is faster). AGAINST=numpy or
# AGAINST=torch runs only that one (default: both, or NumPy alone where torch is not installed).
# SHAPES is a list of sizes (64,256x784x1024T, as `swiftgrad bench gemm --sizes` reads them), or the models whose
# training steps' products to compare (lesson, mlp, main, cnn, gpt, baby-gpt: `bench gemm --shapes`), or a file
# of shapes. With models, the table also gives each product's rate inside SwiftGrad's step. DTYPE=bf16 compares
# bfloat16 products (`bench gemm --dtype bf16`) with PyTorch's bfloat16 matmul (sizes or a file of shapes).
# Build first:
#   swift build -c release
# Usage: [AGAINST=numpy|torch|both] [DTYPE=f32|bf16] bench/compare_gemm.sh [SHAPES] [THREADS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
shapes=${1:-64,128,256,512,1024,2048,5x784x10,64x784x50,64x784x50T,64Tx784x50,256x784x1024,256x784x1024T,256Tx784x1024}
threads=${2:-1}
rounds=${3:-3}
dtype=${DTYPE:-f32}
if python3 -c 'import torch' 2>/dev/null; then against=${AGAINST:-both}; else against=${AGAINST:-numpy}; fi
# NumPy has no bfloat16.
if [[ $dtype == bf16 ]]; then against=torch; torch_dtype=--bf16; else torch_dtype=; fi
[[ $against == numpy || $against == torch || $against == both ]] \
    || { echo "AGAINST must be numpy, torch or both, got '$against'" >&2; exit 1; }
swift_bin=.build/release/swiftgrad
[[ -x $swift_bin ]] || { echo "build first: swift build -c release" >&2; exit 1; }
if [[ $shapes =~ ^[0-9xXtT,]+$ ]]; then option=--sizes; else option=--shapes; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for round in $(seq "$rounds"); do
    "$swift_bin" bench gemm "$option" "$shapes" --threads "$threads" --dtype "$dtype" --json > "$tmp/swift.$round.json"
    sizes=$(python3 -c 'import json, sys; print(",".join(dict.fromkeys(r["shape"] for r in json.load(open(sys.argv[1]))["results"])))' "$tmp/swift.$round.json")
    if [[ $against != torch ]]; then
        env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS="$threads" \
            python3 bench/gemm_numpy.py --sizes "$sizes" --json > "$tmp/numpy.$round.json"
    fi
    if [[ $against != numpy ]]; then
        python3 bench/gemm_numpy.py --torch $torch_dtype --threads "$threads" --sizes "$sizes" --json > "$tmp/torch.$round.json"
    fi
done
python3 - "$tmp" "$rounds" "$threads" "$against" <<'PY'
import json, sys, statistics
tmp, rounds, threads, against = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
sides = {"numpy": ["OpenBLAS"], "torch": ["PyTorch"], "both": ["OpenBLAS", "PyTorch"]}[against]
files = {"OpenBLAS": "numpy", "PyTorch": "torch"}
def runs(side):
    return [json.load(open(f"{tmp}/{side}.{r}.json"))["results"] for r in range(1, rounds + 1)]
def median(side, key):
    # Rows are matched by model (when there is one) and shape, so that rounds listing them in another order agree.
    values = {}
    for run in runs(side):
        for row in run:
            values.setdefault((row.get("model", ""), row["shape"]), []).append(row[key])
    return {key: statistics.median(v) for key, v in values.items()}
swift = median("swift", "gflops")
others = {name: {shape: g for (_, shape), g in median(files[name], "gflops").items()} for name in sides}
in_step = median("swift", "step_gflops") if "step_gflops" in runs("swift")[0][0] else None
peaks = [run[0]["peak_gflops"] for run in runs("swift")]
peak = statistics.median(peaks)
print(f"threads: {threads}, medians of {rounds} alternating rounds")
print(f"SwiftGrad kernel's multiply-add peak on {threads} thread(s): {peak:.0f} GFLOPS "
      f"(runs: {', '.join(f'{p:.0f}' for p in peaks)})")
step_header = f" {'in step':>8} {'of peak':>7}" if in_step else ""
other_header = "".join(f" {name:>9} {'of peak':>7} {'ratio':>6}" for name in sides)
print(f"{'model':<9} {'shape':<16}{step_header} {'SwiftGrad':>9} {'of peak':>7}{other_header}")
for (model, shape), gflops in swift.items():
    step = f" {in_step[(model, shape)]:>8.1f} {100 * in_step[(model, shape)] / peak:>6.0f}%" if in_step else ""
    columns = "".join(f" {others[name][shape]:>9.1f} {100 * others[name][shape] / peak:>6.0f}% {gflops / others[name][shape]:>6.2f}"
                      for name in sides)
    print(f"{model:<9} {shape:<16}{step} {gflops:>9.1f} {100 * gflops / peak:>6.0f}%{columns}")
PY
