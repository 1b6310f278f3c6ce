import ArgumentParser
import Foundation
import SwiftGrad

/// `swiftgrad bench gemm`: float32 and bfloat16 matrix multiply throughput.
struct BenchGEMM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm",
        abstract: "GFLOPS of C = A·B for square sizes, MxKxN shapes, or every product of a model's training step (compare: bench/compare_gemm.sh).",
        discussion: """
            Shapes are N (for N×N·N×N) or MxKxN; a T suffix on M or N transposes that operand (e.g. 784Tx64x50 \
            for Aᵀ·B with A stored 784×64). "of peak" compares each rate with the kernel's multiply-adds alone on \
            the same threads (operands in registers, measured first, compiled for the same instruction-set level): \
            the most any GEMM of that family could reach here.

            --shapes runs a few training steps of each model named (lesson, mlp, main, cnn, gpt, baby-gpt; see \
            `bench train-step` and `bench gpt`) and reports each shape of matrix product they ran: how many per step, \
            its rate inside the step (each call timed; a convolution's call is its batch's products with the windows \
            unfolded and folded back, and runs its images on separate threads, one product each) and alone (the \
            same shape and layout as one matmul on --threads threads, as --sizes measures it), heaviest first. A \
            file instead of a model name holds shapes as --sizes takes them, one per line (# starts a comment).

            --dtype bf16 multiplies bfloat16 operands with float32 sums (a mixed-precision product) and reports \
            each rate as a share of the bfloat16 instruction's peak (VDPBF16PS, where the kernel family is \
            avx512bf16; elsewhere the float32 peak, as the operands are rounded and multiplied in float32), beside \
            the float32 product of the same shape in the same run and the ratio of the two.
            """
    )

    @Option(help: "Sizes or shapes, comma-separated: 64,128,256x784x1024.")
    var sizes: String = "64,128,256,512,1024,2048"

    @Option(help: "Every product of these models' training steps (lesson, mlp, main, cnn, gpt, baby-gpt; comma-separated), or a file of shapes, instead of --sizes.")
    var shapes: String?

    @OptionGroup var threadsOption: ThreadsOption

    @Option(help: "Kernel family: avx512bf16, avx512, fma or portable (default: the fastest this CPU runs, or SWIFTGRAD_KERNEL).")
    var kernel: String?

    @Option(help: "Operands: f32, or bf16 (bfloat16 operands, float32 sums; --sizes or a file of shapes).")
    var dtype: DTypeChoice = .f32

    @OptionGroup var options: BenchOptions

    func run() throws {
        threadsOption.apply()
        if let kernel {
            guard let family = KernelFamily(rawValue: kernel), family.isBuilt, family.isSupportedByCPU else {
                throw ValidationError("--kernel \(kernel): choose one of \(KernelFamily.runnable.map(\.rawValue).joined(separator: ", "))")
            }
            KernelSettings.family = family
        }
        // What the kernel's arithmetic alone reaches on these cores: the ceiling each rate is a share of.
        let family = KernelSettings.family
        let peak = dtype == .bf16 ? family.bfloat16PeakGFLOPS(threads: Parallelism.threadCount) ?? family.peakGFLOPS(threads: Parallelism.threadCount)
            : family.peakGFLOPS(threads: Parallelism.threadCount)
        var report: BenchReport
        if dtype == .bf16 {
            if let shapes, try Self.models(shapes) != nil {
                throw ValidationError("--dtype bf16 takes --sizes or a file of shapes, not a model's training step")
            }
            report = BenchReport(columns: ["shape", "threads", "kernel", "median", "GFLOPS", "of peak", "f32 GFLOPS",
                                           "vs f32", "plan"])
            let list = try shapes.map { try Self.sizes(inFile: $0) } ?? sizes
            for shape in try list.split(separator: ",").map({ try GEMMShape(parsing: String($0)) }) {
                let (gflops, plan) = Self.alone(shape, dtype: .bfloat16)
                let (float32, _) = Self.alone(shape)
                let seconds = 2 * Double(shape.m * shape.k * shape.n) / gflops / 1e9
                report.add(
                    row: [shape.text, "\(Parallelism.threadCount)", family.rawValue, formatSeconds(seconds),
                          String(format: "%.1f", gflops), Self.share(gflops, of: peak), String(format: "%.1f", float32),
                          String(format: "%.2f×", gflops / float32), plan],
                    result: ["name": "gemm", "dtype": "bf16", "m": shape.m, "k": shape.k, "n": shape.n, "shape": shape.text,
                             "threads": Parallelism.threadCount, "kernel": family.rawValue, "gflops": gflops,
                             "median_seconds": seconds, "peak_gflops": peak, "float32_gflops": float32, "plan": plan])
            }
        } else if let shapes, let models = try Self.models(shapes) {
            report = BenchReport(columns: ["model", "product", "shape", "per step", "in step", "of peak", "alone",
                                           "of peak", "plan"])
            for model in models { addProducts(of: model, peak: peak, to: &report) }
        } else {
            report = BenchReport(columns: ["shape", "threads", "kernel", "median", "GFLOPS", "of peak", "plan"])
            let list = try shapes.map { try Self.sizes(inFile: $0) } ?? sizes
            for shape in try list.split(separator: ",").map({ try GEMMShape(parsing: String($0)) }) {
                let (gflops, plan) = Self.alone(shape)
                let seconds = 2 * Double(shape.m * shape.k * shape.n) / gflops / 1e9
                report.add(
                    row: [shape.text, "\(Parallelism.threadCount)", KernelSettings.family.rawValue, formatSeconds(seconds),
                          String(format: "%.1f", gflops), Self.share(gflops, of: peak), plan],
                    result: ["name": "gemm", "m": shape.m, "k": shape.k, "n": shape.n, "shape": shape.text,
                             "threads": Parallelism.threadCount, "kernel": KernelSettings.family.rawValue,
                             "gflops": gflops, "median_seconds": seconds, "peak_gflops": peak, "plan": plan])
            }
        }
        report.print(json: options.json)
    }

    /// The models named by `--shapes`, or nil when it names a file.
    static func models(_ text: String) throws -> [BenchModelStep]? {
        let names = text.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        let models = names.compactMap(BenchModelStep.init(rawValue:))
        if models.count == names.count { return models }
        if names.count == 1 && FileManager.default.fileExists(atPath: text) { return nil }
        let unknown = names.filter { BenchModelStep(rawValue: $0) == nil }.joined(separator: ", ")
        throw ValidationError("--shapes: no model or file '\(unknown)' (models: \(BenchModelStep.allCases.map(\.rawValue).joined(separator: ", ")))")
    }

    /// The shapes in `path`, one per line, as one comma-separated list.
    static func sizes(inFile path: String) throws -> String {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ValidationError("--shapes: cannot read '\(path)': \(error.localizedDescription)")
        }
        let lines = text.split(whereSeparator: \.isNewline)
            .map { $0.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0] }
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !lines.isEmpty else { throw ValidationError("--shapes: '\(path)' holds no shapes") }
        return lines.joined(separator: ",")
    }

    /// Runs `model`'s step (twice to warm up, then timed) and adds a row for each shape of product it ran.
    func addProducts(of model: BenchModelStep, peak: Double, to report: inout BenchReport) {
        let step = model.makeStep()
        step()
        step()
        let steps = model == .babyGPT ? 1 : 5
        let tally = ProductTimer.measuring { for _ in 0..<steps { step() } }
        for (shape, (calls, seconds)) in tally.shapes.sorted(by: { $0.value.seconds > $1.value.seconds }) {
            let inStep = Double(shape.flops * calls) / seconds / 1e9
            let (alone, plan) = Self.alone(GEMMShape(shape))
            let perStep = (shape.count > 1 ? "\(shape.count) × " : "") + "\(calls / steps)"
            report.add(
                row: [model.rawValue, shape.kind.rawValue, shape.sizeText, perStep, String(format: "%.1f", inStep),
                      Self.share(inStep, of: peak), String(format: "%.1f", alone), Self.share(alone, of: peak), plan],
                result: ["name": "gemm", "model": model.rawValue, "kind": shape.kind.rawValue, "shape": shape.sizeText,
                         "m": shape.m, "k": shape.k, "n": shape.n, "products_per_call": shape.count,
                         "calls_per_step": calls / steps, "step_seconds": seconds / Double(steps),
                         "step_gflops": inStep, "gflops": alone, "threads": Parallelism.threadCount,
                         "kernel": KernelSettings.family.rawValue, "peak_gflops": peak, "plan": plan])
        }
    }

    /// GFLOPS of one product of `shape` with operands of `dtype` (float32 or bfloat16) on the current threads (the
    /// median of several), and how it runs: the float32 GEMM's plan, or the bfloat16 product's kind.
    static func alone(_ shape: GEMMShape, dtype: DType = .float32) -> (gflops: Double, plan: String) {
        let a = (shape.transposeA ? Tensor.randn([shape.k, shape.m]) : Tensor.randn([shape.m, shape.k])).to(dtype)
        let b = (shape.transposeB ? Tensor.randn([shape.n, shape.k]) : Tensor.randn([shape.k, shape.n])).to(dtype)
        let (left, right) = (shape.transposeA ? a.transposed() : a, shape.transposeB ? b.transposed() : b)
        let flops = 2.0 * Double(shape.m * shape.k * shape.n)
        let seconds = Measure.median(minRuns: 5, budget: Swift.min(2, Swift.max(0.3, flops / 1e10))) {
            _ = left.matmul(right)
        }
        guard dtype == .float32 else {
            return (flops / seconds / 1e9, KernelSettings.family.hasBFloat16Products ? "bf16 pairs" : "rounded f32")
        }
        return (flops / seconds / 1e9, Tensor.productPlan(left, right).description)
    }

    static func share(_ gflops: Double, of peak: Double) -> String { String(format: "%.0f %%", 100 * gflops / peak) }
}

/// `N` or `MxKxN`, with optional `T` after M or N to read that operand transposed.
struct GEMMShape {
    let m: Int, k: Int, n: Int
    let transposeA: Bool, transposeB: Bool
    let text: String

    /// The shape and layout of a step's product.
    init(_ product: ProductShape) {
        (m, k, n, transposeA, transposeB) = (product.m, product.k, product.n, product.transposedA, product.transposedB)
        text = product.sizeText
    }

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
