import ArgumentParser
import Foundation
import SwiftGrad

/// `swiftgrad bench gemm`: float32 matrix multiply throughput.
struct BenchGEMM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm",
        abstract: "GFLOPS of C = A·B for square sizes or MxKxN shapes (compare: bench/gemm_numpy.py).",
        discussion: """
            Shapes are N (for N×N·N×N) or MxKxN; a T suffix on M or N transposes that operand (e.g. 784Tx64x50 \
            for Aᵀ·B with A stored 784×64). "of peak" compares each rate with the kernel's multiply-adds alone on \
            the same threads (operands in registers, measured first, compiled for the same instruction-set level): \
            the most any GEMM of that family could reach here.
            """
    )

    @Option(help: "Sizes or shapes, comma-separated: 64,128,256x784x1024.")
    var sizes: String = "64,128,256,512,1024,2048"

    @OptionGroup var threadsOption: ThreadsOption

    @Option(help: "Kernel family: avx512, fma or portable (default: the fastest this CPU runs, or SWIFTGRAD_KERNEL).")
    var kernel: String?

    @OptionGroup var options: BenchOptions

    func run() throws {
        let shapes = try sizes.split(separator: ",").map { try GEMMShape(parsing: String($0)) }
        threadsOption.apply()
        if let kernel {
            guard let family = KernelFamily(rawValue: kernel), family.isBuilt, family.isSupportedByCPU else {
                throw ValidationError("--kernel \(kernel): choose one of \(KernelFamily.runnable.map(\.rawValue).joined(separator: ", "))")
            }
            KernelSettings.family = family
        }
        // What the kernel's arithmetic alone reaches on these cores: the ceiling each rate is a share of.
        let kernel = KernelSettings.family
        let peak = kernel.peakGFLOPS(threads: Parallelism.threadCount)
        var report = BenchReport(columns: ["shape", "threads", "kernel", "median", "GFLOPS", "of peak"])
        for shape in shapes {
            let a = shape.transposeA ? Tensor.randn([shape.k, shape.m]).transposed() : Tensor.randn([shape.m, shape.k])
            let b = shape.transposeB ? Tensor.randn([shape.n, shape.k]).transposed() : Tensor.randn([shape.k, shape.n])
            let flops = 2.0 * Double(shape.m * shape.k * shape.n)
            let seconds = Measure.median(minRuns: 5, budget: Swift.min(2, Swift.max(0.3, flops / 1e10))) {
                _ = a.matmul(b)
            }
            let gflops = flops / seconds / 1e9
            report.add(
                row: [shape.text, "\(Parallelism.threadCount)", kernel.rawValue, formatSeconds(seconds),
                      String(format: "%.1f", gflops), String(format: "%.0f %%", 100 * gflops / peak)],
                result: ["name": "gemm", "m": shape.m, "k": shape.k, "n": shape.n, "shape": shape.text,
                         "threads": Parallelism.threadCount, "kernel": kernel.rawValue,
                         "gflops": gflops, "median_seconds": seconds, "peak_gflops": peak])
        }
        report.print(json: options.json)
    }
}

/// `N` or `MxKxN`, with optional `T` after M or N to read that operand transposed.
struct GEMMShape {
    let m: Int, k: Int, n: Int
    let transposeA: Bool, transposeB: Bool
    let text: String

    init(parsing text: String) throws {
        self.text = text.trimmingCharacters(in: .whitespaces)
        let parts = self.text.lowercased().split(separator: "x", omittingEmptySubsequences: false).map(String.init)
        func size(_ s: String) throws -> (Int, Bool) {
            let transposed = s.hasSuffix("t")
            guard let n = Int(transposed ? String(s.dropLast()) : s), n > 0 else {
                throw ValidationError("'\(text)' is not a size N or a shape MxKxN")
            }
            return (n, transposed)
        }
        switch parts.count {
        case 1:
            let (n, _) = try size(parts[0])
            (m, k, self.n, transposeA, transposeB) = (n, n, n, false, false)
        case 3:
            let (m, ta) = try size(parts[0]), (k, _) = try size(parts[1]), (n, tb) = try size(parts[2])
            (self.m, self.k, self.n, transposeA, transposeB) = (m, k, n, ta, tb)
        default:
            throw ValidationError("'\(text)' is not a size N or a shape MxKxN")
        }
    }
}
