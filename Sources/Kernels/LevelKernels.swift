import KernelSupport

/// This level's entry points: each is compiled here, with this level's instruction set, and never inlined into
/// the caller (TensorCore is compiled for the baseline; inlined there, a kernel would lose its instructions).
package enum LevelKernels: KernelSet {
    package static var family: GEMMKernel { levelFamily }

    @inline(never)
    package static func gemm(m: Int, n: Int, k: Int, a: MatrixView, b: MatrixView, c: UnsafeMutablePointer<Float>,
                             ldc: Int, accumulate: Bool, threads: Int) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            if !accumulate { for i in 0..<m { (c + i * ldc).initialize(repeating: 0, count: n) } }
            return
        }
        LevelGEMM.multiply(m: m, n: n, k: k, a: a, b: b, c: c, ldc: ldc, accumulate: accumulate, threads: threads)
    }

    @inline(never)
    package static func unary(_ op: UnaryOp, _ dtype: DType, shape: [Int], out: UnsafeMutableRawPointer,
                              outStrides: [Int], a: UnsafeRawPointer, aStrides: [Int]) {
        switch dtype {
        case .float32: unaryKernel(op, shape: shape, out: out.typed(Float.self), outStrides: outStrides, a: a.typed(Float.self), aStrides: aStrides)
        case .float64: unaryKernel(op, shape: shape, out: out.typed(Double.self), outStrides: outStrides,
                                   a: a.typed(Double.self), aStrides: aStrides)
        }
    }

    @inline(never)
    package static func binary(_ op: BinaryOp, _ dtype: DType, shape: [Int], out: UnsafeMutableRawPointer,
                               outStrides: [Int], a: UnsafeRawPointer, aStrides: [Int], b: UnsafeRawPointer,
                               bStrides: [Int]) {
        switch dtype {
        case .float32: binaryKernel(op, shape: shape, out: out.typed(Float.self), outStrides: outStrides, a: a.typed(Float.self),
                                    aStrides: aStrides, b: b.typed(Float.self), bStrides: bStrides)
        case .float64: binaryKernel(op, shape: shape, out: out.typed(Double.self), outStrides: outStrides,
                                    a: a.typed(Double.self), aStrides: aStrides, b: b.typed(Double.self), bStrides: bStrides)
        }
    }

    @inline(never)
    package static func select(_ dtype: DType, shape: [Int], out: UnsafeMutableRawPointer, outStrides: [Int],
                               condition: UnsafeRawPointer, conditionStrides: [Int], a: UnsafeRawPointer,
                               aStrides: [Int], b: UnsafeRawPointer, bStrides: [Int]) {
        switch dtype {
        case .float32: selectKernel(shape: shape, out: out.typed(Float.self), outStrides: outStrides, condition: condition.typed(Float.self),
                                    conditionStrides: conditionStrides, a: a.typed(Float.self), aStrides: aStrides, b: b.typed(Float.self),
                                    bStrides: bStrides)
        case .float64: selectKernel(shape: shape, out: out.typed(Double.self), outStrides: outStrides,
                                    condition: condition.typed(Double.self), conditionStrides: conditionStrides,
                                    a: a.typed(Double.self), aStrides: aStrides, b: b.typed(Double.self), bStrides: bStrides)
        }
    }

    @inline(never)
    package static func scatterAdd(_ dtype: DType, shape: [Int], out: UnsafeMutableRawPointer, outStrides: [Int],
                                   source: UnsafeRawPointer, sourceStrides: [Int]) {
        switch dtype {
        case .float32: scatterAddKernel(shape: shape, out: out.typed(Float.self), outStrides: outStrides,
                                        source: source.typed(Float.self), sourceStrides: sourceStrides)
        case .float64: scatterAddKernel(shape: shape, out: out.typed(Double.self), outStrides: outStrides,
                                        source: source.typed(Double.self), sourceStrides: sourceStrides)
        }
    }

    @inline(never)
    package static func reduce(_ op: ReduceOp, _ dtype: DType, src: UnsafeRawPointer, outer: Int, length: Int,
                               inner: Int, dst: UnsafeMutableRawPointer) {
        switch dtype {
        case .float32: reduceKernel(op, src: src.typed(Float.self), outer: outer, length: length, inner: inner, dst: dst.typed(Float.self))
        case .float64: reduceKernel(op, src: src.typed(Double.self), outer: outer, length: length, inner: inner, dst: dst.typed(Double.self))
        }
    }

    @inline(never)
    package static func argReduce(largest: Bool, _ dtype: DType, src: UnsafeRawPointer, outer: Int, length: Int,
                                  inner: Int, dst: UnsafeMutableRawPointer) {
        switch dtype {
        case .float32: argReduceKernel(largest: largest, src: src.typed(Float.self), outer: outer, length: length,
                                       inner: inner, dst: dst.typed(Float.self))
        case .float64: argReduceKernel(largest: largest, src: src.typed(Double.self), outer: outer, length: length,
                                       inner: inner, dst: dst.typed(Double.self))
        }
    }

    @inline(never)
    package static func softmax(log: Bool, _ dtype: DType, src: UnsafeRawPointer, outer: Int, length: Int,
                                inner: Int, dst: UnsafeMutableRawPointer) {
        switch dtype {
        case .float32: softmaxKernel(log: log, src: src.typed(Float.self), outer: outer, length: length, inner: inner,
                                     dst: dst.typed(Float.self))
        case .float64: softmaxKernel(log: log, src: src.typed(Double.self), outer: outer, length: length, inner: inner,
                                     dst: dst.typed(Double.self))
        }
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
        switch dtype {
        case .float32: unfoldKernel(input: input.typed(Float.self), geometry: geometry, channels: channels, columns: columns.typed(Float.self))
        case .float64: unfoldKernel(input: input.typed(Double.self), geometry: geometry, channels: channels, columns: columns.typed(Double.self))
        }
    }

    @inline(never)
    package static func fold(_ dtype: DType, columns: UnsafeRawPointer, geometry: WindowGeometry, channels: Range<Int>,
                             input: UnsafeMutableRawPointer) {
        switch dtype {
        case .float32: foldKernel(columns: columns.typed(Float.self), geometry: geometry, channels: channels, input: input.typed(Float.self))
        case .float64: foldKernel(columns: columns.typed(Double.self), geometry: geometry, channels: channels, input: input.typed(Double.self))
        }
    }

    @inline(never)
    package static func convolution(input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                    bias: UnsafePointer<Float>?, geometry: WindowGeometry, groups: Int,
                                    outChannels: Int, out: UnsafeMutablePointer<Float>) {
        LevelGEMM.convolution(input: input, weight: weight, bias: bias,
                              shape: ConvolutionShape(geometry, groups: groups, outChannels: outChannels), out: out)
    }

    @inline(never)
    package static func convolutionInputGradient(gradient: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                                 geometry: WindowGeometry, groups: Int, outChannels: Int,
                                                 input: UnsafeMutablePointer<Float>) {
        LevelGEMM.convolutionInputGradient(gradient: gradient, weight: weight,
                                           shape: ConvolutionShape(geometry, groups: groups, outChannels: outChannels),
                                           input: input)
    }

    @inline(never)
    package static func convolutionWeightGradient(input: UnsafePointer<Float>, gradient: UnsafePointer<Float>,
                                                  geometry: WindowGeometry, groups: Int, outChannels: Int,
                                                  weight: UnsafeMutablePointer<Float>) {
        LevelGEMM.convolutionWeightGradient(input: input, gradient: gradient,
                                            shape: ConvolutionShape(geometry, groups: groups, outChannels: outChannels),
                                            weight: weight)
    }

    @inline(never)
    package static func maxPool(_ dtype: DType, input: UnsafeRawPointer, geometry: WindowGeometry,
                                out: UnsafeMutableRawPointer, indices: UnsafeMutablePointer<Int32>) {
        switch dtype {
        case .float32: maxPoolKernel(input: input.typed(Float.self), geometry: geometry, out: out.typed(Float.self), indices: indices)
        case .float64: maxPoolKernel(input: input.typed(Double.self), geometry: geometry, out: out.typed(Double.self), indices: indices)
        }
    }

    @inline(never)
    package static func maxPoolBackward(_ dtype: DType, gradient: UnsafeRawPointer, indices: UnsafePointer<Int32>,
                                        geometry: WindowGeometry, input: UnsafeMutableRawPointer) {
        switch dtype {
        case .float32: maxPoolBackwardKernel(gradient: gradient.typed(Float.self), indices: indices, geometry: geometry, input: input.typed(Float.self))
        case .float64: maxPoolBackwardKernel(gradient: gradient.typed(Double.self), indices: indices, geometry: geometry, input: input.typed(Double.self))
        }
    }

    @inline(never)
    package static func channelStatistics(_ dtype: DType, input: UnsafeRawPointer, shape: (n: Int, c: Int, m: Int),
                                          mean: UnsafeMutableRawPointer, variance: UnsafeMutableRawPointer) {
        switch dtype {
        case .float32: channelStatisticsKernel(input: input.typed(Float.self), shape: shape, mean: mean.typed(Float.self), variance: variance.typed(Float.self))
        case .float64: channelStatisticsKernel(input: input.typed(Double.self), shape: shape, mean: mean.typed(Double.self), variance: variance.typed(Double.self))
        }
    }

    @inline(never)
    package static func channelAffine(_ dtype: DType, input: UnsafeRawPointer, shape: (n: Int, c: Int, m: Int),
                                      scale: UnsafeRawPointer, shift: UnsafeRawPointer, epilogue: ChannelEpilogue,
                                      out: UnsafeMutableRawPointer, indices: UnsafeMutablePointer<Int32>?) {
        switch dtype {
        case .float32: channelAffineKernel(input: input.typed(Float.self), shape: shape, scale: scale.typed(Float.self),
                                           shift: shift.typed(Float.self), epilogue: epilogue, out: out.typed(Float.self), indices: indices)
        case .float64: channelAffineKernel(input: input.typed(Double.self), shape: shape, scale: scale.typed(Double.self),
                                           shift: shift.typed(Double.self), epilogue: epilogue, out: out.typed(Double.self), indices: indices)
        }
    }

    @inline(never)
    package static func batchNormBackward(_ dtype: DType, input: UnsafeRawPointer, gradient: UnsafeRawPointer,
                                          shape: (n: Int, c: Int, m: Int), mean: UnsafeRawPointer, invstd: UnsafeRawPointer,
                                          scale: UnsafeRawPointer, shift: UnsafeRawPointer, epilogue: ChannelEpilogue,
                                          indices: UnsafePointer<Int32>?, inputGradient: UnsafeMutableRawPointer,
                                          sumGradient: UnsafeMutableRawPointer, sumGradientXhat: UnsafeMutableRawPointer) {
        switch dtype {
        case .float32:
            batchNormBackwardKernel(input: input.typed(Float.self), gradient: gradient.typed(Float.self), shape: shape,
                                    mean: mean.typed(Float.self), invstd: invstd.typed(Float.self), scale: scale.typed(Float.self),
                                    shift: shift.typed(Float.self), epilogue: epilogue, indices: indices,
                                    inputGradient: inputGradient.typed(Float.self), sumGradient: sumGradient.typed(Float.self),
                                    sumGradientXhat: sumGradientXhat.typed(Float.self))
        case .float64:
            batchNormBackwardKernel(input: input.typed(Double.self), gradient: gradient.typed(Double.self), shape: shape,
                                    mean: mean.typed(Double.self), invstd: invstd.typed(Double.self), scale: scale.typed(Double.self),
                                    shift: shift.typed(Double.self), epilogue: epilogue, indices: indices,
                                    inputGradient: inputGradient.typed(Double.self), sumGradient: sumGradient.typed(Double.self),
                                    sumGradientXhat: sumGradientXhat.typed(Double.self))
        }
    }

    @inline(never) package static func exp(_ x: Float) -> Float { ElementaryFunctions.exp(x) }
    @inline(never) package static func log(_ x: Float) -> Float { ElementaryFunctions.log(x) }
    @inline(never) package static func tanh(_ x: Float) -> Float { ElementaryFunctions.tanh(x) }

    @inline(never)
    package static func peakGFLOPS(threads: Int, steps: Int) -> Double {
        LevelPeakProbe.gflops(threads: threads, steps: steps)
    }
}

private extension UnsafeMutableRawPointer {
    func typed<T>(_: T.Type) -> UnsafeMutablePointer<T> { assumingMemoryBound(to: T.self) }
}

private extension UnsafeRawPointer {
    func typed<T>(_: T.Type) -> UnsafePointer<T> { assumingMemoryBound(to: T.self) }
}
