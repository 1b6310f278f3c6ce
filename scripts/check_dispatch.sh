#!/usr/bin/env bash
# Runs a release `swiftgrad` on emulated older CPUs (Debian's qemu-user: `qemu-x86_64 -cpu Nehalem`, without AVX,
# and `-cpu Haswell`, AVX2 and FMA without AVX-512) and checks that each picks its family and runs the lesson,
# the elementwise benchmarks, bfloat16 products and a short training run without an illegal instruction; and that a
# SWIFTGRAD_KERNEL the CPU cannot run is one line of warning, then the fastest family it can.
# Usage: scripts/check_dispatch.sh [SWIFTGRAD_BINARY]   (default .build/release/swiftgrad)
set -euo pipefail
binary=${1:-.build/release/swiftgrad}
command -v qemu-x86_64 >/dev/null || { echo "needs qemu-x86_64 (apt-get install qemu-user)" >&2; exit 2; }
[[ -x $binary ]] || { echo "no $binary: build with swift build -c release --product swiftgrad first" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# qemu warns about CPU features its emulator leaves out (TSX and the like); they are not ours.
run() { local cpu=$1; shift; qemu-x86_64 -cpu "$cpu" "$binary" "$@" 2> >(grep -v "TCG doesn't support" >&2); }
for pair in Nehalem:portable Haswell:fma; do
    cpu=${pair%%:*} family=${pair##*:}
    version=$(run "$cpu" --version)
    [[ $version == *"kernels: $family "* ]] || { echo "FAIL $cpu: '$version', expected the $family family" >&2; exit 1; }
    run "$cpu" lesson --json > "$out/lesson.json"
    run "$cpu" bench ops --sizes 20000,100000 > "$out/ops.txt"
    run "$cpu" train --limit 2000 --epochs 1 --out "$out/run" > "$out/train.txt"
    # bfloat16 products without AVX512-BF16: operands rounded, then the float32 GEMM.
    run "$cpu" bench gemm --dtype bf16 --sizes 50x70x30,64 > "$out/bf16.txt"
    grep -q "rounded f32" "$out/bf16.txt" || { echo "FAIL $cpu: bench gemm --dtype bf16 did not round" >&2; exit 1; }
    accuracy=$(grep -o 'test accuracy [0-9.]*[0-9]' "$out/train.txt" | tail -1)
    warning=$(SWIFTGRAD_KERNEL=avx512 run "$cpu" --version 2>&1 >/dev/null)
    [[ $warning == *"SWIFTGRAD_KERNEL=avx512 needs x86-64-v4, which this CPU lacks"*"using $family" ]] \
        || { echo "FAIL $cpu: SWIFTGRAD_KERNEL=avx512 gave '$warning'" >&2; exit 1; }
    echo "$cpu: $version; lesson, bench ops, bf16 products and train ran ($accuracy after one epoch on 2000 images)"
done
echo "dispatch: each emulated CPU ran its own family with no illegal instruction"
