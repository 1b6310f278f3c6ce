#!/usr/bin/env bash
# Builds the DocC documentation of every library module as one static site (swift-docc-plugin's combined
# documentation), failing on any DocC warning: an unresolved symbol link, an undocumented parameter, a topic that
# names a symbol that is not there.
# Usage: scripts/docs.sh [OUTPUT_DIR] [HOSTING_BASE_PATH]   (default docs-site; serve it, e.g. with
#        python3 -m http.server -d docs-site, and open /documentation/swiftgrad/)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs-site}
base=${2:-}
targets=(SwiftGrad TensorCore NN Optimizers Checkpoints Datasets Training Distributed FromScratch Tokenizers Pretrained)
arguments=()
for target in "${targets[@]}"; do arguments+=(--target "$target"); done
[[ -n $base ]] && arguments+=(--hosting-base-path "$base")
rm -rf "$out"
swift package --allow-writing-to-directory "$out" generate-documentation "${arguments[@]}" \
    --enable-experimental-combined-documentation --transform-for-static-hosting --warnings-as-errors \
    --output-path "$out"
echo "documentation: $out (open documentation/swiftgrad/index.html through a web server)"
