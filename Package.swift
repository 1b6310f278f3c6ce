// swift-tools-version: 6.2
import PackageDescription

// One binary runs the best kernels of the CPU it runs on: the kernels (Sources/Kernels) are compiled three times,
// once per instruction-set level, in the targets below (each links the folder as `Kernels`), and TensorCore
// picks one at start-up from CPUID (Sources/TensorCore/Kernels.swift). Tools-version 6.2 lets a package that
// depends on SwiftGrad by version build these flags.
#if arch(x86_64)
let avx512: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-march=x86-64-v4"])]
let avx2: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-march=x86-64-v3"])]
let avx512bf16: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-march=x86-64-v4", "-Xcc", "-mavx512bf16"])]
#else
let avx512: [SwiftSetting] = []
let avx2: [SwiftSetting] = []
let avx512bf16: [SwiftSetting] = []
#endif
let kernelDependencies: [Target.Dependency] = ["KernelSupport", "CPUFeatures", "FloatIntrinsics"]

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
        .library(name: "Training", targets: ["Training"]),
        .library(name: "Distributed", targets: ["Distributed"]),
        .library(name: "Tokenizers", targets: ["Tokenizers"]),
        .library(name: "Pretrained", targets: ["Pretrained"]),
        .executable(name: "swiftgrad", targets: ["SwiftGradCLI"]),
    ],
    // Off by default: the default build and the README's commands need no MPI installed.
    traits: [
        .trait(name: "MPI", description: "Data-parallel training across processes over Open MPI (Debian: libopenmpi-dev, openmpi-bin): `swift build -c release --traits MPI`, then `mpirun -np N swiftgrad train`."),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `swift package generate-documentation` (scripts/docs.sh); nothing of it is linked into the products.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // Which instruction-set levels the CPU supports (CPUID), and what the importing target is compiled for.
        .target(name: "CPUFeatures"),
        // An IEEE square root without errno, so that loops over it vectorise (Swift's calls libm's on Linux).
        .target(name: "FloatIntrinsics"),
        // The thread pool, the dtype, the kernel families and the protocol every level's kernels conform to.
        .target(name: "KernelSupport", dependencies: ["CPUFeatures"]),
        .target(name: "KernelsX86V4", dependencies: kernelDependencies, swiftSettings: avx512),
        .target(name: "KernelsX86V3", dependencies: kernelDependencies, swiftSettings: avx2),
        .target(name: "KernelsBaseline", dependencies: kernelDependencies),
        // `VDPBF16PS`, which Swift cannot name, as an inline C function.
        .target(name: "BFloat16Intrinsics"),
        // The bfloat16 products of CPUs with AVX512-BF16 (its own sources: the other kernels are x86-64-v4's).
        .target(name: "KernelsX86V4BF16", dependencies: ["KernelSupport", "BFloat16Intrinsics"], swiftSettings: avx512bf16),
        .target(name: "TensorCore", dependencies: ["KernelSupport", "KernelsX86V4", "KernelsX86V3", "KernelsBaseline",
                                                   "KernelsX86V4BF16"]),
        .target(name: "NN", dependencies: ["TensorCore"]),
        .target(name: "Optimizers", dependencies: ["TensorCore"]),
        .target(name: "Checkpoints", dependencies: ["TensorCore"]),
        // The system zlib, for gzip-compressed datasets (Debian: zlib1g-dev).
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
        .target(name: "Datasets", dependencies: ["TensorCore", "Checkpoints", "CZlib"], resources: [.copy("Resources")]),
        .target(name: "FromScratch", dependencies: ["TensorCore", "NN"]),
        // The training loop as a library: Learner, callbacks, activation statistics, the learning-rate finder.
        .target(name: "Training", dependencies: ["TensorCore", "NN", "Optimizers", "Checkpoints", "Datasets"]),
        // Open MPI's C API (pkg-config ompi-c), linked only with the MPI trait.
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"]), .brew(["open-mpi"])]),
        // Data-parallel training: the Communicator protocol, its single-process and (with the MPI trait) MPI
        // implementations, and the DataParallel callback.
        .target(name: "Distributed", dependencies: ["TensorCore", "NN", "Training", "Datasets",
                                                    .target(name: "CMPI", condition: .when(traits: ["MPI"]))]),
        // Text to token ids as published models' tokenizers make them (WordPiece, byte-level BPE); Foundation only.
        .target(name: "Tokenizers"),
        // Published models from their Hugging Face folders: sentence embeddings (BERT) on NN's modules.
        .target(name: "Pretrained", dependencies: ["TensorCore", "NN", "Checkpoints", "Tokenizers"]),
        .target(name: "SwiftGrad", dependencies: ["TensorCore", "NN", "Optimizers", "Checkpoints", "Datasets", "FromScratch",
                                                  "Training", "Distributed", "Tokenizers", "Pretrained"]),
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
