import Checkpoints
import Foundation
import KernelSupport
import Testing
@testable import TensorCore

/// bfloat16 and float16 against PyTorch (`Resources/half_precision.*`, written by
/// `scripts/make_half_fixtures.py`): conversion bits, printing and files. Conversions are compared bit for bit.
@Suite struct HalfPrecisionTests {
    static func fixture() throws -> [String: Any] { try Fixture("half_precision").root }

    static func floats(bits: [Int]) -> Tensor {
        Tensor(bits.map { Float(bitPattern: UInt32($0)) })
    }

    /// The stored bit patterns of a contiguous 16-bit tensor.
    static func bits(_ tensor: Tensor) -> [Int] {
        let source = tensor.contiguous()
        return source.withUnsafeElementBytes { bytes in
            (0..<source.count).map { Int(bytes.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) }
        }
    }

    @Test(arguments: [DType.bfloat16, .float16])
    func conversionRoundsToNearestEvenAsPyTorchDoes(_ dtype: DType) throws {
        let root = try Self.fixture()
        let inputs = try #require(root["inputs"] as? [Int])
        let expected = try #require(root[dtype.rawValue] as? [Int])
        let converted = Self.floats(bits: inputs).to(dtype)
        #expect(converted.dtype == dtype)
        let mismatches = zip(inputs, zip(Self.bits(converted), expected)).filter { $1.0 != $1.1 }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(inputs.count) differ, first (input, ours, PyTorch's): \(mismatches.prefix(3))")
        // A NaN stays a NaN (PyTorch's payload bits differ between its scalar and vector paths; only NaN-ness is
        // pinned), and float16 keeps the sign as PyTorch does.
        let nans = Self.floats(bits: try #require(root["nan_inputs"] as? [Int])).to(dtype)
        #expect(nans.to(.float32).scalars.allSatisfy { $0.isNaN })
        if dtype == .float16 { #expect(Self.bits(nans) == (root["nan_float16"] as? [Int])) }
    }

    @Test func everySixteenBitPatternWidensExactlyAndConvertsBack() {
        let patterns = (0..<65536).map { UInt16($0) }
        for pattern in patterns {
            let brain = BFloat16(bitPattern: pattern), half = Half(bitPattern: pattern)
            if !brain.floatValue.isNaN { #expect(BFloat16(brain.floatValue).bitPattern == pattern) }
            if !half.floatValue.isNaN { #expect(Half(half.floatValue).bitPattern == pattern) }
        }
        #expect(Half(bitPattern: 0x0001).floatValue == 0x1p-24 && Half(bitPattern: 0x7BFF).floatValue == 65504)
        #expect(Half(bitPattern: 0xFC00).floatValue == -.infinity && BFloat16(bitPattern: 0x7F80).floatValue == .infinity)
    }

    @Test func tensorsConvertThroughEveryDType() {
        let values: [Float] = [1.5, -2.25, 300, 0.099975586]
        for dtype in [DType.bfloat16, .float16] {
            let reduced = Tensor(values).to(dtype)
            #expect(reduced.to(.float64).to(dtype).to(.float32).scalars == reduced.to(.float32).scalars)
            #expect(reduced.to(.int64).integers == [1, -2, 300, 0])
            #expect(reduced.to(.bool).integers == [1, 1, 1, 1])
            #expect(Tensor(shape: [2], integers: [7, -3]).to(dtype).scalars == [7, -3])
        }
        #expect(Tensor([1.00390625]).to(.bfloat16).scalars == [1])
        #expect(Tensor([70000]).to(.float16).scalars == [.infinity])
    }

    @Test func printedAsPyTorchPrintsThem() throws {
        let root = try Self.fixture()
        let brain = Tensor(shape: [2, 3], scalars: [1.5, -2.25, 3.0e5, 0.1, 1e-3, -7]).to(.bfloat16)
        #expect(brain.description == (root["print_brain"] as? String)?.replacingOccurrences(of: "torch.", with: ""))
        let half = Tensor(shape: [2, 3], scalars: [1.5, -2.25, 65504, 0.1, 6e-8, -7]).to(.float16)
        #expect(half.description == (root["print_half"] as? String)?.replacingOccurrences(of: "torch.", with: ""))
    }

    @Test func safetensorsFromPyTorchKeepTheirDTypesAndRoundTrip() throws {
        let root = try Self.fixture()
        let tensors = try SafeTensors.read(try Fixture.url("half_precision", "safetensors"))
        let (brain, half) = (try #require(tensors["brain"]), try #require(tensors["half"]))
        #expect(brain.dtype == .bfloat16 && half.dtype == .float16 && brain.shape == [2, 3])
        #expect(brain.to(.float32).scalars == (root["brain_float32"] as? [Double])?.map { Float($0) })
        #expect(half.to(.float32).scalars == (root["half_float32"] as? [Double])?.map { Float($0) })
        let data = SafeTensors.encode(["brain": brain, "half": half.transposed()])
        let header = String(decoding: data.dropFirst(8).prefix(200), as: UTF8.self)
        #expect(header.contains(#""dtype":"BF16""#) && header.contains(#""dtype":"F16""#))
        let back = try SafeTensors.decode(data).tensors
        #expect(Self.bits(back["brain"]!) == Self.bits(brain))
        #expect(Self.bits(back["half"]!) == Self.bits(half.transposed()) && back["half"]!.shape == [3, 2])
    }

    @Test func npyHoldsFloat16AndStoresBFloat16AsFloat32() throws {
        let half = try NPY.read(try Fixture.url("half_precision", "npy"))
        let reference = try SafeTensors.read(try Fixture.url("half_precision", "safetensors"))["half"]!
        #expect(half.dtype == .float16 && Self.bits(half) == Self.bits(reference))
        #expect(try NPY.decode(NPY.encode(half)).dtype == .float16)
        let brain = Tensor([1.5, 3.0e5]).to(.bfloat16)
        let stored = try NPY.decode(NPY.encode(brain))
        #expect(stored.dtype == .float32 && stored.scalars == brain.to(.float32).scalars)
    }

    @Test func opsComputeInFloat32AndViewsStayInPlace() {
        let brain = Tensor(shape: [2, 3], scalars: [1, -2, 3, 4, 0.5, -6]).to(.bfloat16)
        #expect((brain + Tensor([1, 1, 1])).dtype == .float32)
        #expect(brain.sum().dtype == .float32 && brain.sum().item() == 0.5)
        #expect(brain.max(axis: 1).dtype == .bfloat16 && brain.max(axis: 1).scalars == [3, 4])
        #expect(brain.argmax(axis: 1).integers == [2, 0])
        #expect((brain .> Tensor(scalar: 0)).integers == [1, 0, 1, 1, 1, 0])
        #expect((brain .== brain.to(.float16)).integers == [1, 1, 1, 1, 1, 1])
        let transposed = brain.transposed()
        #expect(transposed.contiguous().to(.float32).scalars == [1, 4, -2, 0.5, 3, -6])
        #expect(which(brain .> Tensor(scalar: 0), brain, brain.to(.float32) * 0).scalars == [1, 0, 3, 4, 0.5, 0])
    }

    @Test func gradientsFlowThroughTheConversions() {
        let x = Tensor([1.5, -2.25, 0.1]).requiringGrad()
        let y = (x.to(.bfloat16).to(.float32) * Tensor([2, 3, 4])).sum()
        y.backward()
        #expect(x.grad?.scalars == [2, 3, 4])
    }

    @Test func arithmeticOnTwoBFloat16TensorsStopsNamingTheOp() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let brain = Tensor([1, 2]).to(.bfloat16)
            _ = brain + brain
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("add: needs a float32 or float64 tensor, got bfloat16 of shape [2]; convert it with to(.float32)"))
    }
}
