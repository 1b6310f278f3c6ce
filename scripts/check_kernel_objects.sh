#!/usr/bin/env bash
# Inspects a release build's object files for the two ways run-time kernel dispatch can end in an illegal
# instruction on an older CPU (see README, "Kernel dispatch"):
#  1. wide instructions outside their level: AVX-512 (zmm or opmask registers) anywhere but KernelsX86V4 and
#     KernelsX86V4BF16, AVX or FMA (ymm registers, vfmadd) anywhere but those and KernelsX86V3, and AVX512-BF16
#     (vdpbf16ps, vcvtne2ps2bf16) anywhere but KernelsX86V4BF16;
#  2. a weak symbol (a generic specialisation, which every object that uses it emits, and of which the linker
#     keeps the first copy in link order) whose kept copy comes from KernelsX86V3 or KernelsX86V4 although
#     the symbol is not named after that level: other code, ours or a dependent's, may call it on a CPU without
#     the level's instructions. (Link order is alphabetical by module; the levels sort after KernelSupport and
#     KernelsBaseline, whose copies are kept when they have one.)
# Usage: scripts/check_kernel_objects.sh [BUILD_DIR]   (default .build/release; build with
#        swift build -c release --product swiftgrad first)
set -euo pipefail
build=${1:-.build/release}
links=$build/swiftgrad.product/Objects.LinkFileList
[[ -f $links ]] || { echo "no $links: build with swift build -c release --product swiftgrad first" >&2; exit 2; }
ours=(KernelSupport KernelsBaseline KernelsX86V3 KernelsX86V4 KernelsX86V4BF16 TensorCore NN Optimizers Checkpoints
      Datasets FromScratch Training Distributed SwiftGrad SwiftGradCLI CPUFeatures FloatIntrinsics BFloat16Intrinsics)
level() {
    case $1 in
        KernelsX86V4BF16) echo 5 ;;
        KernelsX86V4) echo 4 ;;
        KernelsX86V3) echo 3 ;;
        *) echo 1 ;;
    esac
}
failures=0
count() { objdump -d --no-show-raw-insn "$build/$1.build/"*.o 2>/dev/null | grep -cE "$2" || true; }
for module in "${ours[@]}"; do
    [[ -d $build/$module.build ]] || { echo "missing $build/$module.build" >&2; exit 2; }
    zmm=$(count "$module" '%zmm|%k[1-7]')
    ymm=$(count "$module" '%ymm|vfmadd')
    bf16=$(count "$module" 'vdpbf16ps|vcvtne2?ps2bf16')
    case $(level "$module") in
        5) ;;
        4) if ((bf16 > 0)); then echo "FAIL $module: $bf16 AVX512-BF16 instructions in the x86-64-v4 level"; failures=$((failures + 1)); fi ;;
        3) if ((zmm + bf16 > 0)); then echo "FAIL $module: $zmm AVX-512 instructions in the x86-64-v3 level"; failures=$((failures + 1)); fi ;;
        *) if ((zmm + ymm + bf16 > 0)); then echo "FAIL $module: $zmm AVX-512 and $ymm AVX/FMA instructions in baseline code"; failures=$((failures + 1)); fi ;;
    esac
    printf '%-18s level %s: %6d AVX-512, %6d AVX/FMA, %4d AVX512-BF16 instructions\n' "$module" "$(level "$module")" "$zmm" "$ymm" "$bf16"
done

# Weak definitions in link order: the first object defining a symbol is the copy the linker keeps.
declare -A kept
while read -r object; do
    module=$(basename "$(dirname "$object")" .build)
    while read -r symbol; do
        [[ -n ${kept[$symbol]:-} ]] || kept[$symbol]=$module
    done < <(nm --defined-only "$object" 2>/dev/null | awk '$2 == "W" || $2 == "V" { print $3 }')
done < "$links"
unsafe=0
for symbol in "${!kept[@]}"; do
    module=${kept[$symbol]}
    # A symbol named after its level (its mangling holds the module name, length first) is that level's alone; a
    # GOT slot (`got.`) holds an address, never instructions.
    if (($(level "$module") > 1)) && [[ $symbol != *"${#module}$module"* && $symbol != got.* ]]; then
        echo "FAIL weak $(swift demangle --compact "$symbol"): the linker keeps $module's copy"
        unsafe=$((unsafe + 1))
    fi
done
echo "weak symbols: ${#kept[@]}, of which kept from a wide level though others may call them: $unsafe"
failures=$((failures + unsafe))
if ((failures > 0)); then
    echo "kernel objects: $failures problems" >&2
    exit 1
fi
echo "kernel objects: wide instructions only in their levels; every shared weak symbol resolves to a baseline copy"
