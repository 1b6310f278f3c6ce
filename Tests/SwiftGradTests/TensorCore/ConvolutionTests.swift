import Foundation
import Testing
@testable import TensorCore

/// `conv2d` against PyTorch's `F.conv2d` (forward and the gradients of input, weight and bias), and its error
/// messages. Float32 sums of up to 72 products in another order than PyTorch's: 1e-4 relative, 1e-5 absolute.
@Suite struct ConvolutionTests {
    static let cases = ["basic_3x3", "pad1_same", "stride2_pad1", "rect_kernel_stride_2x1", "dilation2", "groups2_nobias",
                        "depthwise", "pointwise_1x1", "kernel_larger_than_stride"]

    static func size(_ value: Any?) throws -> Size2D {
        let pair = try #require(value as? [Int])
        return Size2D(pair[0], pair[1])
    }

    @Test(arguments: cases)
    func matchesPyTorch(_ name: String) throws {
        let fixture = try Fixture("conv2d")
        let entry = try #require(fixture.root[name] as? [String: Any])
        let input = try Fixture.tensor(entry["input"]!).requiringGrad()
        let weight = try Fixture.tensor(entry["weight"]!).requiringGrad()
        let bias = try entry["bias"].map { try Fixture.tensor($0).requiringGrad() }
        let output = conv2d(input, weight, bias: bias, stride: try Self.size(entry["stride"]),
                            padding: .explicit(try Self.size(entry["padding"])), dilation: try Self.size(entry["dilation"]),
                            groups: try #require(entry["groups"] as? Int))
        assertClose(output, try Fixture.tensor(entry["output"]!), relative: 1e-4, absolute: 1e-5, "\(name) output")
        (output * (try Fixture.tensor(entry["grad_out"]!))).sum().backward()
        assertClose(input.grad!, try Fixture.tensor(entry["input.grad"]!), relative: 1e-4, absolute: 1e-5, "\(name) input.grad")
        assertClose(weight.grad!, try Fixture.tensor(entry["weight.grad"]!), relative: 1e-4, absolute: 1e-5, "\(name) weight.grad")
        if let bias { assertClose(bias.grad!, try Fixture.tensor(entry["bias.grad"]!), relative: 1e-4, absolute: 1e-5, "\(name) bias.grad") }
    }

    /// One configuration of the float32 path against the float64 one.
    struct PathCase: Sendable, CustomTestStringConvertible {
        let input: [Int], weight: [Int], bias: Bool, stride: Size2D, padding: Padding2D, dilation: Size2D, groups: Int
        var testDescription: String { "input \(input) weight \(weight) stride \(stride) padding \(padding) dilation \(dilation) groups \(groups)" }
    }

    static let pathCases = [
        // Stride 1 and the input's width (the by-tap runs): 3×3 padding 1, 5×5 padding 2, dilated, even kernels.
        PathCase(input: [3, 2, 6, 5], weight: [4, 2, 3, 3], bias: true, stride: 1, padding: 1, dilation: 1, groups: 1),
        PathCase(input: [2, 3, 5, 7], weight: [5, 3, 5, 5], bias: true, stride: 1, padding: 2, dilation: 1, groups: 1),
        PathCase(input: [2, 2, 7, 6], weight: [3, 2, 3, 3], bias: false, stride: 1, padding: .same, dilation: 2, groups: 1),
        PathCase(input: [2, 2, 5, 4], weight: [3, 2, 2, 3], bias: true, stride: 1, padding: .same, dilation: 1, groups: 1),
        // Kernels wider than the image, reaching across both edges at once.
        PathCase(input: [2, 1, 3, 1], weight: [2, 1, 5, 5], bias: true, stride: 1, padding: 2, dilation: 1, groups: 1),
        PathCase(input: [1, 2, 2, 2], weight: [2, 2, 3, 3], bias: false, stride: 1, padding: .same, dilation: 3, groups: 1),
        // The general walk: strides, unpadded, asymmetric, grouped, depthwise, 1×1.
        PathCase(input: [2, 2, 7, 6], weight: [3, 2, 3, 3], bias: true, stride: [2, 1], padding: [1, 2], dilation: 1, groups: 1),
        PathCase(input: [2, 4, 6, 6], weight: [6, 2, 3, 3], bias: true, stride: 1, padding: 0, dilation: 1, groups: 2),
        PathCase(input: [2, 3, 7, 7], weight: [3, 1, 3, 3], bias: false, stride: 2, padding: 1, dilation: 1, groups: 3),
        PathCase(input: [2, 3, 4, 5], weight: [70, 3, 1, 1], bias: true, stride: 1, padding: 0, dilation: 1, groups: 1),
        PathCase(input: [1, 1, 6, 6], weight: [2, 1, 4, 4], bias: false, stride: 3, padding: 2, dilation: 1, groups: 1),
        // Enough work for the images to be shared between threads (and a tile remainder in every dimension).
        PathCase(input: [9, 8, 15, 17], weight: [13, 8, 3, 3], bias: true, stride: 1, padding: 1, dilation: 1, groups: 1),
        PathCase(input: [7, 6, 12, 11], weight: [10, 3, 3, 3], bias: true, stride: [1, 2], padding: 1, dilation: 1, groups: 2),
        PathCase(input: [0, 2, 5, 5], weight: [3, 2, 3, 3], bias: true, stride: 1, padding: 1, dilation: 1, groups: 1),
    ]

    /// Float32 runs image by image in the kernels, float64 through `unfolded` and `matmul` (and autograd): the
    /// two agree, forward and backward, on one thread and on two. Float32 sums of up to 200 products against
    /// float64: 1e-4 relative, 1e-4 absolute.
    @Test(arguments: pathCases)
    func float32PathMatchesFloat64(_ c: PathCase) {
        let generator = RandomGenerator(seed: 7)
        let (x, w, b) = (Tensor.randn(c.input, generator: generator), Tensor.randn(c.weight, generator: generator),
                         Tensor.randn([c.weight[0]], generator: generator))
        let run = { (dtype: DType) -> [Tensor] in
            let (input, weight, bias) = (x.to(dtype).detached().requiringGrad(), w.to(dtype).detached().requiringGrad(),
                                         b.to(dtype).detached().requiringGrad())
            let output = conv2d(input, weight, bias: c.bias ? bias : nil, stride: c.stride, padding: c.padding,
                                dilation: c.dilation, groups: c.groups)
            (output * output.detached().tanh()).sum().backward()
            return [output, input.grad!, weight.grad!] + (c.bias ? [bias.grad!] : [])
        }
        let expected = run(.float64)
        for threads in [1, 2] {
            let actual = Parallelism.withThreadCount(threads) { run(.float32) }
            for (index, (a, e)) in zip(actual, expected).enumerated() {
                assertClose(a, e.to(.float32), relative: 1e-4, absolute: 1e-4,
                            "\(["output", "input.grad", "weight.grad", "bias.grad"][index]), \(threads) threads")
            }
        }
    }

    /// `conv2d(..., activation: .relu)` (ReLU as the product stores its output, the gradient masked by the output's
    /// sign) against `conv2d` then `relu`, in float32: with and without a bias, strided, grouped and depthwise; the
    /// output and the gradients of input, weight and bias agree to 1e-6 (relative and absolute).
    @Test(arguments: [([2, 3, 7, 7], [4, 3, 3, 3], 1, 1, true), ([1, 4, 9, 8], [6, 2, 3, 2], 2, 2, false),
                      ([2, 4, 6, 6], [4, 1, 3, 3], 1, 4, true)])
    func reluAfterTheProductIsTheOpsInTurn(_ inputShape: [Int], _ weightShape: [Int], _ stride: Int, _ groups: Int,
                                           _ hasBias: Bool) {
        let generator = RandomGenerator(seed: 14)
        let x = Tensor.randn(inputShape, generator: generator), weight = Tensor.randn(weightShape, generator: generator)
        let bias = hasBias ? Tensor.randn([weightShape[0]], generator: generator) : nil
        var results: [[Tensor]] = []
        for fused in [false, true] {
            let (input, w, b) = (x.detached().requiringGrad(), weight.detached().requiringGrad(), bias?.detached().requiringGrad())
            let y = fused ? conv2d(input, w, bias: b, stride: Size2D(stride, stride), padding: 1, groups: groups, activation: .relu)
                : conv2d(input, w, bias: b, stride: Size2D(stride, stride), padding: 1, groups: groups).relu()
            (y * y).sum().backward()
            results.append([y, input.grad!, w.grad!] + (b.map { [$0.grad!] } ?? []))
        }
        #expect(results[1][0].elements(as: Float.self).contains(0), "ReLU cleared some outputs")
        for (index, (unfused, fused)) in zip(results[0], results[1]).enumerated() {
            assertClose(fused, unfused, relative: 1e-6, absolute: 1e-6, "\(inputShape) \(weightShape) tensor \(index)")
        }
    }

    @Test func samePaddingKeepsTheSizeForOddAndEvenKernels() {
        let x = Tensor.randn([1, 2, 7, 6])
        #expect(conv2d(x, Tensor.randn([3, 2, 3, 3]), padding: .same).shape == [1, 3, 7, 6])
        #expect(conv2d(x, Tensor.randn([3, 2, 2, 4]), padding: .same, dilation: [1, 2]).shape == [1, 3, 7, 6])
    }

    @Test func mismatchedChannelsStopNamingTheShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = conv2d(Tensor.zeros(1, 3, 8, 8), Tensor.zeros(4, 2, 3, 3))
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("conv2d: input [1, 3, 8, 8] has 3 channels but weight [4, 2, 3, 3] with groups 1 takes 2"))
    }

    @Test func kernelLargerThanThePaddedInputStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = conv2d(Tensor.zeros(1, 1, 4, 4), Tensor.zeros(1, 1, 5, 5), padding: 0)
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("conv2d: kernel 5 (dilation 1) spans 5×5, larger than the padded input's 4×4"))
    }

    @Test func zeroStrideStops() async {
        await #expect(processExitsWith: .failure) {
            _ = conv2d(Tensor.zeros(1, 1, 4, 4), Tensor.zeros(1, 1, 3, 3), stride: 0)
        }
    }
}
