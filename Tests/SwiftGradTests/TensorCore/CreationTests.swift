import Testing
@testable import TensorCore

@Suite struct CreationTests {
    @Test func nestedArraysGiveShapeAndRowMajorScalars() {
        let t = Tensor([[1, 2], [3, 4]])
        #expect(t.shape == [2, 2])
        #expect(t.rank == 2)
        #expect(t.count == 4)
        #expect(t.scalars == [1, 2, 3, 4])
        #expect(Tensor([[[1.5], [2.5]]]).shape == [1, 2, 1])
        #expect(Tensor(shape: [2, 3], scalars: [Float](repeating: 1, count: 6)).sum().item() == 6)
        #expect(Tensor(7.0).shape == [])
        #expect(Tensor(7.0).item() == 7)
    }

    @Test func decimalLiteralsMakeFloat32AndFloat64OnlyByName() {
        #expect(Tensor(shape: [2], scalars: [1.0, 2.5]).dtype == .float32)
        #expect(Tensor(shape: [2], scalars: [1, 2]).dtype == .float32)
        let doubles: [Double] = [0.1, 0.2]
        #expect(Tensor(shape: [2], scalars: doubles).dtype == .float32)
        #expect(Tensor(shape: [2], scalars: doubles, dtype: .float64).dtype == .float64)
        #expect(Tensor(shape: [2], scalars: doubles, dtype: .float64).elements(as: Double.self) == doubles)
        #expect(Tensor([1.5, 2.5]).dtype == .float32)
    }

    @Test func filledRangesAndIdentity() {
        #expect(Tensor.zeros(2, 3).scalars == [0, 0, 0, 0, 0, 0])
        #expect(Tensor.ones([2]).scalars == [1, 1])
        #expect(Tensor.full([2, 2], 7).scalars == [7, 7, 7, 7])
        #expect(Tensor.arange(0, 5).scalars == [0, 1, 2, 3, 4])
        #expect(Tensor.arange(1, 2, step: 0.25).scalars == [1, 1.25, 1.5, 1.75])
        #expect(Tensor.linspace(0, 1, count: 5).scalars == [0, 0.25, 0.5, 0.75, 1])
        #expect(Tensor.eye(3).scalars == [1, 0, 0, 0, 1, 0, 0, 0, 1])
        #expect(Tensor.eye(2, 3).shape == [2, 3])
        #expect(Tensor.zeros([0, 3]).count == 0)
        let like = Tensor([1.5, 2], dtype: .float64).zerosLike()
        #expect(like.shape == [2] && like.dtype == .float64 && like.scalars == [0, 0])
        #expect(Tensor.arange(0, 6).reshaped(2, 3).transposed().flattened().scalars == [0, 3, 1, 4, 2, 5])
    }

    /// `manualSeed(42)` restarts the global generator at seed 42's sequence. Other tests, running in parallel,
    /// draw from the same global generator (every `Linear` made without a generator does) and may slip a draw
    /// between the reseed and ours; so the global check is tried a few times and must succeed once. A
    /// `manualSeed` that did not reseed fails every try.
    @Test func seededGeneratorsRepeatAndDiffer() {
        let expected = Tensor.randn(5, generator: RandomGenerator(seed: 42)).scalars
        #expect(Tensor.randn(5, generator: RandomGenerator(seed: 42)).scalars == expected)
        #expect(Tensor.randn(5, generator: RandomGenerator(seed: 43)).scalars != expected)
        let reseeded = (0..<5).contains { _ in
            manualSeed(42)
            return Tensor.randn(5).scalars == expected
        }
        #expect(reseeded)
    }

    /// The first draws for seed 0 are pinned, so a change of algorithm (which would change every seeded run
    /// on every platform) is caught.
    @Test func seedZeroSequenceIsPinned() {
        let g = RandomGenerator(seed: 0)
        let bits = g.withLock { g in (0..<3).map { _ in g.nextBits() } }
        #expect(bits == [0x99EC_5F36_CB75_F2B4, 0xBF6E_1F78_4956_452A, 0x1A5F_849D_4933_E6E0])
    }

    @Test func distributionsHaveTheirMoments() {
        let g = RandomGenerator(seed: 7)
        let normal = Tensor.randn([20000], generator: g)
        #expect(Swift.abs(normal.mean().item()) < 0.03)
        #expect(Swift.abs((normal * normal).mean().item() - 1) < 0.03)
        let uniform = Tensor.rand([20000], low: -2, high: 2, generator: g)
        #expect(uniform.min().item() >= -2 && uniform.max().item() < 2)
        #expect(Swift.abs(uniform.mean().item()) < 0.05)
        let ints = Tensor.randint(3, 6, shape: [1000], generator: g)
        #expect(Set(ints.scalars) == [3, 4, 5])
        #expect(Tensor.randomPermutation(10, generator: g).sorted() == Array(0..<10))
    }
}
