import KernelSupport

// The loops of convolution and pooling over an image's windows: im2col and its gradient, and max pooling. Each
// image (or image-channel plane) is independent, so the work is split between threads by images, and the
// gradients, which add into the input, never have two threads writing one element.

/// im2col over images `images` (see ``KernelSet/unfold(_:input:geometry:channels:columns:)``).
func unfoldKernel<T: KernelScalar>(input: UnsafePointer<T>, geometry g: WindowGeometry, channels: Range<Int>,
                                   columns: UnsafeMutablePointer<T>) {
    let depth = channels.count &* g.kernelHeight &* g.kernelWidth
    let perImage = g.outHeight &* g.outWidth
    Parallelism.forEachPiece(of: g.batch, minimumLength: Swift.max(1, Parallelism.minimumElementsPerThread / Swift.max(perImage &* depth, 1)),
                             multipleOf: 1) { images in
        for n in images {
            for oy in 0..<g.outHeight {
                for ox in 0..<g.outWidth {
                    var row = columns + ((n &* g.outHeight &+ oy) &* g.outWidth &+ ox) &* depth
                    let top = oy &* g.strideHeight &- g.padTop, left = ox &* g.strideWidth &- g.padLeft
                    if g.isInside(top: top, left: left) {
                        // Most windows lie wholly inside the image: no bounds to check.
                        for c in channels {
                            let planeRow = (n &* g.channels &+ c) &* g.height &+ top
                            let corner = input + (planeRow &* g.width &+ left)
                            for ky in 0..<g.kernelHeight {
                                let line = corner + ky &* g.dilationHeight &* g.width
                                for kx in 0..<g.kernelWidth { row[kx] = line[kx &* g.dilationWidth] }
                                row += g.kernelWidth
                            }
                        }
                        continue
                    }
                    for c in channels {
                        let plane = input + (n &* g.channels &+ c) &* g.height &* g.width
                        for ky in 0..<g.kernelHeight {
                            let y = top &+ ky &* g.dilationHeight
                            if y < 0 || y >= g.height {
                                row.update(repeating: 0, count: g.kernelWidth)
                            } else {
                                let line = plane + y &* g.width
                                for kx in 0..<g.kernelWidth {
                                    let x = left &+ kx &* g.dilationWidth
                                    row[kx] = x >= 0 && x < g.width ? line[x] : 0
                                }
                            }
                            row += g.kernelWidth
                        }
                    }
                }
            }
        }
    }
}

/// col2im (see ``KernelSet/fold(_:columns:geometry:channels:input:)``); `input` is added to.
///
/// The same walk as ``unfoldKernel(input:geometry:channels:columns:)`` with the copy reversed. Written out twice
/// on purpose: one traversal shared through closures (`move`/`pad`, inlined) made the preset's second convolution
/// 33 % slower (forward 20.7 → 27.5 ms, batch 128, one thread), the optimiser no longer keeping the row pointers
/// in registers.
func foldKernel<T: KernelScalar>(columns: UnsafePointer<T>, geometry g: WindowGeometry, channels: Range<Int>,
                                 input: UnsafeMutablePointer<T>) {
    let depth = channels.count &* g.kernelHeight &* g.kernelWidth
    let perImage = g.outHeight &* g.outWidth
    Parallelism.forEachPiece(of: g.batch, minimumLength: Swift.max(1, Parallelism.minimumElementsPerThread / Swift.max(perImage &* depth, 1)),
                             multipleOf: 1) { images in
        for n in images {
            for oy in 0..<g.outHeight {
                for ox in 0..<g.outWidth {
                    var row = columns + ((n &* g.outHeight &+ oy) &* g.outWidth &+ ox) &* depth
                    let top = oy &* g.strideHeight &- g.padTop, left = ox &* g.strideWidth &- g.padLeft
                    if g.isInside(top: top, left: left) {
                        for c in channels {
                            let planeRow = (n &* g.channels &+ c) &* g.height &+ top
                            let corner = input + (planeRow &* g.width &+ left)
                            for ky in 0..<g.kernelHeight {
                                let line = corner + ky &* g.dilationHeight &* g.width
                                for kx in 0..<g.kernelWidth { line[kx &* g.dilationWidth] += row[kx] }
                                row += g.kernelWidth
                            }
                        }
                        continue
                    }
                    for c in channels {
                        let plane = input + (n &* g.channels &+ c) &* g.height &* g.width
                        for ky in 0..<g.kernelHeight {
                            let y = top &+ ky &* g.dilationHeight
                            if y >= 0 && y < g.height {
                                let line = plane + y &* g.width
                                for kx in 0..<g.kernelWidth {
                                    let x = left &+ kx &* g.dilationWidth
                                    if x >= 0 && x < g.width { line[x] += row[kx] }
                                }
                            }
                            row += g.kernelWidth
                        }
                    }
                }
            }
        }
    }
}

