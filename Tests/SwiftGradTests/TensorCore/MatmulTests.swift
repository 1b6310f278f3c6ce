import Dispatch
@testable import KernelsX86V4
import Testing
@testable import TensorCore

/// The AVX-512 family's GEMM driver, whose blocking decisions some tests pin.
typealias AVX512Driver = KernelsX86V4.LevelGEMM

/// `matmul` against PyTorch's fixtures and against a float64 reference, for every kernel family this
/// machine runs and for one and two threads.
@Suite(.serialized) struct MatmulTests {
    static let fixtureCases = ["seed_5x784_784x10", "one", "odd", "square64", "tall_skinny", "vector_row", "empty_k",
                               "batched", "broadcast_batch", "matrix_vector", "vector_matrix", "vector_vector"]

    /// Runs `body` with each runnable kernel family, scoped to this test (suites running beside it keep theirs).
    static func forEachKernel(_ body: (KernelFamily) -> Void) {
        for kernel in KernelFamily.distinctFloat32 {
            KernelSettings.withFamily(kernel) { body(kernel) }
        }
    }

    // Dot products up to 784 long in float32 in another order than PyTorch's: 1e-4 relative plus 1e-4
    // absolute (for outputs near zero).
    @Test(arguments: fixtureCases)
    func matchesPyTorchFixture(_ name: String) throws {
        let fixture = try Fixture("matmul")
        let entry = try #require(fixture.root[name] as? [String: Any])
        let a = try Fixture.tensor(entry["a"]!), b = try Fixture.tensor(entry["b"]!)
        let expected = try Fixture.tensor(entry["c"]!)
        Self.forEachKernel { kernel in
            assertClose(matmul(a, b), expected, relative: 1e-4, absolute: 1e-4, "\(name) with \(kernel)")
        }
    }

    @Test func transposedOperandsMatchPyTorchWithoutCopies() throws {
        let fixture = try Fixture("matmul")
        for (name, transposeA) in [("at_b", true), ("a_bt", false)] {
            let entry = try #require(fixture.root[name] as? [String: Any])
            let a = try Fixture.tensor(entry["a"]!), b = try Fixture.tensor(entry["b"]!)
            let expected = try Fixture.tensor(entry["c"]!)
            Self.forEachKernel { kernel in
                let product = transposeA ? a.transposed().matmul(b) : a.matmul(b.transposed())
                assertClose(product, expected, relative: 1e-4, absolute: 1e-4, "\(name) with \(kernel)")
            }
        }
    }

    /// Sizes 1 to 3 tiles, and around them, for every combination of transposed operands, against the same
    /// product in float64. 14×260×770 crosses the cache blocks (KC 256, NC 768) by a few rows and columns.
    /// 257×65×260 has too many rows to read a row-major B in place, so it packs B either way. With B stored
    /// transposed, the five from 3×257×5 take dot products: an odd number of rows and of columns past groups of
    /// four, and depths of whole vector pairs (256), an odd vector (272), and 1 or 15 steps past them. The next
    /// seven end their strips on narrower tiles: two or three vectors (32, 48, 25 and 45 columns), and whole
    /// vectors plus half a vector for the last few columns (56 = 48 + 8, 120 = 64 + 48 + 8, 40 = 32 + 8; 70×400
    /// with A stored transposed packs B). One column of C from an A stored transposed runs transposed.
    /// 257×300×70 packs a depth past KC as one block (`wholeDepth`).
    @Test(arguments: [(1, 1, 1), (6, 0, 5), (5, 1, 7), (7, 3, 17), (13, 9, 65), (19, 33, 130), (2, 300, 70),
                      (37, 21, 3), (64, 16, 129), (97, 101, 130), (14, 260, 770), (257, 65, 260),
                      (3, 257, 5), (8, 272, 9), (2, 303, 4), (1, 256, 33), (65, 512, 13),
                      (5, 7, 32), (11, 19, 48), (3, 8, 25), (9, 17, 56), (4, 5, 120), (70, 400, 45), (70, 400, 40),
                      (37, 21, 1), (257, 300, 70)])
    func matchesFloat64ReferenceOnEdgeSizes(_ size: (Int, Int, Int)) {
        let (m, k, n) = size
        // The AVX-512 family's decisions, compiled for AVX-512: asked only where the CPU has it.
        if KernelFamily.avx512.isSupportedByCPU {
            #expect(AVX512Driver.readsBInPlace(m: m, n: n, k: k, aRowsContiguous: true) == (m != 257))
        }
        let g = RandomGenerator(seed: UInt64(m * 10_000 + k * 100 + n))
        let a = Tensor.randn([m, k], generator: g), b = Tensor.randn([k, n], generator: g)
        let expected = a.to(.float64).matmul(b.to(.float64))
        let aT = a.transposed().contiguous().transposed(), bT = b.transposed().contiguous().transposed()
        Self.forEachKernel { kernel in
            ParallelismTests.forEachThreadCount([1, 2]) { threads in
                for (x, y) in [(a, b), (aT, b), (a, bT), (aT, bT)] {
                    assertClose(x.matmul(y), expected, relative: 1e-4, absolute: 1e-4,
                                "\(m)x\(k)x\(n) \(kernel) threads \(threads)")
                }
            }
        }
    }

