import KernelSupport

// The loops of convolution and pooling over an image's windows: im2col and its gradient, and max pooling. Each
// image (or image-channel plane) is independent, so the work is split between threads by images, and the
// gradients, which add into the input, never have two threads writing one element.
//
// im2col lays an image's windows out by tap: row (c, ky, kx) of `[C·kh·kw, outH·outW]` holds that tap of every
// output pixel, so that the weight `[O, C·kh·kw]` times it is the output in NCHW order, and for stride 1 at the
// input's width each row is one run of the input.

/// im2col by tap (see ``KernelSet/unfold(_:input:geometry:channels:columns:)``), image by image.
struct UnfoldKernel: ScalarKernel {
    let input: UnsafeRawPointer, geometry: WindowGeometry, channels: Range<Int>, columns: UnsafeMutableRawPointer

    func run<T: KernelScalar>(_: T.Type) {
        let (input, columns) = (self.input.typed(T.self), self.columns.typed(T.self))
        let g = geometry
        let perImage = channels.count &* g.kernelHeight &* g.kernelWidth &* g.outHeight &* g.outWidth
        forEachImage(g, elementsPerImage: perImage) { n in
            unfoldTaps(input, geometry: g, image: n, channels: channels, columns: columns + n &* perImage)
        }
    }
}

/// col2im by tap (see ``KernelSet/fold(_:columns:geometry:channels:input:)``), image by image; `input` is added to.
struct FoldKernel: ScalarKernel {
    let columns: UnsafeRawPointer, geometry: WindowGeometry, channels: Range<Int>, input: UnsafeMutableRawPointer

    func run<T: KernelScalar>(_: T.Type) {
        let (columns, input) = (self.columns.typed(T.self), self.input.typed(T.self))
        let g = geometry
        let perImage = channels.count &* g.kernelHeight &* g.kernelWidth &* g.outHeight &* g.outWidth
        forEachImage(g, elementsPerImage: perImage) { n in
            foldTaps(columns + n &* perImage, geometry: g, image: n, channels: channels, input: input)
        }
    }
}

/// Calls `body(n)` for every image, the images split between threads.
@inline(__always)
private func forEachImage(_ g: WindowGeometry, elementsPerImage: Int, _ body: (Int) -> Void) {
    Parallelism.forEachPiece(of: g.batch, minimumLength: Swift.max(1, Parallelism.minimumElementsPerThread / Swift.max(elementsPerImage, 1)),
                             multipleOf: 1) { images in
        for n in images { body(n) }
    }
}

/// Max pooling with PyTorch's choice of position (see ``KernelSet/maxPool(_:input:geometry:out:indices:)``).
struct MaxPoolKernel: ScalarKernel {
    let input: UnsafeRawPointer, geometry: WindowGeometry, out: UnsafeMutableRawPointer,
        indices: UnsafeMutablePointer<Int32>

    func run<T: KernelScalar>(_: T.Type) {
        let (input, out) = (self.input.typed(T.self), self.out.typed(T.self))
        let g = geometry
        let planes = g.batch &* g.channels
        let perPlane = g.outHeight &* g.outWidth &* g.kernelHeight &* g.kernelWidth
        Parallelism.forEachPiece(of: planes, minimumLength: Swift.max(1, Parallelism.minimumElementsPerThread / Swift.max(perPlane, 1)),
                                 multipleOf: 1) { range in
            for p in range { maxPoolPlane(input + p &* g.height &* g.width, g, out, indices, plane: p) }
        }
    }
}

