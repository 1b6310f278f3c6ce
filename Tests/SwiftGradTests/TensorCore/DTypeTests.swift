import Checkpoints
import Foundation
import NN
import Testing
@testable import TensorCore

/// Integer and bool tensors against what PyTorch computes (`Resources/dtypes.json`, written with the files it
/// reads by `scripts/make_dtype_fixtures.py`). Integer results are compared exactly.
@Suite struct DTypeTests {
    static func fixture() throws -> [String: Any] { try Fixture("dtypes").root }

    /// The fixture's tensor `key`, in the dtype PyTorch gave it.
    static func expected(_ key: String) throws -> Tensor {
        let entry = try #require(try fixture()[key] as? [String: Any])
        let shape = try #require(entry["shape"] as? [Int])
        let name = try #require(entry["dtype"] as? String)
        let dtype = try #require(DType(rawValue: name))
        let data = try #require(entry["data"] as? [NSNumber]).map(\.doubleValue)
        return Tensor(shape: shape, scalars: data, dtype: dtype)
    }

    func expectEqual(_ actual: Tensor, _ key: String) throws {
        let reference = try Self.expected(key)
        #expect(actual.dtype == reference.dtype, "\(key): dtype")
        #expect(actual.shape == reference.shape, "\(key): shape")
        #expect(actual.elements(as: Double.self) == reference.elements(as: Double.self), "\(key): values")
    }

    @Test func conversionsTruncateTowardZeroAndTestForZero() throws {
        let floats = try Self.expected("floats")
        try expectEqual(floats.to(.int64), "floats_to_int64")
        try expectEqual(floats.to(.int32), "floats_to_int32")
        try expectEqual(floats.to(.bool), "floats_to_bool")
        let ids = try SafeTensors.read(try Fixture.url("dtypes", "safetensors"))["ids"]!
        try expectEqual(ids.to(.bool), "ids_to_bool")
        try expectEqual(ids.to(.float64), "ids_to_float64")
        // Past PyTorch's (undefined) behaviour: NaN gives 0, out-of-range values saturate; int64 → int32 wraps.
        #expect(Tensor([Double.nan, 1e30, -1e30], dtype: .float64).to(.int32).integers == [0, Int(Int32.max), Int(Int32.min)])
        #expect(Tensor(shape: [1], integers: [1 << 32 | 5]).to(.int32).integers == [5])
        #expect(Tensor([Float.nan, 0, -0.0]).to(.bool).integers == [1, 0, 0])
    }

    @Test func arithmeticPromotesAsPyTorchDoes() throws {
        let (a, b) = (try Self.expected("a"), try Self.expected("b"))
        try expectEqual(a + b, "a_plus_b")
        try expectEqual(a - b, "a_minus_b")
        try expectEqual(a * b, "a_times_b")
        try expectEqual(a / b, "a_over_b")
        let small = try SafeTensors.read(try Fixture.url("dtypes", "safetensors"))["small"]!
        try expectEqual(small + Tensor(scalar: 1, dtype: .int32), "small_plus_one")
        let floats = try Self.expected("floats")
        let mask = try SafeTensors.read(try Fixture.url("dtypes", "safetensors"))["mask"]![0]
        try expectEqual(floats[..<3] * mask, "floats_times_mask")
        #expect((Tensor([1.5, 2]) + Tensor(shape: [2], integers: [1, 2])).dtype == .float32)
        #expect((Tensor([1.5, 2], dtype: .float64) * mask[..<2]).dtype == .float64)
        let x = Tensor(shape: [2], integers: [3, 4])
        x += 2
        #expect(x.integers == [5, 6] && x.dtype == .int64)
        // An integer literal is an int64 0-d tensor, as torch.tensor(3): it keeps integers integers and takes a
        // float's dtype beside floats.
        let literal: Tensor = 3
        #expect(literal.dtype == .int64 && (x + literal).dtype == .int64 && (Tensor([1.5]) + literal).scalars == [4.5])
        let y = Tensor([0.5, 1.5])
        y[0] = 7
        y += 1
        #expect(y.scalars == [8, 2.5] && y.dtype == .float32)
    }

    @Test func comparisonsGiveBoolsOfAnyTwoDTypes() throws {
        let (a, b) = (try Self.expected("a"), try Self.expected("b"))
        try expectEqual(a .< b, "a_less_b")
        try expectEqual(a .< 2.5, "a_less_2_5")
        try expectEqual(a .== Tensor([1.0, 2.5, 3.0]), "a_eq_floats")
        #expect((Tensor([1, 2, 3]) .>= 2).dtype == .bool)
    }

