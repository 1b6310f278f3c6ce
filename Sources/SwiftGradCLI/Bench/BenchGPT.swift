import ArgumentParser
import Foundation
import SwiftGrad

/// `swiftgrad bench gpt`: a GPT's training step (AdamW), the fused attention alone, and token-by-token generation,
/// at the sizes `bench/compare_gpt.sh` runs in PyTorch side by side.
struct BenchGPT: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gpt",
        abstract: "Time a GPT's training step, its fused attention and its generation (nanoGPT's CPU recipe, the baby GPT, GPT-2 small).",
        discussion: """
            cpu: 4 layers, 4 heads, 128 wide, context 64, batch 12, 113 symbols (nanoGPT's CPU recipe); baby: 6 layers, \
            6 heads, 384 wide, context 256, batch 64 (nanoGPT's Shakespeare model); gpt2: GPT-2 small's shape with random \
            weights (12 layers, 12 heads, 768 wide, context 1024, 50257 tokens; generation only by default). The step \
            is zero_grad, forward, \
            cross-entropy, backward and an AdamW step on random tokens; "products" is the time inside the GEMM kernels; \
            the share of peak divides the step's flops (6 per parameter per token, plus attention's) by its time. \
            Attention is scaled_dot_product_attention at [batch, heads, context, 64], causal, forward and forward + \
            backward. Generation samples --tokens tokens after one, with the key/value cache and without it (gpt2: \
            with it only), and sets its speed against memory bandwidth: each token reads every weight once (the \
            position table's one row aside), so the machine's read bandwidth (measured here: the sum of a 1 GB tensor \
            on the same threads) over the weights' bytes bounds the tokens per second.
            """
    )

    enum Preset: String, ExpressibleByArgument, CaseIterable { case cpu, baby, gpt2 }

    @Option(help: "cpu, baby or gpt2.")
    var preset: Preset = .cpu

    @Option(help: "Tokens generated for the generation rows.")
    var tokens = 200

    @Option(help: "What to time: step, attention, generate (comma-separated; default all three, gpt2 generate).")
    var parts: String?

    @Option(help: "The preset's batch, replaced.")
    var batch: Int?

    @Option(help: "The preset's context length, replaced (attention's memory against T: 256, 1024, 4096).")
    var context: Int?

    @Option(help: "f32, or bf16: the training step's forward pass in mixed precision (as train --precision bf16).")
    var precision: Precision = .float32

    @OptionGroup var weights: WeightsOption

    @OptionGroup var threadsOption: ThreadsOption

    @OptionGroup var options: BenchOptions

    var configuration: (GPTConfiguration, batch: Int) {
        var (configuration, size) = BenchModelStep.gptConfiguration(preset)
        configuration.contextLength = context ?? configuration.contextLength
        return (configuration, batch ?? size)
    }

    func validate() throws {
        for (name, value) in [("--batch", batch), ("--context", context)] where value.map({ $0 < 1 }) ?? false {
            throw ValidationError("\(name) must be at least 1")
        }
    }

    func run() throws {
        threadsOption.apply()
        let (config, batch) = configuration
        let wanted = Set((parts ?? (preset == .gpt2 ? "generate" : "step,attention,generate")).split(separator: ",").map { String($0) })
        let peak = KernelSettings.family.peakGFLOPS(threads: Parallelism.threadCount)
        var report = BenchReport(columns: ["what", "time", "products", "GFLOPS", "of peak", "peak memory"])
        let generator = RandomGenerator(seed: 0)
        let model = GPT(config, generator: generator)
        let (t, c, layers) = (Double(config.contextLength), Double(config.embedding), Double(config.layers))
        if wanted.contains("step") {
            let fullStep = BenchModelStep.gptStep(model, batch: batch, generator: generator)
            let step = { precision.run(fullStep) }
            let seconds = Measure.median(minRuns: 5, budget: 3, step)
            let product = ProductTimer.measuring(step)
            // 6 flops per weight per token (forward 2, backward 4) and causal attention's 2·2·T²·C/2 per layer, ×3.
            let flops = Double(batch) * t * (6 * Double(model.parameterCount) + 6 * layers * t * c)
            report.add(row: ["train step b\(batch)", formatSeconds(seconds), formatSeconds(product.seconds),
                             String(format: "%.1f", flops / seconds / 1e9), String(format: "%.0f %%", 100 * flops / seconds / 1e9 / peak),
                             memoryText()],
                       result: ["name": "step", "preset": preset.rawValue, "median_seconds": seconds, "product_seconds": product.seconds,
                                "gflop": flops / 1e9, "peak_gflops": peak, "threads": Parallelism.threadCount,
                                "peak_rss_bytes": peakResidentBytes()])
        }
        if wanted.contains("attention") {
            let shape = [batch, config.heads, config.contextLength, 64]
            let (q, k, v) = (Tensor.randn(shape, generator: generator).requiringGrad(), Tensor.randn(shape, generator: generator).requiringGrad(),
                             Tensor.randn(shape, generator: generator).requiringGrad())
            let forward = Measure.median(minRuns: 5, budget: 2) { _ = withoutGradient { scaledDotProductAttention(q, k, v, isCausal: true) } }
            let both = Measure.median(minRuns: 5, budget: 2) { scaledDotProductAttention(q, k, v, isCausal: true).sum().backward() }
            // Causal: half of the 2·T²·d multiply-adds of each of the two products, ×2.5 with the backward's five.
            let flops = Double(shape[0] * shape[1]) * 2 * t * t * 64
            for (name, seconds, factor) in [("attention forward", forward, 1.0), ("attention forward+backward", both, 3.5)] {
                report.add(row: ["\(name) \(shape)", formatSeconds(seconds), "", String(format: "%.1f", factor * flops / seconds / 1e9),
                                 String(format: "%.0f %%", 100 * factor * flops / seconds / 1e9 / peak), memoryText()],
                           result: ["name": name, "preset": preset.rawValue, "median_seconds": seconds, "threads": Parallelism.threadCount,
                                    "shape": shape, "peak_rss_bytes": peakResidentBytes()])
            }
        }
        if wanted.contains("generate") {
            weights.apply(to: model)
            // Bytes read per token: every weight once but the position table, of which one row.
            let positionBytes = model.body.positionEmbedding.weight.dtype.byteSize * (config.contextLength - 1) * config.embedding
            let weightBytes = model.parameters().map { $0.count * $0.dtype.byteSize }.reduce(0, +) - positionBytes
            let bandwidth = readBandwidth()
            let bound = bandwidth / Double(weightBytes)
            report.add(row: ["read bandwidth (sum of 1 GB)", String(format: "%.1f GB/s", bandwidth / 1e9), "", "", "",
                             String(format: "%.0f MB of weights", Double(weightBytes) / 1e6)],
                       result: ["name": "read bandwidth", "bytes_per_second": bandwidth, "weight_bytes": weightBytes,
                                "threads": Parallelism.threadCount])
            for cache in preset == .gpt2 ? [true] : [true, false] {
                let start = Measure.now()
                _ = model.generate(after: [0], count: tokens, sampling: Sampling(temperature: 1), cache: cache,
                                   generator: RandomGenerator(seed: 1))
                let seconds = Measure.now() - start
                let name = "generate \(tokens) tokens " + (cache ? "(cache)" : "(no cache)")
                let rate = Double(tokens) / seconds
                report.add(row: [name, String(format: "%.1f tok/s", rate), "", "",
                                 cache ? String(format: "%.0f %% of bandwidth's %.1f", 100 * rate / bound, bound) : "", ""],
                           result: ["name": name, "preset": preset.rawValue, "tokens_per_second": rate,
                                    "bandwidth_bound_tokens_per_second": bound, "threads": Parallelism.threadCount,
                                    "weight_bytes": weightBytes])
            }
        }
        report.print(json: options.json)
    }

    private func memoryText() -> String { String(format: "%.0f MB", Double(peakResidentBytes()) / 1e6) }

    /// Bytes per second read by summing a 1 GB tensor (far past any cache) on the current threads: the median of
    /// a few passes after one that faults its pages in.
    private func readBandwidth() -> Double {
        let data = Tensor.ones([1 << 28])
        let seconds = Measure.median(warmup: 1, minRuns: 5, budget: 1) { _ = data.sum() }
        return Double(4 << 28) / seconds
    }
}

/// The most memory this process has held (VmHWM on Linux), in bytes; 0 where it cannot be read.
func peakResidentBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
    return kilobytes * 1024
}
