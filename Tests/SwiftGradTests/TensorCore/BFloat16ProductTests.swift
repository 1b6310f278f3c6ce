import KernelSupport
import Testing
@testable import TensorCore

/// Products with bfloat16 operands against float64 references, on every kernel family this machine runs (the
/// `VDPBF16PS` kernels where the CPU has AVX512-BF16, the rounded float32 product elsewhere), over shapes that
/// reach every remainder and block of the packing and the tiles, every operand layout, and 1 to 3 threads.
@Suite(.serialized) struct BFloat16ProductTests {
    /// m, n, k, and the layouts: "n" row-major, "t" stored transposed, "s" every other column of a wider matrix.
    static let shapes: [(Int, Int, Int, String)] = [
        (1, 1, 1, "nn"), (2, 3, 2, "nn"), (5, 7, 3, "tn"), (6, 16, 31, "nt"), (7, 17, 32, "nn"), (13, 48, 33, "tt"),
        (6, 49, 64, "nn"), (12, 64, 65, "nt"), (3, 65, 100, "tn"), (19, 10, 784, "nt"), (8, 130, 800, "nn"),
        (2, 770, 40, "nt"), (33, 40, 769, "tn"), (4, 20, 37, "sn"), (9, 33, 18, "ns"), (200, 50, 100, "nn"),
        (1, 300, 96, "nt"), (300, 1, 96, "nn"), (0, 4, 5, "nn"), (4, 0, 5, "nn"),
        // Few rows against a weight's rows (B = Wᵀ): dot products, whole vectors of pairs and a partial one.
        (3, 10, 784, "nt"), (4, 9, 31, "tt"), (1, 5, 64, "nt"), (2, 7, 1, "nt"), (4, 130, 65, "st"),
    ]

    /// A `rows` × `cols` matrix of normal values in `layout`, with its float64 values.
    static func matrix(_ rows: Int, _ cols: Int, _ layout: Character, seed: UInt64) -> Tensor {
        let g = RandomGenerator(seed: seed)
        switch layout {
        case "t": return Tensor.randn([cols, rows], generator: g).transposed()
        case "s": return Tensor.randn([rows, 2 * cols], generator: g)[.all, .step(2)]
        default: return Tensor.randn([rows, cols], generator: g)
        }
    }

    /// Checks `a·b` read as bfloat16 against float64: within float32 summation of the rounded operands (each
    /// element within 2⁻²²·k·Σ|aᵢₚ·bₚⱼ|), and within the error bfloat16 inputs imply against the unrounded
    /// product (2⁻⁸ relative per operand, plus the same summation term).
    static func expectMatchesReference(_ a: Tensor, _ b: Tensor, _ label: String) {
        let product = matmul(a, b)
        #expect(product.dtype == .float32, "\(label)")
        let rounded = matmul(a.to(.bfloat16).to(.float64), b.to(.bfloat16).to(.float64))
        let exact = matmul(a.to(.float64), b.to(.float64))
        let magnitude = matmul(a.to(.float64).abs(), b.to(.float64).abs()).elements(as: Double.self)
        let k = Double(a.shape[1])
        let values = product.elements(as: Double.self)
        for (index, (value, (near, far))) in zip(values, zip(rounded.elements(as: Double.self), exact.elements(as: Double.self))).enumerated() {
            let summation = 0x1p-22 * k * magnitude[index] + 1e-30
            guard Swift.abs(value - near) <= summation && Swift.abs(value - far) <= 0x1p-7 * magnitude[index] + summation
            else {
                Issue.record("\(label): element \(index) is \(value), float64 of the rounded operands \(near), of the exact ones \(far)")
                return
            }
        }
    }

    @Test func everyShapeAndLayoutMatchesFloat64OnEveryFamily() {
        for family in KernelFamily.runnable {
            KernelSettings.withFamily(family) {
                for (m, n, k, layout) in Self.shapes {
                    let a = Self.matrix(m, k, layout.first!, seed: UInt64(m * 1000 + k))
                    let b = Self.matrix(k, n, layout.last!, seed: UInt64(n * 1000 + k + 1))
                    // Both stored as bfloat16; and one of them float32, rounded as the product reads it.
                    for (left, right, kind) in [(a.to(.bfloat16), b.to(.bfloat16), "bfloat16"), (a.to(.bfloat16), b, "float32 B"),
                                                (a, b.to(.bfloat16), "float32 A")] {
                        Self.expectMatchesReference(left, right, "\(m)x\(k)·\(k)x\(n) \(layout) \(kind) on \(family)")
                    }
                }
            }
        }
    }

    @Test func threadCountsGiveTheSameBits() {
        for family in KernelFamily.runnable where family.hasBFloat16Products {
            KernelSettings.withFamily(family) {
                for (m, n, k) in [(300, 200, 260), (40, 700, 90), (1000, 64, 33)] {
                    let a = Tensor.randn([m, k]).to(.bfloat16), b = Tensor.randn([k, n])
                    let one = Parallelism.withThreadCount(1) { matmul(a, b) }.scalars
                    for threads in [2, 3] {
                        #expect(Parallelism.withThreadCount(threads) { matmul(a, b) }.scalars == one, "\(m)x\(k)·\(k)x\(n), \(threads) threads")
                    }
                }
            }
        }
    }

    @Test func batchedProductsAndGradientsFlowAsFloat32() {
        let x = Tensor.randn([2, 3, 5]).requiringGrad(), w = Tensor.randn([5, 4]).requiringGrad()
        let y = matmul(x.to(.bfloat16), w.to(.bfloat16))
        #expect(y.dtype == .float32 && y.shape == [2, 3, 4])
        let g = Tensor.randn([2, 3, 4])
        (y * g).sum().backward()
        // dx = g·(w as bfloat16)ᵀ and dw = Σ (x as bfloat16)ᵀ·g, each with g rounded to bfloat16 as it is read.
        let g16 = g.to(.bfloat16).to(.float64)
        let dx = matmul(g16, w.to(.bfloat16).to(.float64).transposed())
        let dw = matmul(x.to(.bfloat16).to(.float64).transposed(-1, -2), g16).sum(axis: 0)
        assertClose(x.grad!.to(.float64), dx, relative: 1e-5, absolute: 1e-5, "dx")
        assertClose(w.grad!.to(.float64), dw, relative: 1e-5, absolute: 1e-5, "dw")
        #expect(x.grad!.dtype == .float32 && w.grad!.dtype == .float32)
    }

    @Test func aNonFloatOperandStopsNamingBothDTypes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = matmul(Tensor.eye(2).to(.bfloat16), Tensor.eye(2, dtype: .float64))
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("matmul: a bfloat16 product takes bfloat16 or float32 operands, got bfloat16 and float64"))
    }
}