    /// Every plan the GEMM makes, from its one planning function (the AVX-512 family's, where the CPU has it),
    /// and the product it runs right against float64 on that plan's threads, on every family: dot products whole
    /// and split by columns and by rows; B read in place and packed on one thread; B read in place by row blocks,
    /// by column blocks from the shared counter, and by columns of C; B packed by row blocks; A and B packed on
    /// one thread and with each packed block of B shared; one column of C from an A stored transposed, as the
    /// row Cᵀ = Bᵀ · Aᵀ, on one thread and two. (`T`: the operand stored transposed.)
    @Test(arguments: [
        ("1x784x1024T", 1, "dot products, 1 thread"), ("8x784x300T", 2, "dot products, 2 threads by columns of C"),
        ("300x600x20T", 2, "dot products, 2 threads by rows of C"), ("200x100x50", 1, "B read in place, 1 thread"),
        ("257x65x260", 1, "B packed, 1 thread"), ("1030Tx20x260", 2, "B read in place, 2 threads by rows of C"),
        ("20x300x300", 2, "B read in place, 2 threads taking blocks of B's columns"),
        ("5x1000x150", 2, "B read in place, 2 threads by columns of C"),
        ("140Tx600x140", 2, "B packed, 2 threads by rows of C"), ("1100Tx40x500", 1, "A and B packed, 1 thread"),
        ("1030Tx3x1100", 2, "A and B packed, 2 threads sharing each packed block of B"),
        ("50Tx200x1", 1, "as Cᵀ = Bᵀ·Aᵀ: B read in place, 1 thread"),
        ("1030Tx300x1", 2, "as Cᵀ = Bᵀ·Aᵀ: B read in place, 2 threads taking blocks of B's columns"),
    ])
    func eachPlanIsChosenAndRight(_ shape: String, _ threads: Int, _ plan: String) {
        let sizes = shape.split(separator: "x").map { String($0) }
        let (transposedA, transposedB) = (sizes[0].hasSuffix("T"), sizes[2].hasSuffix("T"))
        let (m, k, n) = (Int(sizes[0].filter(\.isNumber))!, Int(sizes[1])!, Int(sizes[2].filter(\.isNumber))!)
        let g = RandomGenerator(seed: UInt64(m * 7 + k * 5 + n))
        let a = transposedA ? Tensor.randn([k, m], generator: g).transposed() : Tensor.randn([m, k], generator: g)
        let b = transposedB ? Tensor.randn([n, k], generator: g).transposed() : Tensor.randn([k, n], generator: g)
        if KernelFamily.avx512.isSupportedByCPU {
            let chosen = KernelSettings.withFamily(.avx512) {
                Parallelism.withThreadCount(threads) { Tensor.productPlan(a, b).description }
            }
            #expect(chosen == plan, "\(shape) on \(threads) threads")
        }
        let expected = a.to(.float64).matmul(b.to(.float64))
        Self.forEachKernel { kernel in
            Parallelism.withThreadCount(threads) {
                assertClose(a.matmul(b), expected, relative: 1e-4, absolute: 1e-4, "\(shape) \(kernel) threads \(threads)")
            }
        }
    }

