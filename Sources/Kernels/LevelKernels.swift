import KernelSupport

/// This level's entry points: each is compiled here, with this level's instruction set, and never inlined into
/// the caller (TensorCore is compiled for the baseline; inlined there, a kernel would lose its instructions).
package enum LevelKernels: KernelSet {
    package static var family: KernelFamily { levelFamily }

    @inline(never)
    package static func gemm(m: Int, n: Int, k: Int, a: MatrixView, b: MatrixView, c: UnsafeMutablePointer<Float>,
                             ldc: Int, accumulate: Bool, epilogue: GEMMEpilogue, threads: Int) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            for i in 0..<m {
                let row = c + i * ldc
                for j in 0..<n { row[j] = epilogue.apply(accumulate ? row[j] : 0, column: j) }
            }
            return
        }
        LevelGEMM.multiply(m: m, n: n, k: k, a: a, b: b, c: c, ldc: ldc, accumulate: accumulate, epilogue: epilogue,
                           threads: threads)
    }

    package static func gemmPlan(m: Int, n: Int, k: Int, a: MatrixView, b: MatrixView, threads: Int) -> GEMMPlan {
        LevelGEMM.plan(m: m, n: n, k: k, a: a, b: b, threads: threads)
    }

    package static var roundedBFloat16Products: any BFloat16Products.Type { RoundedProducts.self }

    @inline(never)
    package static func unary(_ op: UnaryOp, _ dtype: DType, shape: [Int], out: UnsafeMutableRawPointer,
                              outStrides: [Int], a: UnsafeRawPointer, aStrides: [Int]) {
        run(UnaryKernel(op: op, shape: shape, out: out, outStrides: outStrides, a: a, aStrides: aStrides), dtype)
    }

    @inline(never)
    package static func binary(_ op: BinaryOp, _ dtype: DType, shape: [Int], out: UnsafeMutableRawPointer,
                               outStrides: [Int], a: UnsafeRawPointer, aStrides: [Int], b: UnsafeRawPointer,
                               bStrides: [Int]) {
        run(BinaryKernel(op: op, shape: shape, out: out, outStrides: outStrides, a: a, aStrides: aStrides, b: b,
                         bStrides: bStrides), dtype)
    }

    @inline(never)
    package static func compare(_ comparison: Comparison, _ dtype: DType, shape: [Int], out: UnsafeMutableRawPointer,
                                outStrides: [Int], a: UnsafeRawPointer, aStrides: [Int], b: UnsafeRawPointer,
                                bStrides: [Int]) {
        run(CompareKernel(comparison: comparison, shape: shape, out: out, outStrides: outStrides, a: a,
                          aStrides: aStrides, b: b, bStrides: bStrides), dtype)
    }

    @inline(never)
    package static func select(_ dtype: DType, shape: [Int], out: UnsafeMutableRawPointer, outStrides: [Int],
                               condition: UnsafeRawPointer, conditionStrides: [Int], a: UnsafeRawPointer,
                               aStrides: [Int], b: UnsafeRawPointer, bStrides: [Int]) {
        run(SelectKernel(shape: shape, out: out, outStrides: outStrides, condition: condition,
                         conditionStrides: conditionStrides, a: a, aStrides: aStrides, b: b, bStrides: bStrides), dtype)
    }

    @inline(never)
    package static func scatterAdd(_ dtype: DType, shape: [Int], out: UnsafeMutableRawPointer, outStrides: [Int],
                                   source: UnsafeRawPointer, sourceStrides: [Int]) {
        run(ScatterAddKernel(shape: shape, out: out, outStrides: outStrides, source: source,
                             sourceStrides: sourceStrides), dtype)
    }

    @inline(never)
    package static func reduce(_ op: ReduceOp, _ dtype: DType, src: UnsafeRawPointer, outer: Int, length: Int,
                               inner: Int, dst: UnsafeMutableRawPointer) {
        run(ReduceKernel(op: op, src: src, outer: outer, length: length, inner: inner, dst: dst), dtype)
    }

    @inline(never)
    package static func argReduce(largest: Bool, _ dtype: DType, src: UnsafeRawPointer, outer: Int, length: Int,
                                  inner: Int, dst: UnsafeMutableRawPointer) {
        run(ArgReduceKernel(largest: largest, src: src, outer: outer, length: length, inner: inner, dst: dst), dtype)
    }

    @inline(never)
    package static func softmax(log: Bool, _ dtype: DType, src: UnsafeRawPointer, outer: Int, length: Int,
                                inner: Int, dst: UnsafeMutableRawPointer) {
        run(SoftmaxKernel(log: log, src: src, outer: outer, length: length, inner: inner, dst: dst), dtype)
    }

    @inline(never)
    package static func sgdUpdate(_ range: Range<Int>, p: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>,
                                  b: UnsafeMutablePointer<Float>?, first: Bool, settings: SGDSettings) {
        OptimizerUpdates.sgd(range, p: p, g: g, b: b, first: first, settings: settings)
    }

    @inline(never)
    package static func adamUpdate(_ range: Range<Int>, p: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>,
                                   m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>,
                                   settings: AdamSettings) {
        OptimizerUpdates.adam(range, p: p, g: g, m: m, v: v, settings: settings)
    }

    @inline(never)
    package static func unfold(_ dtype: DType, input: UnsafeRawPointer, geometry: WindowGeometry, channels: Range<Int>,
                               columns: UnsafeMutableRawPointer) {
        run(UnfoldKernel(input: input, geometry: geometry, channels: channels, columns: columns), dtype)
    }

    @inline(never)
    package static func fold(_ dtype: DType, columns: UnsafeRawPointer, geometry: WindowGeometry, channels: Range<Int>,
                             input: UnsafeMutableRawPointer) {
        run(FoldKernel(columns: columns, geometry: geometry, channels: channels, input: input), dtype)
    }

    @inline(never)
    package static func convolution(input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                    bias: UnsafePointer<Float>?, activation: Activation, geometry: WindowGeometry, groups: Int,
                                    outChannels: Int, out: UnsafeMutablePointer<Float>,
                                    bfloat16: (any BFloat16Products.Type)?) {
        LevelGEMM.convolution(input: input, weight: weight, bias: bias, activation: activation,
                              shape: ConvolutionShape(geometry, groups: groups, outChannels: outChannels), out: out,
                              bfloat16: bfloat16)
    }

    @inline(never)
    package static func convolutionInputGradient(gradient: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                                 geometry: WindowGeometry, groups: Int, outChannels: Int,
                                                 input: UnsafeMutablePointer<Float>, bfloat16: (any BFloat16Products.Type)?) {
        LevelGEMM.convolutionInputGradient(gradient: gradient, weight: weight,
                                           shape: ConvolutionShape(geometry, groups: groups, outChannels: outChannels),
                                           input: input, bfloat16: bfloat16)
    }

    @inline(never)
    package static func convolutionWeightGradient(input: UnsafePointer<Float>, gradient: UnsafePointer<Float>,
                                                  geometry: WindowGeometry, groups: Int, outChannels: Int,
                                                  weight: UnsafeMutablePointer<Float>, bfloat16: (any BFloat16Products.Type)?) {
        LevelGEMM.convolutionWeightGradient(input: input, gradient: gradient,
                                            shape: ConvolutionShape(geometry, groups: groups, outChannels: outChannels),
                                            weight: weight, bfloat16: bfloat16)
    }

    @inline(never)
    package static func maxPool(_ dtype: DType, input: UnsafeRawPointer, geometry: WindowGeometry,
                                out: UnsafeMutableRawPointer, indices: UnsafeMutablePointer<Int32>) {
        run(MaxPoolKernel(input: input, geometry: geometry, out: out, indices: indices), dtype)
    }

    @inline(never)
    package static func maxPoolBackward(_ dtype: DType, gradient: UnsafeRawPointer, indices: UnsafePointer<Int32>,
                                        geometry: WindowGeometry, input: UnsafeMutableRawPointer) {
        run(MaxPoolBackwardKernel(gradient: gradient, indices: indices, geometry: geometry, input: input), dtype)
    }

    @inline(never)
    package static func channelStatistics(_ dtype: DType, input: UnsafeRawPointer, shape: (n: Int, c: Int, m: Int),
                                          mean: UnsafeMutableRawPointer, variance: UnsafeMutableRawPointer) {
        run(ChannelStatisticsKernel(input: input, shape: shape, mean: mean, variance: variance), dtype)
    }

    @inline(never)
    package static func channelAffine(_ dtype: DType, input: UnsafeRawPointer, shape: (n: Int, c: Int, m: Int),
                                      scale: UnsafeRawPointer, shift: UnsafeRawPointer, epilogue: ChannelEpilogue,
                                      out: UnsafeMutableRawPointer, indices: UnsafeMutablePointer<Int32>?) {
        run(ChannelAffineKernel(input: input, shape: shape, scale: scale, shift: shift, epilogue: epilogue, out: out,
                                indices: indices), dtype)
    }

    @inline(never)
    package static func batchNormBackward(_ dtype: DType, input: UnsafeRawPointer, gradient: UnsafeRawPointer,
                                          shape: (n: Int, c: Int, m: Int), mean: UnsafeRawPointer, invstd: UnsafeRawPointer,
                                          scale: UnsafeRawPointer, shift: UnsafeRawPointer, epilogue: ChannelEpilogue,
                                          output: UnsafeRawPointer, indices: UnsafePointer<Int32>?,
                                          inputGradient: UnsafeMutableRawPointer, sumGradient: UnsafeMutableRawPointer,
                                          sumGradientXhat: UnsafeMutableRawPointer) {
        run(BatchNormBackwardKernel(input: input, gradient: gradient, shape: shape, mean: mean, invstd: invstd,
                                    scale: scale, shift: shift, epilogue: epilogue, output: output, indices: indices,
                                    inputGradient: inputGradient, sumGradient: sumGradient,
                                    sumGradientXhat: sumGradientXhat), dtype)
    }

    @inline(never)
    package static func layerNorm(_ dtype: DType, input: UnsafeRawPointer, rows: Int, width: Int,
                                  weight: UnsafeRawPointer?, bias: UnsafeRawPointer?, epsilon: Double,
                                  out: UnsafeMutableRawPointer, mean: UnsafeMutableRawPointer,
                                  rstd: UnsafeMutableRawPointer) {
        run(LayerNormKernel(input: input, rows: rows, width: width, weight: weight, bias: bias, epsilon: epsilon,
                            out: out, mean: mean, rstd: rstd), dtype)
    }

    @inline(never)
    package static func layerNormBackward(_ dtype: DType, input: UnsafeRawPointer, gradient: UnsafeRawPointer,
                                          rows: Int, width: Int, mean: UnsafeRawPointer, rstd: UnsafeRawPointer,
                                          weight: UnsafeRawPointer?, inputGradient: UnsafeMutableRawPointer?,
                                          weightGradient: UnsafeMutableRawPointer?,
                                          biasGradient: UnsafeMutableRawPointer?) {
        run(LayerNormBackwardKernel(input: input, gradient: gradient, rows: rows, width: width, mean: mean, rstd: rstd,
                                    weight: weight, inputGradient: inputGradient, weightGradient: weightGradient,
                                    biasGradient: biasGradient), dtype)
    }

    @inline(never)
    package static func attention(_ dtype: DType, _ problem: AttentionProblem, q: UnsafeRawPointer,
                                  k: UnsafeRawPointer, v: UnsafeRawPointer, out: UnsafeMutableRawPointer,
                                  logSumExp: UnsafeMutableRawPointer, threads: Int) {
        run(AttentionKernel(problem: problem, q: q, k: k, v: v, out: out, logSumExp: logSumExp, threads: threads), dtype)
    }

    @inline(never)
    package static func attentionBackward(_ dtype: DType, _ problem: AttentionProblem, q: UnsafeRawPointer,
                                          k: UnsafeRawPointer, v: UnsafeRawPointer, out: UnsafeRawPointer,
                                          logSumExp: UnsafeRawPointer, outGradient: UnsafeRawPointer,
                                          qGradient: UnsafeMutableRawPointer, kGradient: UnsafeMutableRawPointer,
                                          vGradient: UnsafeMutableRawPointer, threads: Int) {
        run(AttentionBackwardKernel(problem: problem, q: q, k: k, v: v, out: out, logSumExp: logSumExp,
                                    outGradient: outGradient, qGradient: qGradient, kGradient: kGradient,
                                    vGradient: vGradient, threads: threads), dtype)
    }

    @inline(never) package static func exp(_ x: Float) -> Float { ElementaryFunctions.exp(x) }
    @inline(never) package static func log(_ x: Float) -> Float { ElementaryFunctions.log(x) }
    @inline(never) package static func tanh(_ x: Float) -> Float { ElementaryFunctions.tanh(x) }

    @inline(never)
    package static func peakGFLOPS(threads: Int, steps: Int) -> Double {
        LevelPeakProbe.gflops(threads: threads, steps: steps)
    }
}

/// Runs `kernel` with the element type of `dtype`: the one place where a tensor's runtime type picks the
/// specialised code.
@inline(__always)
private func run(_ kernel: some ScalarKernel, _ dtype: DType) {
    switch dtype {
    case .float32: kernel.run(Float.self)
    case .float64: kernel.run(Double.self)
    case .bfloat16, .float16, .int32, .int64, .bool:
        fatalError("kernels: \(dtype) reached a float32/float64 kernel (TensorCore checks dtypes before calling one)")
    }
}
