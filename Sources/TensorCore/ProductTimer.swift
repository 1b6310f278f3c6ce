import Foundation
import KernelSupport
import Synchronization

/// One kind of matrix product as a step runs it: the GEMM's m×k · k×n, which operands it reads stored transposed
/// (column by column), and how many such products one call runs (a convolution runs one per image and group).
package struct ProductShape: Hashable, Sendable {
    /// The operation that ran the products.
    package enum Kind: String, Sendable {
        case matmul, linear
        case convolution = "conv2d"
        case convolutionInputGradient = "conv2d input gradient"
        case convolutionWeightGradient = "conv2d weight gradient"
    }

    package let kind: Kind
    package let m: Int, k: Int, n: Int
    package let transposedA: Bool, transposedB: Bool
    /// Products of this shape per call.
    package let count: Int

    package init(_ kind: Kind, m: Int, k: Int, n: Int, transposedA: Bool, transposedB: Bool, count: Int = 1) {
        (self.kind, self.m, self.k, self.n, self.count) = (kind, m, k, n, count)
        (self.transposedA, self.transposedB) = (transposedA, transposedB)
    }

    /// One product of `a` (m×k) and `b` (k×n), each transposed where it is stored column by column.
    init(_ kind: Kind, m: Int, k: Int, n: Int, a: MatrixView, b: MatrixView) {
        self.init(kind, m: m, k: k, n: n, aStrides: (a.rowStride, a.colStride), bStrides: (b.rowStride, b.colStride))
    }

    /// A product of operands with these (row, column) strides: stored transposed where the rows are contiguous.
    init(_ kind: Kind, m: Int, k: Int, n: Int, aStrides: (row: Int, column: Int), bStrides: (row: Int, column: Int)) {
        self.init(kind, m: m, k: k, n: n, transposedA: aStrides.row == 1 && aStrides.column != 1,
                  transposedB: bStrides.row == 1 && bStrides.column != 1)
    }

    /// The products of one image-by-image convolution call: the forward pass multiplies the weight
    /// `[O/groups, C/groups·kh·kw]` by each image's windows; the input's gradient multiplies the weight transposed
    /// by the output's gradient; the weight's, the windows by the output's gradient transposed.
    init(_ kind: Kind, geometry g: WindowGeometry, groups: Int, outChannels: Int) {
        let (outputs, depth) = (outChannels / groups, g.channels / groups * g.kernelHeight * g.kernelWidth)
        let (pixels, count) = (g.outHeight * g.outWidth, g.batch * groups)
        switch kind {
        case .convolutionInputGradient:
            self.init(kind, m: depth, k: outputs, n: pixels, transposedA: true, transposedB: false, count: count)
        case .convolutionWeightGradient:
            self.init(kind, m: depth, k: pixels, n: outputs, transposedA: false, transposedB: true, count: count)
        default:
            self.init(kind, m: outputs, k: depth, n: pixels, transposedA: false, transposedB: false, count: count)
        }
    }

    /// The flops of one call: 2·m·k·n per product.
    package var flops: Int { 2 * m * k * n * count }

    /// The shape as `swiftgrad bench gemm --sizes` reads it: `MxKxN`, with `T` after M or N for an operand stored
    /// transposed (`256x784x1024T`: a 256×784 input times a `[1024, 784]` weight, transposed).
    package var sizeText: String { "\(m)\(transposedA ? "T" : "")x\(k)x\(n)\(transposedB ? "T" : "")" }
}

/// What ``ProductTimer/measuring(_:)`` counted: the products' total time and flops, and each shape's calls and
/// time.
package struct ProductTally: Sendable {
    package var seconds = 0.0, flops = 0.0
    package var shapes: [ProductShape: (calls: Int, seconds: Double)] = [:]
}

/// Time and flops spent in matrix products (float32 GEMMs and convolutions, forward and backward), shape by shape,
/// for `swiftgrad bench train-step`'s split of a training step into products and everything else and `swiftgrad
/// bench gemm --shapes`'s products of a model's step. It counts the products a task runs inside ``measuring(_:)``
/// (other tasks' are not counted); outside one, a product costs one atomic load more.
package enum ProductTimer {
    /// The tally of one ``measuring(_:)``, shared by the threads whose products it counts.
    private final class Totals: Sendable {
        let tally = Mutex(ProductTally())
    }

    private static let totals = ScopedOverride<Totals>()

    /// Runs `body` (one step, or several) and returns the time and flops its products took.
    package static func measuring(_ body: () -> Void) -> ProductTally {
        let running = Totals()
        totals.withValue(running, body)
        return running.tally.withLock { $0 }
    }

    /// Runs one call's products, timed inside ``measuring(_:)``.
    @inline(__always)
    static func time(_ shape: ProductShape, _ product: () -> Void) {
        guard let running = totals.current else { return product() }
        let start = DispatchTime.now().uptimeNanoseconds
        product()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        running.tally.withLock { tally in
            tally.seconds += seconds
            tally.flops += Double(shape.flops)
            let (calls, total) = tally.shapes[shape] ?? (0, 0)
            tally.shapes[shape] = (calls + 1, total + seconds)
        }
    }
}
