import FromScratch
import Testing
import TensorCore

@Suite struct MatmulVariantTests {
    static let variants: [(String, @Sendable (Tensor, Tensor) -> Tensor)] = [
        ("naive", matmulNaive), ("dot", matmulDot), ("broadcast", matmulBroadcast), ("einsum", matmulEinsum),
    ]

    // Sums of at most 33 float32 products in other orders than the GEMM's: 1e-5 relative, 1e-5 absolute.
    @Test(arguments: [(1, 1, 1), (5, 7, 3), (17, 33, 13), (6, 0, 4)])
    func everyVariantEqualsMatmul(_ size: (Int, Int, Int)) {
        let (m, k, n) = size
        let g = RandomGenerator(seed: UInt64(m + 31 * k + 977 * n))
        let a = Tensor.randn([m, k], generator: g), b = Tensor.randn([k, n], generator: g)
        let expected = a.matmul(b)
        for (name, variant) in Self.variants {
            assertClose(variant(a, b), expected, relative: 1e-5, absolute: 1e-5, "\(name) \(m)x\(k)x\(n)")
        }
    }

    @Test func variantsAcceptStridedViews() {
        let g = RandomGenerator(seed: 9)
        let a = Tensor.randn([8, 6], generator: g).transposed(), b = Tensor.randn([5, 16], generator: g)[.all, .step(2)].transposed()
        let expected = a.matmul(b)
        for (name, variant) in Self.variants {
            assertClose(variant(a, b), expected, relative: 1e-5, absolute: 1e-5, "\(name)")
        }
    }
}