    /// Products on 1, 2 and 3 threads give the same bits, whichever path each part takes: 300×70 · 70×300, B
    /// packed on one thread and read in place by the column blocks of two; 1030×20 · 20×260 with A packed (Aᵀ
    /// stored 1030 wide), where two threads share each packed block of B; 66×13200 · 13200×20, B packed on one
    /// thread and read in place by the row blocks of two; 2×300 · 300×400, few flops but a B large enough to
    /// split by columns.
    @Test(arguments: [(300, 70, 300, true), (1030, 20, 260, false), (66, 13200, 20, true), (2, 300, 400, false)])
    func productsGiveTheSameBitsOnAnyThreadCount(_ size: (Int, Int, Int, Bool)) {
        let (m, k, n, packsOnOneThread) = size
        let transposedA = m > 1000
        if KernelFamily.avx512.isSupportedByCPU {
            #expect(AVX512Driver.readsBInPlace(m: m, n: n, k: k, aRowsContiguous: !transposedA) != packsOnOneThread)
        }
        let g = RandomGenerator(seed: UInt64(m + k + n))
        let a = transposedA ? Tensor.randn([k, m], generator: g).transposed() : Tensor.randn([m, k], generator: g)
        let b = Tensor.randn([k, n], generator: g)
        _ = Self.sameBitsOnOneToThreeThreads(a, b, "\(m)x\(k)x\(n)")
    }

    /// `a · b` on 1, 2 and 3 threads: checks each against float64 and the later ones' bits against the first,
    /// and returns the first.
    static func sameBitsOnOneToThreeThreads(_ a: Tensor, _ b: Tensor, _ label: String) -> [Float] {
        let expected = a.to(.float64).matmul(b.to(.float64))
        var first: [Float] = []
        ParallelismTests.forEachThreadCount { threads in
            let product = a.matmul(b)
            assertClose(product, expected, relative: 1e-4, absolute: 1e-4, "\(label) threads \(threads)")
            if threads == 1 { first = product.scalars } else { #expect(product.scalars == first, "\(label) threads \(threads)") }
        }
        return first
    }

    /// Dot products (B stored transposed) give the same bits on 1, 2 and 3 threads, split by columns
    /// (8×784 · 784×300) or by rows (300×600 · 600×20), and a row gives the same bits alone as in a product of
    /// many rows, whatever tile it falls in. 8×784 · 784×350 is large enough for its tiles to prefetch B on one
    /// thread and not on two or three: prefetching changes no bit.
    @Test(arguments: [(8, 784, 300), (300, 600, 20), (8, 784, 350)])
    func dotProductsGiveTheSameBitsOnAnyThreadCountAndBatch(_ size: (Int, Int, Int)) {
        let (m, k, n) = size
        let g = RandomGenerator(seed: UInt64(m + k + n))
        let a = Tensor.randn([m, k], generator: g), b = Tensor.randn([n, k], generator: g).transposed()
        if KernelFamily.avx512.isSupportedByCPU {
            #expect(AVX512Driver.prefersDotProducts(m: m, n: n, k: k))
            #expect((k * n >= AVX512Driver.streamedBElements) == (n == 350) && k * n / 2 < AVX512Driver.streamedBElements)
        }
        Self.forEachKernel { kernel in
            let first = Self.sameBitsOnOneToThreeThreads(a, b, "\(kernel)")
            for row in [0, m / 2, m - 1] {
                let alone = a[row].unsqueezed(axis: 0).matmul(b).scalars
                #expect(alone == Array(first[row * n..<(row + 1) * n]), "\(kernel) row \(row)")
            }
        }
    }

    /// Dot products read the last vector of a row whole and zero its lanes past the depth: NaN stored right after
    /// each row (the rest of a wider tensor) must not reach the result. Depths with a partial last vector after
    /// whole pairs (300), after one whole vector (275) and alone (5, a one-row product).
    @Test(arguments: [(4, 300, 9), (3, 275, 5), (1, 5, 7)])
    func dotProductsIgnoreWhatFollowsARow(_ size: (Int, Int, Int)) {
        let (m, k, n) = size
        let g = RandomGenerator(seed: UInt64(m * k * n))
        func rowsFollowedByNaN(_ rows: Int) -> Tensor {
            let values = Tensor.randn([rows, k], generator: g).scalars
            let wide = (0..<rows).flatMap { Array(values[$0 * k..<($0 + 1) * k]) + Array(repeating: .nan, count: 40) }
            return Tensor(shape: [rows, k + 40], scalars: wide)[.all, 0..<k]
        }
        let a = rowsFollowedByNaN(m), b = rowsFollowedByNaN(n).transposed()
        if KernelFamily.avx512.isSupportedByCPU { #expect(AVX512Driver.prefersDotProducts(m: m, n: n, k: k)) }
        let expected = a.contiguous().to(.float64).matmul(b.contiguous().to(.float64))
        Self.forEachKernel { kernel in
            assertClose(a.matmul(b), expected, relative: 1e-4, absolute: 1e-4, "\(m)x\(k)x\(n) \(kernel)")
        }
    }

    /// A product split by columns whose last part is one column wide (n = 2 tile widths + 1, for each family's
    /// width: 8, 16 or 64) gives the same bits as on one thread: the part must not take the dot-product path
    /// of a one-column product, which sums in another order.
    @Test(arguments: [17, 33, 129])
    func oneColumnPartsGiveTheSameBits(_ n: Int) {
        let (m, k) = (5, 11_000)
        let g = RandomGenerator(seed: UInt64(n))
        let a = Tensor.randn([m, k], generator: g), b = Tensor.randn([n, k], generator: g).transposed()
        Self.forEachKernel { kernel in
            let first = Parallelism.withThreadCount(1) { a.matmul(b).scalars }
            ParallelismTests.forEachThreadCount([2, 3]) { threads in
                let differing = zip(a.matmul(b).scalars, first).filter { $0 != $1 }.count
                #expect(differing == 0, "\(kernel) n = \(n), threads \(threads)")
            }
        }
    }

    /// Two threads multiplying at once: one gets the pool, the other computes alone; both are right.
    @Test func concurrentProductsFromTwoThreads() {
        let g = RandomGenerator(seed: 8)
        let a = Tensor.randn([200, 70], generator: g).scalars, b = Tensor.randn([70, 300], generator: g).scalars
        let expected = Tensor(shape: [200, 70], scalars: a).matmul(Tensor(shape: [70, 300], scalars: b)).scalars
        let results = Locked<[[Float]]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            let (x, y) = (Tensor(shape: [200, 70], scalars: a), Tensor(shape: [70, 300], scalars: b))
            let product = (0..<5).map { _ in x.matmul(y) }.last!
            results.withLock { $0.append(product.scalars) }
        }
        #expect(results.withLock { $0.count } == 4)
        for result in results.withLock({ $0 }) { #expect(result == expected) }
    }

    @Test func stridedSlicesAndBroadcastBatches() {
        let g = RandomGenerator(seed: 5)
        let big = Tensor.randn([3, 20, 30], generator: g)
        let a = big[.all, .step(2), 1..<25]          // [3, 10, 24], non-unit strides
        let b = Tensor.randn([1, 24, 7], generator: g) // broadcast over the batch
        let expected = a.to(.float64).matmul(b.to(.float64))
        #expect(expected.shape == [3, 10, 7])
        Self.forEachKernel { kernel in
            assertClose(a.matmul(b), expected, relative: 1e-4, absolute: 1e-4, "\(kernel)")
        }
    }

    @Test func mismatchNamesBothShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros(5, 784).matmul(Tensor.zeros(100, 10))
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("matmul: [5, 784] and [100, 10] do not line up (784 != 100)"))
    }
}

