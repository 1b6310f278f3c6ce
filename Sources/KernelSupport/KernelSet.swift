// What a kernel level offers: every hot loop of SwiftGrad, as entry points that TensorCore (and the optimizers)
// call through `Kernels.active`, the family chosen for this CPU at start-up. Each of `KernelsX86V4`,
// `KernelsX86V3` and `KernelsBaseline` compiles the same source (`Sources/Kernels`) with its own instruction set
// and conforms its `LevelKernels` to this protocol.

/// A float32 matrix in memory: element (i, j) at `base[i·rowStride + j·colStride]`. Transposed and strided
/// views are just other strides; nothing is copied before packing.
package struct MatrixView {
    package let base: UnsafePointer<Float>
    package let rowStride: Int
    package let colStride: Int

    package init(base: UnsafePointer<Float>, rowStride: Int, colStride: Int) {
        self.base = base
        self.rowStride = rowStride
        self.colStride = colStride
    }

    /// The matrix from row `start` on.
    package func rows(from start: Int) -> MatrixView {
        MatrixView(base: base + start * rowStride, rowStride: rowStride, colStride: colStride)
    }

    /// The matrix from column `start` on.
    package func columns(from start: Int) -> MatrixView {
        MatrixView(base: base + start * colStride, rowStride: rowStride, colStride: colStride)
    }

    /// The same elements with rows and columns swapped.
    package var transposed: MatrixView { MatrixView(base: base, rowStride: colStride, colStride: rowStride) }
}

/// What a matrix product does to each element of C as it stores it: `C[i, j] = activation(A·B[i, j] (+ C[i, j])
/// + bias[j])`, while the tile is still in registers (oneDNN's post-ops, cuBLASLt's epilogues): a linear layer's
/// bias and activation without a pass of their own over the output.
package struct GEMMEpilogue {
    /// `[n]`: added to each row of C, or nil.
    package var bias: UnsafePointer<Float>?
    /// The function applied after the bias.
    package var activation: Activation

    /// A bias and an activation.
    package init(bias: UnsafePointer<Float>?, activation: Activation) {
        self.bias = bias
        self.activation = activation
    }

    /// C stored as computed.
    package static var none: GEMMEpilogue { GEMMEpilogue(bias: nil, activation: .identity) }
}

/// An elementwise function of one tensor.
package enum UnaryOp: Sendable {
    case copy, negate, exp, log, sqrt, abs, relu, sigmoid, tanh
    /// GELU, exact (x·Φ(x)) or with PyTorch's tanh approximation.
    case gelu(GELUApproximation)
    case power(Double)
    case clamp(min: Double, max: Double)
}

/// An elementwise function of two broadcast tensors.
package enum BinaryOp: Sendable {
    case add, subtract, multiply, divide, power, maximum, minimum
    /// x where y > 0, else 0: the backward pass of `relu` in one pass (PyTorch's `threshold_backward`).
    case passWherePositive
    /// x where min ≤ y ≤ max, else 0 (NaN too): the backward pass of `clamp` in one pass (PyTorch's
    /// `clamp_backward`).
    case passWithin(min: Double, max: Double)
    /// x·gelu′(y): the backward pass of `gelu` in one pass (PyTorch's `gelu_backward`).
    case geluGradient(GELUApproximation)
}

/// How two elements compare (`.==`, `.<`, …).
package enum Comparison: Sendable {
    case equal, notEqual, less, lessEqual, greater, greaterEqual

    @inline(__always)
    package func holds<T: Comparable>(_ x: T, _ y: T) -> Bool {
        switch self {
        case .equal: return x == y
        case .notEqual: return x != y
        case .less: return x < y
        case .lessEqual: return x <= y
        case .greater: return x > y
        case .greaterEqual: return x >= y
        }
    }
}

/// A reduction along one axis.
package enum ReduceOp: Sendable {
    case sum, max, min
}