/// Max pooling of plane `p` (image-channel p of the input), read from `plane`: its windows' largest elements
/// and their positions go to plane `p` of `out` and `indices`. `plane` is read up to 16 elements past its end.
@inline(__always)
func maxPoolPlane<T: KernelScalar>(_ plane: UnsafePointer<T>, _ g: WindowGeometry, _ out: UnsafeMutablePointer<T>,
                                   _ indices: UnsafeMutablePointer<Int32>, plane p: Int) {
    if g.isTwoByTwo, T.self == Float.self {
        maxPoolTwoByTwo(UnsafeRawPointer(plane).assumingMemoryBound(to: Float.self), g,
                        UnsafeMutableRawPointer(out).assumingMemoryBound(to: Float.self), indices, plane: p)
        return
    }
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
            var (best, offset) = (upper.evenHalf, SIMD8<Float>())
            // The other three taps in PyTorch's order; a larger value or a NaN replaces the best. The tap's offset
            // from the window's first element rides in a float vector as its bit pattern, so that it is selected
            // under the comparison's own mask (an Int32 vector under it cost a dozen mask-register shuffles per
            // tap: 3.2 G input elements/s).
            @inline(__always) func consider(_ value: SIMD8<Float>, at tapOffset: Int) {
                let better = (value .> best) .| (value .!= value)
                best.replace(with: value, where: better)
                offset.replace(with: Float(bitPattern: UInt32(truncatingIfNeeded: tapOffset)), where: better)
            }
            consider(upper.oddHalf, at: 1)
            consider(lower.evenHalf, at: g.width)
            consider(lower.oddHalf, at: g.width &+ 1)
            let bestIndex = SIMD8<Int32>(repeating: Int32(truncatingIfNeeded: first)) &+ evenColumns
                &+ unsafeBitCast(offset, to: SIMD8<Int32>.self)
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
struct MaxPoolBackwardKernel: ScalarKernel {
    let gradient: UnsafeRawPointer, indices: UnsafePointer<Int32>, geometry: WindowGeometry,
        input: UnsafeMutableRawPointer

    func run<T: KernelScalar>(_: T.Type) {
        let (gradient, input) = (self.gradient.typed(T.self), self.input.typed(T.self))
        let g = geometry
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

/// The output pixels `ox` whose tap at input column `ox·stride + offset` lies inside `0..<width`, of `count`.
@inline(__always)
private func insideColumns(offset: Int, stride: Int, width: Int, count: Int) -> Range<Int> {
    let first = offset >= 0 ? 0 : (-offset + stride - 1) / stride
    let end = width - offset <= 0 ? 0 : (width - offset + stride - 1) / stride
    let upper = Swift.min(count, end), lower = Swift.min(first, upper)
    return lower..<upper
}

/// Calls `body(plane, ky, kx, row)` for each tap (c, ky, kx) of image `n`'s channels `channels`, in order, with
/// the offset of channel c's plane in the input and of the tap's row (`outH·outW` long) in the columns.
@inline(__always)
private func forEachTap(_ g: WindowGeometry, image n: Int, channels: Range<Int>, _ body: (Int, Int, Int, Int) -> Void) {
    var row = 0
    for c in channels {
        let plane = (n &* g.channels &+ c) &* g.height &* g.width
        for ky in 0..<g.kernelHeight {
            for kx in 0..<g.kernelWidth {
                body(plane, ky, kx, row)
                row &+= g.outHeight &* g.outWidth
            }
        }
    }
}

/// im2col of image `n` by tap: row (c, ky, kx) of `columns` `[channels.count·kh·kw, outH·outW]` holds that tap of
/// every output pixel, zero where it falls in the padding.
@inline(__always)
func unfoldTaps<T: KernelScalar>(_ input: UnsafePointer<T>, geometry g: WindowGeometry, image n: Int,
                                 channels: Range<Int>, columns: UnsafeMutablePointer<T>) {
    forEachTap(g, image: n, channels: channels) { planeOffset, ky, kx, rowOffset in
        let (plane, row) = (input + planeOffset, columns + rowOffset)
        if g.keepsWidth {
            let tap = SameWidthTap(g, ky: ky, kx: kx)
            row.update(repeating: 0, count: tap.copied.lowerBound)
            (row + tap.copied.lowerBound).update(from: plane + (tap.copied.lowerBound &+ tap.shift), count: tap.copied.count)
            (row + tap.copied.upperBound).update(repeating: 0, count: g.outHeight &* g.width &- tap.copied.upperBound)
            tap.clearWrappedColumns(row)
            return
        }
        let offset = kx &* g.dilationWidth &- g.padLeft
        let inside = insideColumns(offset: offset, stride: g.strideWidth, width: g.width, count: g.outWidth)
        for oy in 0..<g.outHeight {
            let out = row + oy &* g.outWidth
            let y = oy &* g.strideHeight &- g.padTop &+ ky &* g.dilationHeight
            guard y >= 0 && y < g.height else {
                out.update(repeating: 0, count: g.outWidth)
                continue
            }
            let line = plane + (y &* g.width &+ offset)
            for ox in 0..<inside.lowerBound { out[ox] = 0 }
            if g.strideWidth == 1 {
                for ox in inside { out[ox] = line[ox] }
            } else {
                for ox in inside { out[ox] = line[ox &* g.strideWidth] }
            }
            for ox in inside.upperBound..<g.outWidth { out[ox] = 0 }
        }
    }
}

/// col2im by tap, the gradient of ``unfoldTaps(_:geometry:image:channels:columns:)``: adds each element of
/// `columns` to the position of image `n` of `input` it was read from, row by row.
@inline(__always)
func foldTaps<T: KernelScalar>(_ columns: UnsafePointer<T>, geometry g: WindowGeometry, image n: Int,
                               channels: Range<Int>, input: UnsafeMutablePointer<T>) {
    forEachTap(g, image: n, channels: channels) { planeOffset, ky, kx, rowOffset in
        let (plane, row) = (input + planeOffset, columns + rowOffset)
        let offset = kx &* g.dilationWidth &- g.padLeft
        let inside = insideColumns(offset: offset, stride: g.strideWidth, width: g.width, count: g.outWidth)
        for oy in 0..<g.outHeight {
            let y = oy &* g.strideHeight &- g.padTop &+ ky &* g.dilationHeight
            guard y >= 0 && y < g.height else { continue }
            let from = row + oy &* g.outWidth, line = plane + (y &* g.width &+ offset)
            if g.strideWidth == 1 {
                for ox in inside { line[ox] += from[ox] }
            } else {
                for ox in inside { line[ox &* g.strideWidth] += from[ox] }
            }
        }
    }
}

/// ``foldTaps(_:geometry:image:channels:input:)`` for columns that are the caller's scratch: a tap of a
/// convolution that keeps the width adds as one run, after clearing the columns that wrap across the input's
/// edges (the preset's second convolution, forward and backward, batch 128, one thread: 34.1–34.7 ms row by row,
/// 32.8–33.0 ms so).
@inline(__always)
func foldScratchTaps<T: KernelScalar>(_ columns: UnsafeMutablePointer<T>, geometry g: WindowGeometry, image n: Int,
                                      channels: Range<Int>, input: UnsafeMutablePointer<T>) {
    guard g.keepsWidth else {
        foldTaps(columns, geometry: g, image: n, channels: channels, input: input)
        return
    }
    forEachTap(g, image: n, channels: channels) { planeOffset, ky, kx, rowOffset in
        let (tap, row) = (SameWidthTap(g, ky: ky, kx: kx), columns + rowOffset)
        tap.clearWrappedColumns(row)
        let target = input + (planeOffset &+ tap.shift)
        for t in tap.copied { target[t] += row[t] }
    }
}

extension WindowGeometry {
    /// Stride 1 and as wide as the input (3×3 with padding 1, `padding: .same`): then the output's rows of one tap
    /// read consecutive rows of the input, one run of memory.
    var keepsWidth: Bool { strideHeight == 1 && strideWidth == 1 && outWidth == width }
}

/// One tap of a convolution that keeps the width (see `WindowGeometry.keepsWidth`): tap row element t (output
/// pixel t = oy·W + ox) reads input element t + `shift` of its plane, for t in `copied`. Past the rows in
/// `copied` the tap reads padding; inside them, the columns at either edge that a run wraps onto the
/// neighbouring input row read padding too, and are cleared after the copy.
private struct SameWidthTap {
    let shift: Int, copied: Range<Int>
    let columnOffset: Int, width: Int, rows: Range<Int>

    @inline(__always)
    init(_ g: WindowGeometry, ky: Int, kx: Int) {
        let rowOffset = ky &* g.dilationHeight &- g.padTop
        columnOffset = kx &* g.dilationWidth &- g.padLeft
        width = g.width
        shift = rowOffset &* g.width &+ columnOffset
        let lower = Swift.min(Swift.max(0, -rowOffset), g.outHeight)
        rows = lower..<Swift.max(lower, Swift.min(g.outHeight, g.height &- rowOffset))
        let first = Swift.min(Swift.max(rows.lowerBound &* g.width, -shift), g.outHeight &* g.width)
        copied = first..<Swift.max(first, Swift.min(rows.upperBound &* g.width, g.height &* g.width &- shift))
    }

    /// Zeroes the edge columns of `row`'s rows that read across the input's left or right edge.
    @inline(__always)
    func clearWrappedColumns<T: KernelScalar>(_ row: UnsafeMutablePointer<T>) {
        if columnOffset < 0 {
            for oy in rows { (row + oy &* width).update(repeating: 0, count: Swift.min(-columnOffset, width)) }
        } else if columnOffset > 0 {
            let kept = Swift.max(0, width &- columnOffset)
            for oy in rows { (row + (oy &* width &+ kept)).update(repeating: 0, count: width &- kept) }
        }
    }
}