/// `ProductTimer` (behind `swiftgrad bench train-step`) counts the flops of this task's products and only those:
/// 2·m·n·k for a matmul, 2·N·O·outH·outW·C·kh·kw for each of a convolution's three products.
@Suite struct ProductTimerTests {
    @Test func countsEachProductsFlops() {
        let (a, b) = (Tensor.randn([3, 5]), Tensor.randn([5, 4]))
        let product = ProductTimer.measuring { _ = a.matmul(b) }
        #expect(product.flops == 2 * 3 * 5 * 4)
        #expect(product.seconds > 0)
        let x = Tensor.randn([2, 3, 6, 6]).requiringGrad(), weight = Tensor.randn([4, 3, 3, 3]).requiringGrad()
        let convolution = ProductTimer.measuring { conv2d(x, weight, padding: 1).sum().backward() }
        #expect(convolution.flops == 3 * 2 * 2 * 4 * 36 * 27)
        #expect(ProductTimer.measuring { _ = (a + 1).exp() }.flops == 0)
    }

    /// Each shape is counted with its calls, in `swiftgrad bench gemm --sizes` form: a linear layer's weight is
    /// B stored transposed; its backward pass multiplies the output's gradient by the weight (`g · W`) and the
    /// gradient transposed by the input (`gᵀ · x`, computed transposed to land in the weight's layout); a
    /// convolution's products are one per image, in the windows' layout.
    @Test func countsEachShapeWithItsCalls() {
        let x = Tensor.randn([6, 5]).requiringGrad(), weight = Tensor.randn([3, 5]).requiringGrad()
        let upstream = Tensor.randn([6, 3])
        let linear = ProductTimer.measuring {
            for _ in 0..<2 { (TensorCore.linear(x, weight: weight) * upstream).sum().backward() }
        }
        #expect(Dictionary(uniqueKeysWithValues: linear.shapes.map { ($0.key.sizeText, $0.value.calls) })
                == ["6x5x3T": 2, "6x3x5": 2, "3Tx6x5": 2])
        #expect(linear.shapes.keys.map { $0.kind.rawValue }.sorted() == ["linear", "matmul", "matmul"])
        #expect(abs(linear.shapes.values.map { $0.seconds }.reduce(0, +) - linear.seconds) < 1e-9)
        let image = Tensor.randn([2, 3, 6, 6]).requiringGrad(), filters = Tensor.randn([4, 3, 3, 3]).requiringGrad()
        let convolution = ProductTimer.measuring { conv2d(image, filters, padding: 1).sum().backward() }
        #expect(Set(convolution.shapes.keys.map { "\($0.kind.rawValue) \($0.sizeText) ×\($0.count)" })
                == ["conv2d 4x27x36 ×2", "conv2d input gradient 27Tx4x36 ×2", "conv2d weight gradient 27x36x4T ×2"])
        // Under autocast a linear layer is a bfloat16 product, then its bias: timed all the same.
        let mixed = ProductTimer.measuring {
            withAutocast { (TensorCore.linear(x, weight: weight) * upstream).sum() }.backward()
        }
        #expect(Dictionary(uniqueKeysWithValues: mixed.shapes.map { ($0.key.sizeText, $0.value.calls) })
                == ["6x5x3T": 1, "6x3x5": 1, "3Tx6x5": 1])
    }
}

