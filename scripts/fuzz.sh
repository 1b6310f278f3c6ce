#!/usr/bin/env bash
# Builds and runs one libFuzzer target for SwiftGrad's file readers.
#   scripts/fuzz.sh --list            the target names, one a line
#   scripts/fuzz.sh TARGET SECONDS    fuzz TARGET for SECONDS; exits non-zero on a crash, a leak, a timeout or an
#                                     allocation over 64 MB, leaving the input in Fuzz/Artifacts/TARGET/
# Needs clang's libFuzzer runtime (shipped with the Swift toolchain on Linux). The seed corpus is
# Fuzz/Corpus/TARGET (committed); inputs the fuzzer finds interesting go to .build-fuzz/corpus/TARGET.
set -euo pipefail
cd "$(dirname "$0")/../Fuzz"
targets=(FuzzSafeTensors FuzzNPY FuzzIDX FuzzGzip)
if [[ ${1:-} == --list ]]; then
    printf '%s\n' "${targets[@]}"
    exit 0
fi
if [[ $# -ne 2 ]] || [[ ! " ${targets[*]} " == *" $1 "* ]] || ! [[ $2 =~ ^[0-9]+$ ]]; then
    echo "usage: scripts/fuzz.sh --list | TARGET SECONDS   (targets: ${targets[*]})" >&2
    exit 2
fi
target=$1
seconds=$2
swift build -c debug --product "$target" --scratch-path ../.build-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -use-ld=lld >&2
corpus=../.build-fuzz/corpus/$target
artifacts=Artifacts/$target
mkdir -p "$corpus" "$artifacts"
exec ../.build-fuzz/debug/"$target" "$corpus" "Corpus/$target" \
    -max_total_time="$seconds" -malloc_limit_mb=64 -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix="$artifacts/" -print_final_stats=1