/// The settings of one SGD step, as `torch.optim.SGD` takes them.
package struct SGDSettings: Sendable {
    package var learningRate: Float, momentum: Float, dampening: Float, nesterov: Bool, weightDecay: Float

    package init(learningRate: Float, momentum: Float, dampening: Float, nesterov: Bool, weightDecay: Float) {
        (self.learningRate, self.momentum, self.dampening) = (learningRate, momentum, dampening)
        (self.nesterov, self.weightDecay) = (nesterov, weightDecay)
    }
}

/// The constants of one Adam or AdamW step, worked out once per step from its settings and the step count.
package struct AdamSettings: Sendable {
    /// learningRate / (1 − β₁ᵗ).
    package var stepSize: Float
    /// 1 − β₁, β₂ and 1 − β₂, from double-precision betas as PyTorch computes them.
    package var keep1: Float, beta2: Float, keep2: Float
    /// √(1 − β₂ᵗ).
    package var correction2Root: Float
    package var epsilon: Float
    /// 1 − learningRate·weightDecay for AdamW's decoupled decay (1 without it), and Adam's L2 coefficient.
    package var shrink: Float, l2: Float

    package init(stepSize: Float, keep1: Float, beta2: Float, keep2: Float, correction2Root: Float, epsilon: Float,
                 shrink: Float, l2: Float) {
        (self.stepSize, self.keep1, self.beta2, self.keep2) = (stepSize, keep1, beta2, keep2)
        (self.correction2Root, self.epsilon, self.shrink, self.l2) = (correction2Root, epsilon, shrink, l2)
    }
}

