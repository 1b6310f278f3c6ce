import Foundation
import Testing
@testable import TensorCore

/// Pooling and batch normalisation against PyTorch (`pooling_norm.json`): outputs, input gradients, and batch
/// norm's running statistics after one training step. 1e-4 relative, 1e-5 absolute (float32 means and variances
/// summed in another order).
@Suite struct PoolingNormalizationTests {
    static let poolingCases = ["max_pool2d_k2", "max_pool2d_k3_s2_p1", "max_pool2d_odd_input", "avg_pool2d_k2",
                               "avg_pool2d_k3_s1_p1_count_include_pad", "adaptive_avg_pool2d_1"]

    @Test(arguments: poolingCases)
    func poolingMatchesPyTorch(_ name: String) throws {
        let entry = try #require(try Fixture("pooling_norm").root[name] as? [String: Any])
        let input = try Fixture.tensor(entry["input"]!).requiringGrad()
        let pair = { (key: String) -> Size2D in
            let values = entry[key] as? [Int] ?? [0, 0]
            return Size2D(values[0], values[1])
        }
        let output: Tensor
        switch entry["op"] as? String {
        case "max_pool2d": output = maxPool2d(input, kernel: pair("kernel"), stride: pair("stride"), padding: pair("padding"))
        case "avg_pool2d": output = avgPool2d(input, kernel: pair("kernel"), stride: pair("stride"), padding: pair("padding"))
        default: output = adaptiveAvgPool2d(input, outputSize: pair("output_size"))
        }
        assertClose(output, try Fixture.tensor(entry["output"]!), relative: 1e-4, absolute: 1e-5, "\(name) output")
        (output * (try Fixture.tensor(entry["grad_out"]!))).sum().backward()
        assertClose(input.grad!, try Fixture.tensor(entry["input.grad"]!), relative: 1e-4, absolute: 1e-5, "\(name) input.grad")
    }

    @Test(arguments: ["batch_norm2d", "batch_norm1d"])
    func batchNormMatchesPyTorch(_ name: String) throws {
        let entry = try #require(try Fixture("pooling_norm").root[name] as? [String: Any])
        let input = try Fixture.tensor(entry["input"]!).requiringGrad()
        let weight = try Fixture.tensor(entry["weight"]!).requiringGrad(), bias = try Fixture.tensor(entry["bias"]!).requiringGrad()
        let channels = weight.shape[0]
        let runningMean = Tensor.zeros([channels]), runningVariance = Tensor.ones([channels])
        let output = batchNorm(input, runningMean: runningMean, runningVariance: runningVariance, weight: weight, bias: bias,
                               training: true, momentum: 0.1, epsilon: 1e-5)
        assertClose(output, try Fixture.tensor(entry["output_train"]!), relative: 1e-4, absolute: 1e-5, "\(name) output")
        (output * (try Fixture.tensor(entry["grad_out"]!))).sum().backward()
        assertClose(input.grad!, try Fixture.tensor(entry["input.grad"]!), relative: 1e-4, absolute: 1e-5, "\(name) input.grad")
        assertClose(weight.grad!, try Fixture.tensor(entry["weight.grad"]!), relative: 1e-4, absolute: 1e-5, "\(name) weight.grad")
        assertClose(bias.grad!, try Fixture.tensor(entry["bias.grad"]!), relative: 1e-4, absolute: 1e-5, "\(name) bias.grad")
        assertClose(runningMean, try Fixture.tensor(entry["running_mean_after"]!), relative: 1e-4, absolute: 1e-6, "\(name) running mean")
        assertClose(runningVariance, try Fixture.tensor(entry["running_var_after"]!), relative: 1e-4, absolute: 1e-6, "\(name) running var")
        let evaluated = batchNorm(try Fixture.tensor(entry["input_eval"]!), runningMean: runningMean,
                                  runningVariance: runningVariance, weight: weight, bias: bias, training: false)
        assertClose(evaluated, try Fixture.tensor(entry["output_eval"]!), relative: 1e-4, absolute: 1e-5, "\(name) eval")
        // With nothing to record, the one-pass kernel with the statistics folded into a scale and a shift.
        let folded = try withoutGradient {
            batchNorm(try Fixture.tensor(entry["input_eval"]!), runningMean: runningMean, runningVariance: runningVariance,
                      weight: weight, bias: bias, training: false)
        }
        assertClose(folded, try Fixture.tensor(entry["output_eval"]!), relative: 1e-4, absolute: 1e-5, "\(name) folded eval")
    }

