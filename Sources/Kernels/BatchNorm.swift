import KernelSupport

// Batch normalisation's passes over a contiguous [N, C, M] tensor (M the pixels of a channel, 1 for [N, C]): one
// to compute each channel's statistics, one to normalise, two for the gradient, instead of the dozen elementwise
// ops and reductions (each a pass over a 12.8 MB layer output, each a tensor kept for the backward pass) that the
// formula written with tensor ops costs. Channels are split between threads.

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

func channelStatisticsKernel<T: KernelScalar>(input: UnsafePointer<T>, shape: (n: Int, c: Int, m: Int),
                                              mean: UnsafeMutablePointer<T>, variance: UnsafeMutablePointer<T>) {
    let count = Double(Swift.max(shape.n &* shape.m, 1))
    forEachChannel(shape) { channels in
        for c in channels {
            var sum = 0.0
            forEachPlane(input, shape, channel: c) { plane, _ in
                for i in 0..<shape.m { sum += Double(plane[i]) }
            }
            let average = sum / count
            var squares = 0.0
            forEachPlane(input, shape, channel: c) { plane, _ in
                for i in 0..<shape.m {
                    let d = Double(plane[i]) - average
                    squares += d * d
                }
            }
            mean[c] = T(average)
            variance[c] = T(squares / count)
        }
    }
}

func channelAffineKernel<T: KernelScalar>(input: UnsafePointer<T>, shape: (n: Int, c: Int, m: Int),
                                          scale: UnsafePointer<T>, shift: UnsafePointer<T>, out: UnsafeMutablePointer<T>) {
    forEachChannel(shape) { channels in
        for c in channels {
            let (a, b) = (scale[c], shift[c])
            forEachPlane(input, shape, channel: c) { plane, n in
                let target = out + (n &* shape.c &+ c) &* shape.m
                for i in 0..<shape.m { target[i] = plane[i] * a + b }
            }
        }
    }
}

func batchNormBackwardKernel<T: KernelScalar>(input: UnsafePointer<T>, gradient: UnsafePointer<T>,
                                              shape: (n: Int, c: Int, m: Int), mean: UnsafePointer<T>,
                                              invstd: UnsafePointer<T>, scale: UnsafePointer<T>,
                                              inputGradient: UnsafeMutablePointer<T>, sumGradient: UnsafeMutablePointer<T>,
                                              sumGradientXhat: UnsafeMutablePointer<T>) {
    let count = Double(Swift.max(shape.n &* shape.m, 1))
    forEachChannel(shape) { channels in
        for c in channels {
            let (mu, inv) = (Double(mean[c]), Double(invstd[c]))
            var (sumG, sumGX) = (0.0, 0.0)
            forEachPlane(input, shape, channel: c) { plane, n in
                let g = gradient + (n &* shape.c &+ c) &* shape.m
                for i in 0..<shape.m {
                    sumG += Double(g[i])
                    sumGX += Double(g[i]) * (Double(plane[i]) - mu) * inv
                }
            }
            sumGradient[c] = T(sumG)
            sumGradientXhat[c] = T(sumGX)
            let (meanG, meanGX, a) = (T(sumG / count), T(sumGX / count), scale[c])
            let (center, spread) = (T(mu), T(inv))
            forEachPlane(input, shape, channel: c) { plane, n in
                let offset = (n &* shape.c &+ c) &* shape.m
                let (g, target) = (gradient + offset, inputGradient + offset)
                for i in 0..<shape.m {
                    let xhat = (plane[i] - center) * spread
                    target[i] = a * (g[i] - meanG - xhat * meanGX)
                }
            }
        }
    }
}
