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