/// The GEMM's epilogue (a bias per column and ReLU, applied to each tile as it is stored) gives the bits of the
/// product followed by the bias and ReLU, on every path of every kernel family, on one and two threads: dot
/// products (few rows and a long depth, B stored transposed), B read in place, packed B, A packed (a strided
/// view), column blocks, depth blocks (k past 256), edge tiles, k = 0 and 1, and C added to.
@Suite struct GEMMEpilogueTests {
    @Test(arguments: [(5, 300, 21), (3, 1, 17), (7, 0, 9), (40, 70, 130), (70, 300, 100), (257, 40, 200),
                      (13, 520, 40), (6, 50, 40), (9, 30, 48)])
    func epilogueIsTheProductThenBiasAndActivation(_ size: (Int, Int, Int)) {
        let (m, k, n) = size
        let generator = RandomGenerator(seed: 9)
        let a = Tensor.randn([m, 2 * k], generator: generator), b = Tensor.randn([k, n], generator: generator)
        let bTransposed = b.transposed().contiguous(), bias = Tensor.randn([n], generator: generator)
        let start = Tensor.randn([m, n], generator: generator)
        for kernel in KernelFamily.distinctFloat32 {
            for threads in [1, 2] {
                for (layout, strided, transposed) in [("A rows, B rows", false, false), ("B transposed", false, true),
                                                      ("A strided", true, false)] {
                    for (accumulate, activation) in [(false, Activation.relu), (true, .identity), (true, .relu),
                                                     (false, .gelu), (true, .geluTanh)] {
                        let aView = MatrixView(base: a.pointer(Float.self), rowStride: 2 * k, colStride: strided ? 2 : 1)
                        let bView = transposed ? MatrixView(base: bTransposed.pointer(Float.self), rowStride: 1, colStride: k)
                            : MatrixView(base: b.pointer(Float.self), rowStride: n, colStride: 1)
                        let epilogue = GEMMEpilogue(bias: UnsafePointer(bias.pointer(Float.self)), activation: activation)
                        let (expected, fused) = (start.contiguous().detached() + 0, start.contiguous().detached() + 0)
                        Parallelism.withThreadCount(threads) {
                            let kernels = Kernels.kernels(for: kernel)
                            kernels.gemm(m: m, n: n, k: k, a: aView, b: bView, c: expected.pointer(Float.self), ldc: n,
                                         accumulate: accumulate, epilogue: .none, threads: threads)
                            kernels.gemm(m: m, n: n, k: k, a: aView, b: bView, c: fused.pointer(Float.self), ldc: n,
                                         accumulate: accumulate, epilogue: epilogue, threads: threads)
                        }
                        // The same bits as the family's elementwise op gives the biased product.
                        let biased = expected + bias, want = Tensor(uninitializedShape: [m, n], dtype: .float32)
                        let op: UnaryOp = switch activation {
                        case .identity: .copy
                        case .relu: .relu
                        case .gelu: .gelu(.none)
                        case .geluTanh: .gelu(.tanh)
                        }
                        Kernels.kernels(for: kernel).unary(op, .float32, shape: [m, n], out: want.rawPointer,
                                                           outStrides: want.strides, a: biased.rawPointer,
                                                           aStrides: biased.strides)
                        let (reference, got) = (want.pointer(Float.self), fused.pointer(Float.self))
                        let differing = (0..<(m * n)).filter { reference[$0].bitPattern != got[$0].bitPattern }.count
                        #expect(differing == 0, "\(size) \(kernel) \(threads) threads, \(layout), accumulate \(accumulate), \(activation)")
                    }
                }
            }
        }
    }
}

