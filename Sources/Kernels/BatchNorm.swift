import KernelSupport

// Batch normalisation's passes over a contiguous [N, C, M] tensor (M the pixels of a channel, 1 for [N, C]): one
// to compute each channel's statistics, one to normalise, two for the gradient, instead of the dozen elementwise
// ops and reductions (each a pass over a 12.8 MB layer output, each a tensor kept for the backward pass) that the
// formula written with tensor ops costs. A ReLU and a max pool that follow (the CNN preset's blocks) join the
// normalising pass, and their gradients the two backward passes, so that neither the normalised nor the activated
// tensor is ever stored. Channels are split between threads.

/// Calls `body(c, plane)` for every channel, once per image: `plane` points at the channel's M values of image n.
@inline(__always)
private func forEachPlane<T>(_ base: UnsafePointer<T>, _ shape: (n: Int, c: Int, m: Int), channel c: Int,
                             _ body: (UnsafePointer<T>, Int) -> Void) {
    for n in 0..<shape.n { body(base + (n &* shape.c &+ c) &* shape.m, n) }
}

/// Splits the channels between threads, each channel's work being about N·M elements.
@inline(__always)
private func forEachChannel(_ shape: (n: Int, c: Int, m: Int), _ body: (Range<Int>) -> Void) {
    let perChannel = Swift.max(shape.n &* shape.m, 1)
    Parallelism.forEachPiece(of: shape.c, minimumLength: Swift.max(1, Parallelism.minimumElementsPerThread / perChannel),
                             multipleOf: 1, body)
}

struct ChannelStatisticsKernel: ScalarKernel {
    let input: UnsafeRawPointer, shape: (n: Int, c: Int, m: Int), mean: UnsafeMutableRawPointer,
        variance: UnsafeMutableRawPointer

    func run<T: KernelScalar>(_: T.Type) {
        let (input, mean, variance) = (self.input.typed(T.self), self.mean.typed(T.self), self.variance.typed(T.self))
        let count = Double(Swift.max(shape.n &* shape.m, 1))
        forEachChannel(shape) { channels in
            for c in channels {
                // Sums of x − pivot, with the channel's first value as the pivot: the variance as E[d²] − E[d]²
                // then cancels nothing of note unless the spread is 1e-8 of the mean, and needs one pass, not two.
                let pivot = shape.n &* shape.m > 0 ? Double(input[c &* shape.m]) : 0
                var (sum, squares) = (0.0, 0.0)
                forEachPlane(input, shape, channel: c) { plane, _ in
                    let sums = pairedSums(plane, plane, count: shape.m, gShift: pivot, xShift: pivot)
                    sum += sums.first
                    squares += sums.products
                }
                let average = sum / count
                mean[c] = T(pivot + average)
                variance[c] = T(Swift.max(0, squares / count - average * average))
            }
        }
    }
}

/// Σ (g − gShift) and Σ (g − gShift)·(x − xShift) over `count` elements of `g` and `x`, in double precision,
/// eight lanes at a time: one running sum is one dependent addition per element, 4 cycles each (batch norm's
/// statistics ran at 2 GB/s).
@inline(__always)
private func pairedSums<T: KernelScalar>(_ g: UnsafePointer<T>, _ x: UnsafePointer<T>, count: Int, gShift: Double,
                                         xShift: Double) -> (first: Double, products: Double) {
    var (first, products) = (SIMD8<Double>(), SIMD8<Double>())
    var i = 0
    while i &+ 8 <= count {
        let gv = SIMD8<Double>(UnsafeRawPointer(g + i).loadUnaligned(as: SIMD8<T>.self)) - gShift
        let xv = SIMD8<Double>(UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<T>.self)) - xShift
        first += gv
        products += gv * xv
        i &+= 8
    }
    var (firstSum, productSum) = (first.sum(), products.sum())
    while i < count {
        let (gi, xi) = (Double(g[i]) - gShift, Double(x[i]) - xShift)
        firstSum += gi
        productSum += gi * xi
        i &+= 1
    }
    return (firstSum, productSum)
}

struct ChannelAffineKernel: ScalarKernel {
    let input: UnsafeRawPointer, shape: (n: Int, c: Int, m: Int), scale: UnsafeRawPointer, shift: UnsafeRawPointer,
        epilogue: ChannelEpilogue, out: UnsafeMutableRawPointer, indices: UnsafeMutablePointer<Int32>?

    func run<T: KernelScalar>(_: T.Type) {
        let (input, out) = (self.input.typed(T.self), self.out.typed(T.self))
        let (scale, shift) = (self.scale.typed(T.self), self.shift.typed(T.self))
        forEachChannel(shape) { channels in
            switch epilogue {
            case .none, .relu:
                let relu = if case .relu = epilogue { true } else { false }
                for c in channels {
                    forEachPlane(input, shape, channel: c) { plane, n in
                        affineRow(plane, scale[c], shift[c], relu: relu, into: out + (n &* shape.c &+ c) &* shape.m, shape.m)
                    }
                }
            case .reluMaxPool(let geometry):
                // Each plane's ReLU(y) goes to an L1-resident scratch, which the pooling reads (past its end too).
                withUnsafeTemporaryAllocation(of: T.self, capacity: shape.m &+ 16) { buffer in
                    let scratch = buffer.baseAddress!
                    (scratch + shape.m).initialize(repeating: 0, count: 16)
                    for c in channels {
                        forEachPlane(input, shape, channel: c) { plane, n in
                            affineRow(plane, scale[c], shift[c], relu: true, into: scratch, shape.m)
                            maxPoolPlane(scratch, geometry, out, indices!, plane: n &* shape.c &+ c)
                        }
                    }
                }
            }
        }
    }
}