/// Max pooling with PyTorch's choice of position (see ``KernelSet/maxPool(_:input:geometry:out:indices:)``).
func maxPoolKernel<T: KernelScalar>(input: UnsafePointer<T>, geometry g: WindowGeometry, out: UnsafeMutablePointer<T>,
                                    indices: UnsafeMutablePointer<Int32>) {
    let planes = g.batch &* g.channels
    let perPlane = g.outHeight &* g.outWidth &* g.kernelHeight &* g.kernelWidth
    Parallelism.forEachPiece(of: planes, minimumLength: Swift.max(1, Parallelism.minimumElementsPerThread / Swift.max(perPlane, 1)),
                             multipleOf: 1) { range in
        if g.isTwoByTwo, T.self == Float.self {
            let (input, out) = (UnsafeRawPointer(input).assumingMemoryBound(to: Float.self),
                                UnsafeMutableRawPointer(out).assumingMemoryBound(to: Float.self))
            for p in range { maxPoolTwoByTwo(input + p &* g.height &* g.width, g, out, indices, plane: p) }
            return
        }
        for p in range {
            let plane = input + p &* g.height &* g.width
            for oy in 0..<g.outHeight {
                for ox in 0..<g.outWidth {
                    let top = oy &* g.strideHeight &- g.padTop, left = ox &* g.strideWidth &- g.padLeft
                    let o = (p &* g.outHeight &+ oy) &* g.outWidth &+ ox
                    if g.isInside(top: top, left: left) {
                        // Most windows lie wholly inside the image: no bounds to check.
                        var bestIndex = top &* g.width &+ left
                        var best = plane[bestIndex]
                        for ky in 0..<g.kernelHeight {
                            let row = (top &+ ky &* g.dilationHeight) &* g.width &+ left
                            for kx in 0..<g.kernelWidth {
                                let index = row &+ kx &* g.dilationWidth
                                let value = plane[index]
                                // Selects rather than a branch: on real data the comparison is a coin toss.
                                let better = value > best || value.isNaN
                                best = better ? value : best
                                bestIndex = better ? index : bestIndex
                            }
                        }
                        out[o] = best
                        indices[o] = Int32(truncatingIfNeeded: bestIndex)
                        continue
                    }
                    var best = -T.infinity, bestIndex = -1
                    for ky in 0..<g.kernelHeight {
                        let y = top &+ ky &* g.dilationHeight
                        guard y >= 0 && y < g.height else { continue }
                        for kx in 0..<g.kernelWidth {
                            let x = left &+ kx &* g.dilationWidth
                            guard x >= 0 && x < g.width else { continue }
                            let value = plane[y &* g.width &+ x]
                            // PyTorch's test: a NaN replaces anything, so the last NaN is kept.
                            if value > best || value.isNaN || bestIndex < 0 { (best, bestIndex) = (value, y &* g.width &+ x) }
                        }
                    }
                    out[o] = best
                    indices[o] = Int32(truncatingIfNeeded: bestIndex)
                }
            }
        }
    }
}