/// `linear` against the ops it replaces (`matmul` with the weight transposed, `+ bias`, `relu`) in float32, on
/// 1-d, 2-d and 3-d inputs, with and without a bias, with every activation, on a shape that takes dot products
/// (long depth, few columns) and one that takes tiles: the output and the gradients of input, weight and bias
/// agree to float rounding (1e-6 relative, 1e-6 absolute).
@Suite struct LinearOpTests {
    @Test(arguments: [([7], 5, true), ([9, 6], 20, true), ([2, 3, 600], 10, false), ([33, 40], 70, true)])
    func linearIsTheOpsInTurn(_ inputShape: [Int], _ outFeatures: Int, _ hasBias: Bool) {
        let generator = RandomGenerator(seed: 4)
        let inFeatures = inputShape.last!
        let x = Tensor.randn(inputShape, generator: generator), weight = Tensor.randn([outFeatures, inFeatures], generator: generator)
        let bias = hasBias ? Tensor.randn([outFeatures], generator: generator) : nil
        let outGradient = Tensor.randn(Array(inputShape.dropLast()) + [outFeatures], generator: generator)
        for activation in [Activation.identity, .relu, .gelu, .geluTanh] {
            var results: [[Tensor]] = []
            for fused in [false, true] {
                let (input, w, b) = (x.detached().requiringGrad(), weight.detached().requiringGrad(),
                                     bias?.detached().requiringGrad())
                let y: Tensor
                if fused {
                    y = linear(input, weight: w, bias: b, activation: activation)
                } else {
                    let product = input.matmul(w.transposed()), biased = b.map { product + $0 } ?? product
                    y = biased.activated(activation)
                }
                (y * outGradient).sum().backward()
                results.append([y, input.grad!, w.grad!] + (b.map { [$0.grad!] } ?? []))
            }
            for (index, (unfused, fused)) in zip(results[0], results[1]).enumerated() {
                assertClose(fused, unfused, relative: 1e-6, absolute: 1e-6, "\(inputShape) \(activation) tensor \(index)")
            }
        }
    }

    /// Views are read through their strides: a weight stored in-by-out and passed transposed (the lesson's
    /// `x · w`), and an input that is every other column of a wider matrix, give what their contiguous copies give.
    @Test func viewsAreReadThroughTheirStrides() {
        let generator = RandomGenerator(seed: 6)
        let wide = Tensor.randn([9, 40], generator: generator), stored = Tensor.randn([20, 7], generator: generator)
        let bias = Tensor.randn([7], generator: generator)
        let input = wide[.all, .step(2)]
        let expected = linear(input.contiguous(), weight: stored.transposed().contiguous(), bias: bias, activation: .relu)
        assertClose(linear(input, weight: stored.transposed(), bias: bias, activation: .relu), expected,
                    relative: 1e-6, absolute: 1e-6)
    }

    /// No input features: the product is empty, so each row of the output is the bias (through the activation),
    /// as `matmul` then `+ bias` gives it.
    @Test func noInputFeaturesGiveTheBias() {
        let bias = Tensor([-1, 2, 0.5])
        let y = linear(Tensor.zeros(2, 4, 0), weight: Tensor.zeros(3, 0), bias: bias, activation: .relu)
        assertClose(y, shape: [2, 4, 3], Array(repeating: [0, 2, 0.5], count: 8).flatMap { $0 })
    }

    @Test func mismatchedWeightStopsNamingTheShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = linear(Tensor.zeros(2, 3), weight: Tensor.zeros(4, 5))
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("linear: input [2, 3] does not match weight [4, 5] ([out, in])"))
    }
}