/// `target[i] = x[i]·a + b` for `count` elements, then ReLU (`y < 0 ? 0 : y`, keeping NaN) if `relu`. The
/// backward pass recomputes y with this same expression, so its mask sees the forward pass's bits.
@inline(__always)
private func affineRow<T: KernelScalar>(_ x: UnsafePointer<T>, _ a: T, _ b: T, relu: Bool,
                                        into target: UnsafeMutablePointer<T>, _ count: Int) {
    if relu {
        for i in 0..<count {
            let y = x[i] * a + b
            target[i] = y < 0 ? 0 : y
        }
    } else {
        for i in 0..<count { target[i] = x[i] * a + b }
    }
}

struct BatchNormBackwardKernel: ScalarKernel {
    let input: UnsafeRawPointer, gradient: UnsafeRawPointer, shape: (n: Int, c: Int, m: Int), mean: UnsafeRawPointer,
        invstd: UnsafeRawPointer, scale: UnsafeRawPointer, shift: UnsafeRawPointer, epilogue: ChannelEpilogue,
        output: UnsafeRawPointer, indices: UnsafePointer<Int32>?, inputGradient: UnsafeMutableRawPointer,
        sumGradient: UnsafeMutableRawPointer, sumGradientXhat: UnsafeMutableRawPointer

    func run<T: KernelScalar>(_: T.Type) {
        let (input, gradient, output) = (self.input.typed(T.self), self.gradient.typed(T.self), self.output.typed(T.self))
        let (mean, invstd, scale, shift) = (self.mean.typed(T.self), self.invstd.typed(T.self), self.scale.typed(T.self),
                                            self.shift.typed(T.self))
        let (inputGradient, sumGradient, sumGradientXhat) = (self.inputGradient.typed(T.self), self.sumGradient.typed(T.self),
                                                             self.sumGradientXhat.typed(T.self))
        let count = Double(Swift.max(shape.n &* shape.m, 1))
        forEachChannel(shape) { channels in
            for c in channels {
                let (a, b) = (scale[c], shift[c])
                // The gradient at y of image n's plane: the incoming one, or, through the epilogue, worked out into
                // the plane of `inputGradient` (which the second pass then overwrites element by element), with
                // ReLU's mask from y recomputed with the forward pass's bits or read off the pooled output.
                @inline(__always) func gradientAtY(_ plane: UnsafePointer<T>, _ n: Int) -> UnsafePointer<T> {
                    let p = n &* shape.c &+ c
                    let (incoming, target) = (gradient + p &* shape.m, inputGradient + p &* shape.m)
                    switch epilogue {
                    case .none:
                        return incoming
                    case .relu:
                        for i in 0..<shape.m { target[i] = plane[i] * a + b > 0 ? incoming[i] : 0 }
                    case .reluMaxPool(let geometry):
                        target.update(repeating: 0, count: shape.m)
                        let pooled = geometry.outHeight &* geometry.outWidth
                        // ReLU's mask from the pooled output, read in order: it is positive exactly where y is at the
                        // picked position (recomputing y there, a gather from the input, was most of this loop).
                        // A select, not a branch: whether a window's largest value is positive is a coin toss.
                        for o in (p &* pooled)..<((p &+ 1) &* pooled) {
                            target[Int(indices![o])] += output[o] > 0 ? gradient[o] : 0
                        }
                    }
                    return UnsafePointer(target)
                }
                let (mu, inv) = (Double(mean[c]), Double(invstd[c]))
                var (sumG, sumGX) = (0.0, 0.0)
                forEachPlane(input, shape, channel: c) { plane, n in
                    let sums = pairedSums(gradientAtY(plane, n), plane, count: shape.m, gShift: 0, xShift: mu)
                    sumG += sums.first
                    sumGX += sums.products
                }
                sumGX *= inv
                sumGradient[c] = T(sumG)
                sumGradientXhat[c] = T(sumGX)
                let (meanG, meanGX) = (T(sumG / count), T(sumGX / count))
                let (center, spread) = (T(mu), T(inv))
                forEachPlane(input, shape, channel: c) { plane, n in
                    let offset = (n &* shape.c &+ c) &* shape.m
                    let target = inputGradient + offset
                    // Two loops, so that neither reads through a second pointer to the memory it writes (the compiler
                    // then falls back to scalar code).
                    if case .none = epilogue {
                        let g = gradient + offset
                        for i in 0..<shape.m { target[i] = a * (g[i] - meanG - (plane[i] - center) * spread * meanGX) }
                    } else {
                        for i in 0..<shape.m { target[i] = a * (target[i] - meanG - (plane[i] - center) * spread * meanGX) }
                    }
                }
            }
        }
    }
}
