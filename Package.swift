// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "SwiftGrad",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "SwiftGrad", targets: ["SwiftGrad"]),
        .library(name: "TensorCore", targets: ["TensorCore"]),
        .library(name: "NN", targets: ["NN"]),
        .library(name: "Optimizers", targets: ["Optimizers"]),
        .library(name: "Checkpoints", targets: ["Checkpoints"]),
        .library(name: "Datasets", targets: ["Datasets"]),
        .library(name: "FromScratch", targets: ["FromScratch"]),
        .executable(name: "swiftgrad", targets: ["SwiftGradCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // Reports the CPU the build targets and the CPU it runs on; the kernels themselves are Swift.
        .target(name: "CPUFeatures"),
        // An IEEE square root without errno, so that loops over it vectorise (Swift's calls libm's on Linux).
        .target(name: "FloatIntrinsics"),
        .target(name: "TensorCore", dependencies: ["CPUFeatures", "FloatIntrinsics"]),
        .target(name: "NN", dependencies: ["TensorCore"]),
        .target(name: "Optimizers", dependencies: ["TensorCore"]),
        .target(name: "Checkpoints", dependencies: ["TensorCore"]),
        // The system zlib, for gzip-compressed datasets (Debian: zlib1g-dev).
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
        .target(name: "Datasets", dependencies: ["TensorCore", "Checkpoints", "CZlib"], resources: [.copy("Resources")]),
        .target(name: "FromScratch", dependencies: ["TensorCore", "NN"]),
        .target(name: "SwiftGrad", dependencies: ["TensorCore", "NN", "Optimizers", "Checkpoints", "Datasets", "FromScratch"]),
        .executableTarget(
            name: "SwiftGradCLI",
            dependencies: [
                "SwiftGrad",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "SwiftGradTests",
            // The CLI tests run the built `swiftgrad`, so the test build must build it.
            dependencies: ["SwiftGrad", "SwiftGradCLI"],
            resources: [.copy("Resources")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