    /// The gradient of a max pool goes to the first largest element of a window, as PyTorch's, even on ties.
    @Test func maxPoolGradientGoesToTheFirstOfTiedElements() {
        let x = Tensor([[[[1, 1], [1, 0]]]]).requiringGrad()
        maxPool2d(x, kernel: 2).sum().backward()
        assertClose(x.grad!, shape: [1, 1, 2, 2], [1, 0, 0, 0])
    }

    /// Float32 `MaxPool2d(2)` runs eight windows at a time (rows of 7, 8, 9 and 17 windows: a partial group, a
    /// whole one, both, and an odd input dropping its last row and column); float64 runs the general loop. Values
    /// from a handful, so that most windows tie, and NaNs: the same outputs and the same positions picked.
    @Test(arguments: [[2, 3, 14, 14], [1, 2, 16, 17], [1, 1, 18, 19], [2, 1, 35, 34]])
    func twoByTwoMaxPoolPicksWhatTheGeneralLoopPicks(_ shape: [Int]) {
        let generator = RandomGenerator(seed: 11)
        let count = shape.reduce(1, *)
        let picks = Tensor.randint(0, 4, shape: [count], generator: generator).elements(as: Double.self)
        let scalars = picks.enumerated().map { index, value in index % 37 == 5 ? Double.nan : value }
        var results: [[Double]] = []
        for dtype in [DType.float32, .float64] {
            let x = Tensor(shape: shape, scalars: scalars, dtype: dtype).requiringGrad()
            let y = maxPool2d(x, kernel: 2)
            y.sum().backward()
            results.append(y.elements(as: Double.self) + x.grad!.elements(as: Double.self))
        }
        #expect(zip(results[0], results[1]).allSatisfy { $0 == $1 || $0.isNaN && $1.isNaN })
    }

    /// `batchNormReLU` is batch norm, ReLU and max pooling in turn: 2×2 windows (the vector path, on an odd input
    /// too), overlapping padded 3×3 windows (the general loop), and ReLU alone on 4-d and 2-d inputs. Values on a
    /// coarse grid, so that windows tie and some land exactly on zero after the shift. Outputs, every gradient and
    /// the running statistics agree to float rounding (1e-6 relative, 1e-7 absolute; they are computed in the same
    /// order, so in practice they are equal).
    @Test(arguments: [([4, 3, 6, 6], MaxPoolWindow?.some(MaxPoolWindow(kernel: 2))), ([2, 3, 7, 9], MaxPoolWindow(kernel: 2)),
                      ([2, 2, 6, 5], MaxPoolWindow(kernel: 3, stride: 2, padding: 1)), ([3, 2, 4, 4], nil), ([5, 3], nil)])
    func batchNormReLUIsTheOpsInTurn(_ shape: [Int], _ window: MaxPoolWindow?) {
        let generator = RandomGenerator(seed: 5)
        let channels = shape[1]
        let x = Tensor.randint(-8, 8, shape: shape, generator: generator) / 4 + 0.5
        let (weight, bias) = (Tensor.randn([channels], generator: generator), Tensor.randn([channels], generator: generator))
        let outGradient = Tensor.randn(window == nil ? shape : maxPool2d(x, kernel: window!.kernel, stride: window!.stride,
                                                                          padding: window!.padding).shape, generator: generator)
        var results: [[Tensor]] = []
        for fused in [false, true] {
            let (input, w, b) = (x.detached().requiringGrad(), weight.detached().requiringGrad(), bias.detached().requiringGrad())
            let (runningMean, runningVariance) = (Tensor.zeros([channels]), Tensor.ones([channels]))
            let y: Tensor
            if fused {
                y = batchNormReLU(input, runningMean: runningMean, runningVariance: runningVariance, weight: w, bias: b,
                                  training: true, maxPool: window)
            } else {
                let activated = batchNorm(input, runningMean: runningMean, runningVariance: runningVariance, weight: w,
                                          bias: b, training: true).relu()
                y = window.map { maxPool2d(activated, kernel: $0.kernel, stride: $0.stride, padding: $0.padding) } ?? activated
            }
            (y * outGradient).sum().backward()
            results.append([y, input.grad!, w.grad!, b.grad!, runningMean, runningVariance])
        }
        for (name, (unfused, fused)) in zip(["output", "input.grad", "weight.grad", "bias.grad", "running mean", "running var"],
                                            zip(results[0], results[1])) {
            assertClose(fused, unfused, relative: 1e-6, absolute: 1e-7, "\(shape) \(name)")
        }
        #expect(results[1][0].elements(as: Float.self).contains(0), "some outputs are ReLU's zeros")
    }

