import ArgumentParser
import SwiftGrad

/// `swiftgrad bench train-step`: one training step (zero the gradients, forward, cross-entropy, backward,
/// optimizer step) of the wide MLP, the main job's MLP and the CNN preset, split into the time of its matrix products (GEMMs and
/// convolutions) and everything else, with the step's flops as a share of the kernel's measured peak.
struct BenchTrainStep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-step",
        abstract: "Time one training step of the wide MLP, the main job's MLP and the CNN preset, split into matrix products and everything else.",
        discussion: """
            The wide MLP is 784 → 1024 → 1024 → 10, batch 256, SGD with momentum 0.9 (the GEMM issue's model); the \
            main job's is 784 → 256 → 128 → 10, batch 128, AdamW; the CNN is the `swiftgrad train --arch cnn` \
            preset, batch 128, AdamW. Random inputs and labels. "products" \
            is the time inside the GEMM and convolution kernels (each call timed), "other" the rest of the step: \
            bias adds, activations, batch norm, pooling, the loss, gradient sums, the optimizer. The share of peak \
            divides the products' flops by the whole step's time.
            """
    )

    @OptionGroup var threadsOption: ThreadsOption

    @OptionGroup var options: BenchOptions

    func run() throws {
        threadsOption.apply()
        let peak = KernelSettings.family.peakGFLOPS(threads: Parallelism.threadCount)
        var report = BenchReport(columns: ["model", "step", "products", "other", "products GFLOPS", "step of peak"])
        for model in [BenchModelStep.mlp, .main, .cnn] {
            let (name, step) = (model.title, model.makeStep())
            let seconds = Measure.median(minRuns: 5, budget: 2, step)
            // The products' share of a step: a median over steps run with the timer on.
            var products: [ProductTally] = []
            for _ in 0..<5 { products.append(ProductTimer.measuring(step)) }
            let product = products.sorted { $0.seconds < $1.seconds }[products.count / 2]
            let gflops = product.flops / product.seconds / 1e9, stepShare = product.flops / seconds / 1e9 / peak
            report.add(row: [name, formatSeconds(seconds), formatSeconds(product.seconds),
                             formatSeconds(Swift.max(0, seconds - product.seconds)), String(format: "%.1f", gflops),
                             String(format: "%.0f %%", 100 * stepShare)],
                       result: ["name": name, "median_seconds": seconds, "product_seconds": product.seconds,
                                "product_gflop": product.flops / 1e9, "product_gflops": gflops, "peak_gflops": peak,
                                "threads": Parallelism.threadCount])
        }
        report.print(json: options.json)
    }
}