/// The kernels of one instruction-set level. Pointers are raw and typed by `dtype` (float32 or float64), so
/// that each level's entry points are plain functions, specialised inside the level for both types.
package protocol KernelSet {
    /// The family these kernels are.
    static var family: KernelFamily { get }

    /// C = A·B (or C += A·B) for float32 matrices, then `epilogue` on each element as it is stored: C is m×n,
    /// contiguous with row stride `ldc`.
    static func gemm(m: Int, n: Int, k: Int, a: MatrixView, b: MatrixView, c: UnsafeMutablePointer<Float>, ldc: Int,
                     accumulate: Bool, epilogue: GEMMEpilogue, threads: Int)

    /// How ``gemm(m:n:k:a:b:c:ldc:accumulate:epilogue:threads:)`` runs a product of these operands (only their
    /// strides are read) on `threads` threads.
    static func gemmPlan(m: Int, n: Int, k: Int, a: MatrixView, b: MatrixView, threads: Int) -> GEMMPlan

    /// Writes `op(a)` into `out`, both of `shape`, each read through its own strides.
    static func unary(_ op: UnaryOp, _ dtype: DType, shape: [Int], out: UnsafeMutableRawPointer, outStrides: [Int],
                      a: UnsafeRawPointer, aStrides: [Int])

    /// Writes `op(a, b)` into `out`; `a` and `b` are read through strides broadcast to `shape`.
    static func binary(_ op: BinaryOp, _ dtype: DType, shape: [Int], out: UnsafeMutableRawPointer, outStrides: [Int],
                       a: UnsafeRawPointer, aStrides: [Int], b: UnsafeRawPointer, bStrides: [Int])

    /// Writes whether `comparison` holds for each pair of `a` and `b` (of `dtype`) into `out` as bytes (1 or 0), all
    /// three read through strides broadcast to `shape`.
    static func compare(_ comparison: Comparison, _ dtype: DType, shape: [Int], out: UnsafeMutableRawPointer,
                        outStrides: [Int], a: UnsafeRawPointer, aStrides: [Int], b: UnsafeRawPointer, bStrides: [Int])

    /// Writes `condition ? a : b` into `out` (`condition` a bool tensor's bytes, `a`, `b` and `out` of `dtype`), all
    /// four read through strides broadcast to `shape`.
    static func select(_ dtype: DType, shape: [Int], out: UnsafeMutableRawPointer, outStrides: [Int],
                       condition: UnsafeRawPointer, conditionStrides: [Int], a: UnsafeRawPointer, aStrides: [Int],
                       b: UnsafeRawPointer, bStrides: [Int])

    /// Adds `source` into `out` position by position, so that positions of `out` that share an element add up.
    static func scatterAdd(_ dtype: DType, shape: [Int], out: UnsafeMutableRawPointer, outStrides: [Int],
                           source: UnsafeRawPointer, sourceStrides: [Int])

    /// Reduces a contiguous `[outer, length, inner]` block along its middle axis into `dst` `[outer, inner]`.
    static func reduce(_ op: ReduceOp, _ dtype: DType, src: UnsafeRawPointer, outer: Int, length: Int, inner: Int,
                       dst: UnsafeMutableRawPointer)

    /// The position of the first maximum (or minimum) along the middle axis, as a number.
    static func argReduce(largest: Bool, _ dtype: DType, src: UnsafeRawPointer, outer: Int, length: Int, inner: Int,
                          dst: UnsafeMutableRawPointer)

    /// Softmax (or log-softmax) along the middle axis of a contiguous `[outer, length, inner]` block.
    static func softmax(log: Bool, _ dtype: DType, src: UnsafeRawPointer, outer: Int, length: Int, inner: Int,
                        dst: UnsafeMutableRawPointer)

    /// One SGD step of elements `range` of a parameter `p` from its gradient `g` and momentum buffer `b` (nil
    /// without momentum; `first` on the buffer's first step).
    static func sgdUpdate(_ range: Range<Int>, p: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>,
                          b: UnsafeMutablePointer<Float>?, first: Bool, settings: SGDSettings)

    /// One Adam step of elements `range` of a parameter `p` from its gradient `g` and moments `m` and `v`.
    static func adamUpdate(_ range: Range<Int>, p: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>,
                           m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, settings: AdamSettings)

    /// im2col by tap: row (c, ky, kx) of image n's block of `columns` `[N, channels.count·kh·kw, outH·outW]` holds
    /// that tap of every output pixel over input channel c of `channels`, zero where it reaches into the padding.
    static func unfold(_ dtype: DType, input: UnsafeRawPointer, geometry: WindowGeometry, channels: Range<Int>,
                       columns: UnsafeMutableRawPointer)

    /// col2im, the gradient of ``unfold(_:input:geometry:channels:columns:)``: adds each element of `columns`
    /// to the input position it was read from (positions in the padding are dropped).
    static func fold(_ dtype: DType, columns: UnsafeRawPointer, geometry: WindowGeometry, channels: Range<Int>,
                     input: UnsafeMutableRawPointer)

    /// A float32 2-d convolution, `out` `[N, O, outH, outW]` = the windows of `geometry` over `input`
    /// `[N, C, H, W]` times `weight` `[O, C/groups, kh, kw]`, plus `bias` `[O]`, then `activation` (applied as the
    /// product stores each tile), in `groups` independent groups of channels. All contiguous. With `bfloat16`, its
    /// products read their operands as bfloat16 (mixed precision), the activation applied after each product.
    static func convolution(input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                            activation: Activation, geometry: WindowGeometry, groups: Int, outChannels: Int,
                            out: UnsafeMutablePointer<Float>, bfloat16: (any BFloat16Products.Type)?)

    /// The gradient of the convolution's input from the output's `gradient` `[N, O, outH, outW]`, written into
    /// `input` `[N, C, H, W]`; on `bfloat16`'s products where given.
    static func convolutionInputGradient(gradient: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                         geometry: WindowGeometry, groups: Int, outChannels: Int,
                                         input: UnsafeMutablePointer<Float>, bfloat16: (any BFloat16Products.Type)?)

    /// The gradient of the convolution's weight from the output's `gradient` `[N, O, outH, outW]`, written into
    /// `weight` `[O, C/groups, kh, kw]`; on `bfloat16`'s products where given.
    static func convolutionWeightGradient(input: UnsafePointer<Float>, gradient: UnsafePointer<Float>,
                                          geometry: WindowGeometry, groups: Int, outChannels: Int,
                                          weight: UnsafeMutablePointer<Float>, bfloat16: (any BFloat16Products.Type)?)

    /// Products of bfloat16 operands as this level runs them without a bfloat16 instruction: the operands rounded
    /// to bfloat16, then its float32 GEMM.
    static var roundedBFloat16Products: any BFloat16Products.Type { get }

    /// Max pooling (padding counts as −∞): `out` `[N, C, outH, outW]` and, for each, the position in its input
    /// plane (`y·W + x`) of the first largest element (or the last NaN), as PyTorch picks it.
    static func maxPool(_ dtype: DType, input: UnsafeRawPointer, geometry: WindowGeometry, out: UnsafeMutableRawPointer,
                        indices: UnsafeMutablePointer<Int32>)

    /// The gradient of ``maxPool(_:input:geometry:out:indices:)``: each output's gradient added at its index.
    static func maxPoolBackward(_ dtype: DType, gradient: UnsafeRawPointer, indices: UnsafePointer<Int32>,
                                geometry: WindowGeometry, input: UnsafeMutableRawPointer)

    /// Batch norm's statistics of a contiguous `[N, C, M]` input: each channel's mean and biased variance over its
    /// N·M values (summed in double precision), written into `mean` and `variance` `[C]`.
    static func channelStatistics(_ dtype: DType, input: UnsafeRawPointer, shape: (n: Int, c: Int, m: Int),
                                  mean: UnsafeMutableRawPointer, variance: UnsafeMutableRawPointer)

    /// `y = input · scale[c] + shift[c]` over a contiguous `[N, C, M]` input, then `epilogue` (ReLU, and max
    /// pooling with its positions in `indices`), in one pass: `out` is `[N, C, M]`, or `[N, C, outH·outW]` pooled.
    static func channelAffine(_ dtype: DType, input: UnsafeRawPointer, shape: (n: Int, c: Int, m: Int),
                              scale: UnsafeRawPointer, shift: UnsafeRawPointer, epilogue: ChannelEpilogue,
                              out: UnsafeMutableRawPointer, indices: UnsafeMutablePointer<Int32>?)

    /// Batch norm's backward pass in training mode over a contiguous `[N, C, M]` input, `gradient` being that of
    /// ``channelAffine(_:input:shape:scale:shift:epilogue:out:indices:)``'s output with the same `scale`, `shift`,
    /// `epilogue` and `indices`, and `output` that output (read for ReLU's mask under a max pool: a window's output
    /// is positive exactly where y is at the position it picked). With g the gradient at y and x̂ = (x − mean)·invstd: `sumGradient[c]` = Σ g,
    /// `sumGradientXhat[c]` = Σ g·x̂, and `inputGradient` = scale·(g − Σg/n − x̂·Σg·x̂/n), where scale =
    /// weight·invstd (n = N·M).
    static func batchNormBackward(_ dtype: DType, input: UnsafeRawPointer, gradient: UnsafeRawPointer,
                                  shape: (n: Int, c: Int, m: Int), mean: UnsafeRawPointer, invstd: UnsafeRawPointer,
                                  scale: UnsafeRawPointer, shift: UnsafeRawPointer, epilogue: ChannelEpilogue,
                                  output: UnsafeRawPointer, indices: UnsafePointer<Int32>?,
                                  inputGradient: UnsafeMutableRawPointer,
                                  sumGradient: UnsafeMutableRawPointer, sumGradientXhat: UnsafeMutableRawPointer)

    /// Layer norm over the last axis of a contiguous `[rows, width]` input: `out` = (x − mean)·rstd·weight + bias
    /// (weight and bias `[width]`, each optional), with each row's mean and rstd = 1/√(biased variance + ε) written
    /// to `mean` and `rstd` `[rows]` for the backward pass.
    static func layerNorm(_ dtype: DType, input: UnsafeRawPointer, rows: Int, width: Int, weight: UnsafeRawPointer?,
                          bias: UnsafeRawPointer?, epsilon: Double, out: UnsafeMutableRawPointer,
                          mean: UnsafeMutableRawPointer, rstd: UnsafeMutableRawPointer)

    /// Layer norm's backward pass from the output's `gradient` `[rows, width]`: the input's gradient, and the
    /// weight's (Σ g·x̂) and bias's (Σ g) over the rows, each written where a pointer is given.
    static func layerNormBackward(_ dtype: DType, input: UnsafeRawPointer, gradient: UnsafeRawPointer, rows: Int,
                                  width: Int, mean: UnsafeRawPointer, rstd: UnsafeRawPointer, weight: UnsafeRawPointer?,
                                  inputGradient: UnsafeMutableRawPointer?, weightGradient: UnsafeMutableRawPointer?,
                                  biasGradient: UnsafeMutableRawPointer?)

    /// Fused scaled dot-product attention (flash attention's schedule): blocks of queries against blocks of keys,
    /// the softmax kept online (a running maximum and sum per query), so no `[queries, keys]` matrix is ever
    /// stored. `q`, `k` and `v` are read through the problem's layouts; writes `out` `[batch, queries, valueDepth]`
    /// and each query's log Σ e^(score) `logSumExp` `[batch, queries]` (+∞ for a query that sees no key, whose
    /// output is 0), both contiguous.
    static func attention(_ dtype: DType, _ problem: AttentionProblem, q: UnsafeRawPointer, k: UnsafeRawPointer,
                          v: UnsafeRawPointer, out: UnsafeMutableRawPointer, logSumExp: UnsafeMutableRawPointer,
                          threads: Int)

    /// The backward pass of ``attention(_:_:q:k:v:out:logSumExp:threads:)``, recomputing the attention weights
    /// block by block from `logSumExp`: writes the gradients of q, k and v (contiguous) from the output's
    /// contiguous `outGradient`.
    static func attentionBackward(_ dtype: DType, _ problem: AttentionProblem, q: UnsafeRawPointer, k: UnsafeRawPointer,
                                  v: UnsafeRawPointer, out: UnsafeRawPointer, logSumExp: UnsafeRawPointer,
                                  outGradient: UnsafeRawPointer, qGradient: UnsafeMutableRawPointer,
                                  kGradient: UnsafeMutableRawPointer, vGradient: UnsafeMutableRawPointer, threads: Int)

    /// e^x, ln x and tanh x of one float, with the same bits as the elementwise ops give.
    static func exp(_ x: Float) -> Float
    static func log(_ x: Float) -> Float
    static func tanh(_ x: Float) -> Float

    /// The most GFLOPS this level's multiply-accumulate reaches on `threads` cores (see ``KernelFamily/peakGFLOPS(threads:)``).
    static func peakGFLOPS(threads: Int, steps: Int) -> Double
}