    /// In evaluation mode with no gradient to record, `batchNormReLU` is one pass with the running statistics folded
    /// into a scale and a shift: batch norm's formula op by op, ReLU and the pool, to float rounding (1e-5 relative,
    /// 1e-6 absolute).
    @Test(arguments: [([4, 3, 6, 6], MaxPoolWindow?.some(MaxPoolWindow(kernel: 2))), ([2, 3, 7, 9], MaxPoolWindow(kernel: 2)),
                      ([2, 2, 6, 5], MaxPoolWindow(kernel: 3, stride: 2, padding: 1)), ([5, 3], nil)])
    func evaluationBatchNormReLUIsTheOpsInTurn(_ shape: [Int], _ window: MaxPoolWindow?) {
        let generator = RandomGenerator(seed: 7)
        let channels = shape[1]
        let x = Tensor.randn(shape, generator: generator)
        let (weight, bias) = (Tensor.randn([channels], generator: generator), Tensor.randn([channels], generator: generator))
        let runningMean = Tensor.randn([channels], generator: generator)
        let runningVariance = Tensor.rand([channels], low: 0.5, high: 2, generator: generator)
        let (fused, unfused, normalized) = withoutGradient { () -> (Tensor, Tensor, Tensor) in
            let fused = batchNormReLU(x, runningMean: runningMean, runningVariance: runningVariance, weight: weight,
                                      bias: bias, training: false, maxPool: window)
            // The formula, op by op (`batchNorm` itself folds the statistics here, with nothing to record).
            let perChannel = [1, channels] + Array(repeating: 1, count: shape.count - 2)
            let normalized = (x - runningMean.reshaped(to: perChannel)) / (runningVariance.reshaped(to: perChannel) + 1e-5).sqrt()
                * weight.reshaped(to: perChannel) + bias.reshaped(to: perChannel)
            let activated = normalized.relu()
            let unfused = window.map { maxPool2d(activated, kernel: $0.kernel, stride: $0.stride, padding: $0.padding) } ?? activated
            return (fused, unfused, normalized)
        }
        assertClose(fused, unfused, relative: 1e-5, absolute: 1e-6, "\(shape)")
        #expect(normalized.elements(as: Float.self).contains { $0 < 0 }, "ReLU has negative values to clear")
    }

    @Test func paddingLargerThanHalfTheKernelStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = maxPool2d(Tensor.zeros(1, 1, 4, 4), kernel: 2, padding: 2)
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("maxPool2d: padding 2 must be between 0 and half the kernel 2"))
    }
}
