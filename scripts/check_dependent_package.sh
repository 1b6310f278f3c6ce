#!/usr/bin/env bash
# Builds a package that depends on SwiftGrad by version, as an application would (a local git repository tagged
# 1.0.0 stands in for the published one), with a plain `swift build -c release` and no flags, and checks that
# it runs the fastest kernel family the CPU supports. Uses the committed HEAD of this checkout.
# Usage: scripts/check_dependent_package.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone -q "$root" "$work/swiftgrad"
git -C "$work/swiftgrad" tag 1.0.0
mkdir -p "$work/app/Sources/App"
cat > "$work/app/Package.swift" <<MANIFEST
// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "App",
    dependencies: [.package(url: "file://$work/swiftgrad", from: "1.0.0")],
    targets: [.executableTarget(name: "App", dependencies: [.product(name: "SwiftGrad", package: "swiftgrad")])]
)
MANIFEST
cat > "$work/app/Sources/App/main.swift" <<'SOURCE'
import SwiftGrad

let a = Tensor.randn(512, 512), b = Tensor.randn(512, 512)
_ = a.matmul(b)
let clock = ContinuousClock()
var best = Duration.seconds(1000)
for _ in 0..<20 { best = min(best, clock.measure { _ = a.matmul(b) }) }
let seconds = Double(best.components.seconds) + Double(best.components.attoseconds) * 1e-18
print("kernel \(KernelSettings.family) fastest \(KernelFamily.fastestForCPU)", String(format: "%.0f GFLOPS", 2 * 512 * 512 * 512 / seconds / 1e9))
SOURCE
(cd "$work/app" && swift build -c release 2>&1 | tail -n 3)
result=$("$work/app/.build/release/App")
echo "dependent package, plain swift build -c release: $result"
read -r _ kernel _ fastest _ <<<"$result"
[[ $kernel == "$fastest" ]] || { echo "FAIL: the dependent runs $kernel, the CPU supports $fastest" >&2; exit 1; }