/// What follows a per-channel affine map (batch norm's normalisation) in the same pass over memory.
package enum ChannelEpilogue: Sendable {
    /// The affine map alone.
    case none
    /// ReLU (`y < 0 ? 0 : y`, keeping NaN).
    case relu
    /// ReLU, then max pooling over the windows of `geometry` (its batch and channels those of the `[N, C, M]`
    /// input, its height × width M), each window's position recorded as ``KernelSet/maxPool(_:input:geometry:out:indices:)`` records it.
    case reluMaxPool(WindowGeometry)
}

/// Where a 2-d convolution's or pooling's windows lie in an `[N, C, H, W]` input: kernel, stride, dilation,
/// the zero padding before the first row and column (the padding after only shows in `outHeight`/`outWidth`),
/// and the output's size.
package struct WindowGeometry: Sendable {
    package var batch: Int, channels: Int, height: Int, width: Int
    package var kernelHeight: Int, kernelWidth: Int
    package var strideHeight: Int, strideWidth: Int
    package var dilationHeight: Int, dilationWidth: Int
    package var padTop: Int, padLeft: Int
    package var outHeight: Int, outWidth: Int

    package init(batch: Int, channels: Int, height: Int, width: Int, kernelHeight: Int, kernelWidth: Int,
                 strideHeight: Int, strideWidth: Int, dilationHeight: Int, dilationWidth: Int, padTop: Int, padLeft: Int,
                 outHeight: Int, outWidth: Int) {
        (self.batch, self.channels, self.height, self.width) = (batch, channels, height, width)
        (self.kernelHeight, self.kernelWidth, self.strideHeight, self.strideWidth) = (kernelHeight, kernelWidth, strideHeight, strideWidth)
        (self.dilationHeight, self.dilationWidth, self.padTop, self.padLeft) = (dilationHeight, dilationWidth, padTop, padLeft)
        (self.outHeight, self.outWidth) = (outHeight, outWidth)
    }
}