    @Test func reductionsIndicesAndSelectionsWorkOnIntegers() throws {
        let mask = try SafeTensors.read(try Fixture.url("dtypes", "safetensors"))["mask"]!
        #expect(mask.dtype == .bool)
        try expectEqual(mask.sum(), "mask_sum")
        try expectEqual(mask.sum(axis: 1), "mask_sum_axis1")
        let a = try Self.expected("a")
        try expectEqual(a.sum(), "a_sum")
        try expectEqual(a.max(axis: 0), "a_max_axis0")
        try expectEqual(Tensor([[0.5, 3.0, 3.0], [-1.0, -2.0, 7.0]]).argmax(axis: 1), "argmax")
        try expectEqual(which(mask, a, Tensor(scalar: -1, dtype: .int64)), "where_mask")
        let source = try Self.expected("gather_source"), index = try Self.expected("gather_index")
        try expectEqual(source.gather(axis: 1, indices: index), "gather_axis1")
        try expectEqual(source.gather(axis: 0, indices: Tensor(shape: [1, 4], integers: [2, 0, 1, 2])), "gather_axis0")
        // Views, copies and joins keep the dtype and the exact values.
        let ids = try SafeTensors.read(try Fixture.url("dtypes", "safetensors"))["ids"]!
        #expect(ids.transposed().contiguous().integers == [3, 1 << 40, -1, 0, 7, -(1 << 35)])
        #expect(Tensor.concatenated([ids, ids[..<1]]).integers.suffix(3) == [3, -1, 7])
        #expect(ids[.all, 1...].padded([(0, 0), (1, 0)], value: 9).integers == [9, -1, 7, 9, 0, -(1 << 35)])
        let drawn = Tensor.randint(0, 5, shape: [4])
        #expect(drawn.dtype == DType.int64, "\(drawn.debugDescription)")
        #expect(Tensor.eye(2, dtype: .bool).integers == [1, 0, 0, 1])
    }

    @Test func integerIndicesPickTheSameRowsAsFloatOnes() {
        let weight = Tensor.randn(5, 3)
        let ids = Tensor(shape: [2, 2], integers: [4, 0, 4, 2])
        #expect(embedding(ids, weight: weight).scalars == embedding(ids.to(.float32), weight: weight).scalars)
        #expect(embedding(ids.to(.int32), weight: weight).scalars == embedding(ids.to(.float32), weight: weight).scalars)
        let logits = Tensor.randn(4, 5)
        let targets = Tensor(shape: [4], integers: [1, 4, 0, 4])
        #expect(crossEntropy(logits: logits, targets: targets).item() == crossEntropy(logits: logits, targets: targets.to(.float32)).item())
    }

    @Test func aBoolAttentionMaskKeepsWhereTrue() {
        let (q, k, v) = (Tensor.randn(1, 2, 3, 4), Tensor.randn(1, 2, 5, 4), Tensor.randn(1, 2, 5, 4))
        let keep = Tensor([[true, false, true, true, false], [true, true, true, false, false], [false, false, false, false, true]].map { $0.map { $0 ? 1 : 0 } }).to(.bool)
        let additive = which(keep, Tensor(scalar: 0), Tensor(scalar: -.infinity))
        assertClose(scaledDotProductAttention(q, k, v, mask: keep), scaledDotProductAttention(q, k, v, mask: additive), relative: 0, absolute: 0)
    }

    @Test func printedAsPyTorchPrintsThem() throws {
        let root = try Self.fixture()
        #expect(Tensor(shape: [3], integers: [1, 20, 300]).description == root["print_ids"] as? String)
        #expect(try Self.expected("b").description == (root["print_small"] as? String)?.replacingOccurrences(of: "torch.", with: ""))
        let mask = try SafeTensors.read(try Fixture.url("dtypes", "safetensors"))["mask"]!
        #expect(mask.description == root["print_mask"] as? String)
    }

    @Test func filesFromPyTorchAndNumPyKeepTheirDTypes() throws {
        let tensors = try SafeTensors.read(try Fixture.url("dtypes", "safetensors"))
        #expect(tensors["ids"]!.dtype == .int64 && tensors["small"]!.dtype == .int32 && tensors["half"]!.dtype == .float16)
        #expect(tensors["half"]!.scalars == [1.5, -0.25, 65504])
        let npy = try ["int64", "int32", "bool", "uint8"].map { try NPY.read(try Fixture.url("dtypes_\($0)", "npy")) }
        #expect(npy[0].dtype == .int64 && npy[0].integers == tensors["ids"]!.integers)
        #expect(npy[1].dtype == .int32 && npy[1].integers == tensors["small"]!.integers)
        #expect(npy[2].dtype == .bool && npy[2].integers == tensors["mask"]!.integers)
        #expect(npy[3].dtype == .int32 && npy[3].integers == [0, 200, 255, 7])
        // Written and read back: every dtype, exactly.
        let decoded = try SafeTensors.decode(SafeTensors.encode(tensors)).tensors
        for (name, tensor) in tensors {
            #expect(decoded[name]!.dtype == tensor.dtype && decoded[name]!.integers == tensor.integers, "\(name)")
        }
        for tensor in npy {
            let back = try NPY.decode(NPY.encode(tensor))
            #expect(back.dtype == tensor.dtype && back.integers == tensor.integers)
        }
    }

    @Test func floatOpsOnIntegersStopNamingTheOpAndDType() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor(shape: [2], integers: [1, 2]).exp()
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("exp: needs a float32 or float64 tensor, got int64 of shape [2]; convert it with to(.float32)"))
        await #expect(processExitsWith: .failure) {
            _ = matmul(Tensor.eye(2, dtype: .int32), Tensor.eye(2, dtype: .int32))
        }
        await #expect(processExitsWith: .failure) {
            _ = Tensor(shape: [2], integers: [1, 2]).mean()
        }
    }
}