/// `MaxPool2d(2)` of one float32 plane, the CNN preset's pooling: eight windows at a time, each of the four taps one
/// vector of the two input rows split into even and odd columns (the general loop's index arithmetic per tap
/// took 4.6 ns per input element, 0.9 GB/s; four taps a window in straight-line scalar code, 2.7 GB/s). A row's
/// last windows are computed eight at a time too, reading past the row (into the next, or the storage's slack),
/// and stored lane by lane.
@inline(__always)
private func maxPoolTwoByTwo(_ plane: UnsafePointer<Float>, _ g: WindowGeometry, _ out: UnsafeMutablePointer<Float>,
                             _ indices: UnsafeMutablePointer<Int32>, plane p: Int) {
    let evenColumns = SIMD8<Int32>(0, 2, 4, 6, 8, 10, 12, 14)
    for oy in 0..<g.outHeight {
        let top = 2 &* oy &* g.width
        let target = (p &* g.outHeight &+ oy) &* g.outWidth
        var ox = 0
        while ox < g.outWidth {
            let first = top &+ 2 &* ox
            let upper = UnsafeRawPointer(plane + first).loadUnaligned(as: SIMD16<Float>.self)
            let lower = UnsafeRawPointer(plane + (first &+ g.width)).loadUnaligned(as: SIMD16<Float>.self)
            let firstIndex = SIMD8<Int32>(repeating: Int32(truncatingIfNeeded: first)) &+ evenColumns
            var (best, bestIndex) = (upper.evenHalf, firstIndex)
            // The other three taps in PyTorch's order; a larger value or a NaN replaces the best.
            @inline(__always) func consider(_ value: SIMD8<Float>, at offset: Int) {
                let better = (value .> best) .| (value .!= value)
                best.replace(with: value, where: better)
                bestIndex.replace(with: firstIndex &+ Int32(truncatingIfNeeded: offset), where: better)
            }
            consider(upper.oddHalf, at: 1)
            consider(lower.evenHalf, at: g.width)
            consider(lower.oddHalf, at: g.width &+ 1)
            let count = Swift.min(8, g.outWidth &- ox)
            if count == 8 {
                UnsafeMutableRawPointer(out + (target &+ ox)).storeBytes(of: best, as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(indices + (target &+ ox)).storeBytes(of: bestIndex, as: SIMD8<Int32>.self)
            } else {
                for lane in 0..<count {
                    out[target &+ ox &+ lane] = best[lane]
                    indices[target &+ ox &+ lane] = bestIndex[lane]
                }
            }
            ox &+= 8
        }
    }
}

/// The gradient of max pooling: each output's gradient added at its input position.
func maxPoolBackwardKernel<T: KernelScalar>(gradient: UnsafePointer<T>, indices: UnsafePointer<Int32>,
                                            geometry g: WindowGeometry, input: UnsafeMutablePointer<T>) {
    let planes = g.batch &* g.channels
    let perPlane = g.outHeight &* g.outWidth
    Parallelism.forEachPiece(of: planes, minimumLength: Swift.max(1, Parallelism.minimumElementsPerThread / Swift.max(perPlane, 1)),
                             multipleOf: 1) { range in
        for p in range {
            let plane = input + p &* g.height &* g.width
            for o in (p &* perPlane)..<((p &+ 1) &* perPlane) { plane[Int(indices[o])] += gradient[o] }
        }
    }
}

extension WindowGeometry {
    /// Whether the window whose top-left tap is at (`top`, `left`) lies wholly inside the image.
    @inline(__always)
    func isInside(top: Int, left: Int) -> Bool {
        top >= 0 && left >= 0 && top &+ (kernelHeight &- 1) &* dilationHeight < height
            && left &+ (kernelWidth &- 1) &* dilationWidth < width
    }
}

extension WindowGeometry {
    /// A 2×2 window moving by 2 with no padding or dilation: `MaxPool2d(2)`.
    var isTwoByTwo: Bool {
        kernelHeight == 2 && kernelWidth == 2 && strideHeight == 2 && strideWidth == 2 && padTop == 0 && padLeft == 0
            && dilationHeight == 1 && dilationWidth == 1
    }
}