/// Where the matrices of a batch lie in memory: matrix `index` (flat, row-major over the batch's shape) starts at its
/// batch coordinates times `batchStrides`, and its element (i, j) lies `i·rowStride + j·columnStride` further. A
/// tensor's strides give it as they are, so views (a transpose, heads split out of a wider product, a slice of a
/// buffer, a broadcast with stride 0) are read where they lie, without a copy.
package struct MatrixLayout: Sendable {
    package var batchStrides: [Int], rowStride: Int, columnStride: Int

    /// The layout of a tensor with these strides: the last two are the matrices' rows and columns.
    package init(strides: [Int]) {
        (batchStrides, rowStride, columnStride) = (Array(strides.dropLast(2)), strides[strides.count - 2], strides[strides.count - 1])
    }

    /// The element offset of matrix `index` of a batch of `batchShape`.
    package func offset(ofMatrix index: Int, batchShape: [Int]) -> Int {
        var (rest, offset) = (index, 0)
        for axis in stride(from: batchShape.count - 1, through: 0, by: -1) {
            offset += (rest % batchShape[axis]) * batchStrides[axis]
            rest /= batchShape[axis]
        }
        return offset
    }
}

/// One scaled dot-product attention: queries `[batch, queries, depth]`, keys `[batch, keys, depth]` and values
/// `[batch, keys, valueDepth]`, each read through its ``MatrixLayout``, the batch being every leading axis
/// (`batchShape`), with an additive mask of the tensors' dtype (its layout's rows are queries, its columns keys),
/// causal masking (query i sees keys j ≤ i, PyTorch's `is_causal`) and dropout of the attention weights by a
/// counter-based hash of `seed`, so that the backward pass draws the same mask without storing it.
package struct AttentionProblem {
    package var batchShape: [Int], queries: Int, keys: Int, depth: Int, valueDepth: Int
    package var scale: Double, causal: Bool, dropout: Double, seed: UInt64
    /// How the queries, keys and values lie.
    package var queryLayout: MatrixLayout, keyLayout: MatrixLayout, valueLayout: MatrixLayout
    /// The additive mask's first element, or nil, and how it lies.
    package var mask: UnsafeRawPointer?, maskLayout: MatrixLayout?
    /// The bfloat16 products that the blocks' products run on, under autocast (float32 operands read as bfloat16);
    /// nil for the float32 GEMM.
    package var bfloat16: (any BFloat16Products.Type)?

    package init(batchShape: [Int], queries: Int, keys: Int, depth: Int, valueDepth: Int, scale: Double, causal: Bool,
                 dropout: Double, seed: UInt64, queryLayout: MatrixLayout, keyLayout: MatrixLayout,
                 valueLayout: MatrixLayout, mask: UnsafeRawPointer?, maskLayout: MatrixLayout?) {
        (self.batchShape, self.queries, self.keys, self.depth, self.valueDepth) = (batchShape, queries, keys, depth, valueDepth)
        (self.scale, self.causal, self.dropout, self.seed) = (scale, causal, dropout, seed)
        (self.queryLayout, self.keyLayout, self.valueLayout) = (queryLayout, keyLayout, valueLayout)
        (self.mask, self.maskLayout) = (mask, maskLayout)
    }

    /// The number of (batch, head) matrices.
    package var batch: Int { batchShape.reduce(1, *) }
}
