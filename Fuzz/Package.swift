// swift-tools-version: 6.0
// libFuzzer targets for SwiftGrad's file readers. Kept in their own package so that the fuzzing flags
// (-sanitize=fuzzer,address -parse-as-library) never touch the main build. Run them with scripts/fuzz.sh.
import PackageDescription

let package = Package(
    name: "SwiftGradFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "SwiftGrad", path: "..")],
    targets: [
        .target(name: "FuzzDriver"),
        .executableTarget(name: "FuzzSafeTensors", dependencies: ["FuzzDriver", .product(name: "Checkpoints", package: "SwiftGrad")]),
        .executableTarget(name: "FuzzNPY", dependencies: ["FuzzDriver", .product(name: "Checkpoints", package: "SwiftGrad")]),
        .executableTarget(name: "FuzzIDX", dependencies: ["FuzzDriver", .product(name: "Datasets", package: "SwiftGrad")]),
        .executableTarget(name: "FuzzGzip", dependencies: ["FuzzDriver", .product(name: "Datasets", package: "SwiftGrad")]),
    ],
    swiftLanguageModes: [.v6]
)
