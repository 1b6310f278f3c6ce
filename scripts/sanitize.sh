#!/usr/bin/env bash
# Runs the whole test suite under a sanitizer, in its own build folder.
#   scripts/sanitize.sh address    AddressSanitizer (out-of-bounds, use after free, leaks of the GEMM buffers…)
#   scripts/sanitize.sh thread     ThreadSanitizer (the GEMM thread pool, shared generators, settings)
# Each takes a full debug build of its own (several minutes on 2 cores), so CI does not run them; run them before
# changing the kernels, the thread pool or the file readers.
set -euo pipefail
cd "$(dirname "$0")/.."
case ${1:-} in
    address|thread) ;;
    *) echo "usage: scripts/sanitize.sh address|thread" >&2; exit 2 ;;
esac
export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
exec swift test --sanitize="$1" --scratch-path ".build-$1"
