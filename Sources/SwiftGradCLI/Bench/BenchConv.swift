import ArgumentParser
import SwiftGrad

/// `swiftgrad bench conv`: each convolution of the `--arch cnn` preset, forward and forward + backward, on a
/// batch, in GFLOPS and as a share of the kernel's measured peak.
struct BenchConv: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conv",
        abstract: "Time the CNN preset's convolutions, batch norm and max pooling, forward and forward + backward (compare: bench/conv_pytorch.py).",
        discussion: """
            The layers are Conv2d(1, 32, 3, padding 1) on 28×28 and Conv2d(32, 64, 3, padding 1) on 14×14, as in \
            `swiftgrad train --arch cnn`. A convolution's forward pass is 2·N·O·outH·outW·(C·kh·kw) flops; its \
            backward pass twice that (the input's and the weight's gradients). Then batch norm, max pooling, and \
            the block BatchNorm2d → ReLU → MaxPool2d as Sequential runs it (one op), on the first convolution's \
            output.
            """
    )

    @Option(help: "Images per batch.")
    var batch: Int = 128

    @OptionGroup var threadsOption: ThreadsOption

    @OptionGroup var options: BenchOptions

    func validate() throws {
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1, got \(batch)") }
    }

    func run() throws {
        threadsOption.apply()
        let peak = KernelSettings.family.peakGFLOPS(threads: Parallelism.threadCount)
        var report = BenchReport(columns: ["layer", "pass", "median", "GFLOPS", "of peak"])
        let generator = RandomGenerator(seed: 0)
        for (inChannels, outChannels, side) in [(1, 32, 28), (32, 64, 14)] {
            let layer = Conv2d(inChannels, outChannels, kernelSize: 3, padding: 1, generator: generator)
            let input = Tensor.randn([batch, inChannels, side, side], generator: generator).requiringGrad()
            let flops = 2.0 * Double(batch * outChannels * side * side * inChannels * 9)
            let name = "conv \(inChannels)→\(outChannels) \(side)×\(side)"
            let forward = Measure.median(minRuns: 5, budget: 1) { _ = withoutGradient { layer(input) } }
            let step = Measure.median(minRuns: 5, budget: 1) {
                layer.zeroGrad()
                input.zeroGrad()
                layer(input).sum().backward()
            }
            for (pass, seconds, passFlops) in [("forward", forward, flops), ("forward+backward", step, 3 * flops)] {
                let gflops = passFlops / seconds / 1e9
                report.add(row: [name, pass, formatSeconds(seconds), String(format: "%.1f", gflops),
                                 String(format: "%.0f %%", 100 * gflops / peak)],
                           result: ["name": name, "pass": pass, "batch": batch, "median_seconds": seconds, "gflops": gflops,
                                    "peak_gflops": peak])
            }
        }
        // The other layers of the preset's first block, on the first convolution's output: memory-bound passes,
        // reported in GB/s of the input read (the pooling), read and written (batch norm), or read twice (the
        // whole block as `Sequential` runs it, one op).
        let activations = Tensor.randn([batch, 32, 28, 28], generator: generator).requiringGrad()
        let layers: [(String, Module, Double)] = [
            ("batchnorm 32 28×28", BatchNorm2d(32), 2), ("maxpool 2 32 28×28", MaxPool2d(2), 1),
            ("bn+relu+maxpool 32 28×28", Sequential { BatchNorm2d(32); ReLU(); MaxPool2d(2) }, 2),
        ]
        for (name, layer, passes) in layers {
            let bytes = Double(activations.count * 4) * passes
            let forward = Measure.median(minRuns: 5, budget: 1) { _ = withoutGradient { layer(activations) } }
            let step = Measure.median(minRuns: 5, budget: 1) {
                activations.zeroGrad()
                layer(activations).sum().backward()
            }
            for (pass, seconds) in [("forward", forward), ("forward+backward", step)] {
                report.add(row: [name, pass, formatSeconds(seconds), String(format: "%.1f GB/s", bytes / seconds / 1e9), "-"],
                           result: ["name": name, "pass": pass, "batch": batch, "median_seconds": seconds,
                                    "gigabytes_per_second": bytes / seconds / 1e9])
            }
        }
        report.print(json: options.json)
    }
}
