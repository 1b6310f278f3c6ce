import KernelSupport

// A float32 convolution image by image: each image's windows are unfolded into a scratch buffer that stays in
// L2 (225 KB for the CNN preset's second convolution) and multiplied there by the GEMM, rather than unfolding
// the whole batch (29 MB for the same layer) into memory, writing it and reading it back. The gradients do the
// same, and nothing of the unfolding outlives a call, so the backward pass keeps only the input and the weight.
//
// The windows are laid out by tap (`unfoldTaps`, `[C·kh·kw, outH·outW]`: row (c, ky, kx) holds that tap of
// every output pixel), so that they are B of the forward product and C of the input gradient's, and the output
// comes out in NCHW order; the weight gradient multiplies them by the output's gradient transposed.

/// The shapes of one convolution: `groups` groups of `channels` input and `outputs` output channels each.
struct ConvolutionShape {
    let geometry: WindowGeometry
    let groups: Int
    let channels: Int, outputs: Int, depth: Int, pixels: Int

    init(_ geometry: WindowGeometry, groups: Int, outChannels: Int) {
        self.geometry = geometry
        self.groups = groups
        channels = geometry.channels / groups
        outputs = outChannels / groups
        depth = channels * geometry.kernelHeight * geometry.kernelWidth
        pixels = geometry.outHeight * geometry.outWidth
    }

    /// Group `group`'s input channels.
    func channelRange(_ group: Int) -> Range<Int> { (group * channels)..<((group + 1) * channels) }

    /// The multiply-adds of one image.
    var flopsPerImage: Int { 2 * groups * outputs * depth * pixels }
}

extension GEMMDriver {
    /// The forward pass (see ``KernelSet/convolution(input:weight:bias:geometry:groups:outChannels:out:)``).
    static func convolution(input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                            shape s: ConvolutionShape, out: UnsafeMutablePointer<Float>) {
        let g = s.geometry, outChannels = s.groups * s.outputs
        forEachImage(of: s) { images, threads in
            PackingBuffers.withBuffers { scratch in
                scratch.reserve(a: s.depth * s.pixels, b: 0)
                for n in images {
                    for group in 0..<s.groups {
                        unfoldTaps(input, geometry: g, image: n, channels: s.channelRange(group), columns: scratch.a)
                        let c = out + (n * outChannels + group * s.outputs) * s.pixels
                        if let bias {
                            for o in 0..<s.outputs {
                                (c + o * s.pixels).update(repeating: bias[group * s.outputs + o], count: s.pixels)
                            }
                        }
                        multiply(m: s.outputs, n: s.pixels, k: s.depth,
                                 a: MatrixView(base: weight + group * s.outputs * s.depth, rowStride: s.depth, colStride: 1),
                                 b: MatrixView(base: scratch.a, rowStride: s.pixels, colStride: 1),
                                 c: c, ldc: s.pixels, accumulate: bias != nil, threads: threads)
                    }
                }
            }
        }
    }

    /// The gradient of the input (see
    /// ``KernelSet/convolutionInputGradient(gradient:weight:geometry:groups:outChannels:input:)``): each image's
    /// windows' gradient, the weight transposed times the output's gradient, folded back onto the image.
    static func convolutionInputGradient(gradient: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                         shape s: ConvolutionShape, input: UnsafeMutablePointer<Float>) {
        let g = s.geometry, outChannels = s.groups * s.outputs, imageSize = g.channels * g.height * g.width
        forEachImage(of: s) { images, threads in
            PackingBuffers.withBuffers { scratch in
                scratch.reserve(a: s.depth * s.pixels, b: 0)
                for n in images {
                    (input + n * imageSize).update(repeating: 0, count: imageSize)
                    for group in 0..<s.groups {
                        multiply(m: s.depth, n: s.pixels, k: s.outputs,
                                 a: MatrixView(base: weight + group * s.outputs * s.depth, rowStride: 1, colStride: s.depth),
                                 b: MatrixView(base: gradient + (n * outChannels + group * s.outputs) * s.pixels,
                                               rowStride: s.pixels, colStride: 1),
                                 c: scratch.a, ldc: s.pixels, accumulate: false, threads: threads)
                        foldTaps(scratch.a, geometry: g, image: n, channels: s.channelRange(group), input: input)
                    }
                }
            }
        }
    }

    /// The gradient of the weight (see
    /// ``KernelSet/convolutionWeightGradient(input:gradient:geometry:groups:outChannels:weight:)``): Σ over images
    /// of the image's windows times the output's gradient transposed, `[C/groups·kh·kw, O/groups]` per group, so
    /// that A is the windows in place and only the gradient's 64-column strips are packed. Each thread sums its
    /// own run of images in its scratch, and the runs are added in order (and transposed into `weight`), so the
    /// result depends on the thread count but on nothing else.
    static func convolutionWeightGradient(input: UnsafePointer<Float>, gradient: UnsafePointer<Float>,
                                          shape s: ConvolutionShape, weight: UnsafeMutablePointer<Float>) {
        let g = s.geometry, outChannels = s.groups * s.outputs, weightSize = outChannels * s.depth
        let parts = imageParts(s)
        // Sums the images `images` into `scratch.b`, `[groups, C/groups·kh·kw, O/groups]`.
        let sumImages = { (images: Range<Int>, threads: Int, scratch: PackingBuffers) in
            scratch.reserve(a: s.depth * s.pixels, b: weightSize)
            if images.isEmpty { scratch.b.update(repeating: 0, count: weightSize) }
            for n in images {
                for group in 0..<s.groups {
                    unfoldTaps(input, geometry: g, image: n, channels: s.channelRange(group), columns: scratch.a)
                    multiply(m: s.depth, n: s.outputs, k: s.pixels,
                             a: MatrixView(base: scratch.a, rowStride: s.pixels, colStride: 1),
                             b: MatrixView(base: gradient + (n * outChannels + group * s.outputs) * s.pixels,
                                           rowStride: 1, colStride: s.pixels),
                             c: scratch.b + group * s.depth * s.outputs, ldc: s.outputs,
                             accumulate: n > images.lowerBound, threads: threads)
                }
            }
        }
        withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: parts) { sums in
            // weight[group, o, t] = Σ over the runs' sums of sum[group, t, o], for the weight's elements `slice`.
            let addRuns = { (slice: Range<Int>, runs: Int) in
                for i in slice {
                    let (group, within) = i.quotientAndRemainder(dividingBy: s.outputs * s.depth)
                    let (o, t) = within.quotientAndRemainder(dividingBy: s.depth)
                    let at = (group * s.depth + t) * s.outputs + o
                    var total = sums[0][at]
                    for run in 1..<runs { total += sums[run][at] }
                    weight[i] = total
                }
            }
            if parts > 1 {
                let barrier = SpinBarrier(parties: parts)
                let ran = Parallelism.pool().runConcurrently(parts: parts) { part in
                    PackingBuffers.withBuffers { scratch in
                        sumImages(imageRun(part, of: parts, batch: g.batch), 1, scratch)
                        sums[part] = UnsafePointer(scratch.b)
                        barrier.wait()
                        addRuns(imageRun(part, of: parts, batch: weightSize), parts)
                        // Every thread's scratch stays borrowed until all have read it.
                        barrier.wait()
                    }
                }
                if ran { return }
            }
            // One thread, or the pool busy with another thread's job: all images in one run.
            PackingBuffers.withBuffers { scratch in
                sumImages(0..<g.batch, parts == 1 ? Parallelism.threadCount : 1, scratch)
                sums[0] = UnsafePointer(scratch.b)
                addRuns(0..<weightSize, 1)
            }
        }
    }

    /// Runs `body(images, threads)` over the batch: on several threads, each with its own run of images and a
    /// one-thread GEMM, when there are images enough to share; else all on this thread, each product on every
    /// thread.
    private static func forEachImage(of s: ConvolutionShape, _ body: (Range<Int>, Int) -> Void) {
        let parts = imageParts(s), batch = s.geometry.batch
        if parts == 1 {
            body(0..<batch, Parallelism.threadCount)
            return
        }
        Parallelism.pool().run(parts: parts) { part in body(imageRun(part, of: parts, batch: batch), 1) }
    }

    /// How many threads share the batch's images: one per image at most, and one unless each gets a product's
    /// worth of work (see `parallelFlops`).
    private static func imageParts(_ s: ConvolutionShape) -> Int {
        let batch = s.geometry.batch
        guard batch >= 2, batch * s.flopsPerImage >= 2 * parallelFlops else { return 1 }
        return Swift.min(Parallelism.threadCount, batch)
    }

    /// Run `part` of `parts` nearly equal runs of `0..<batch`.
    private static func imageRun(_ part: Int, of parts: Int, batch: Int) -> Range<Int> {
        (part * batch / parts)..<((part + 1) * batch / parts)
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

/// Calls `body(plane, ky, kx, row)` for each tap (c, ky, kx) of image `n`'s channels `channels` in `input`, in
/// order, with the start of channel c's plane and the tap's row of `columns`, `outH·outW` long.
@inline(__always)
private func forEachTap<Pointer>(_ input: Pointer, geometry g: WindowGeometry, image n: Int, channels: Range<Int>,
                                 columns: UnsafeMutablePointer<Float>, advance: (Pointer, Int) -> Pointer,
                                 _ body: (Pointer, Int, Int, UnsafeMutablePointer<Float>) -> Void) {
    var row = columns
    for c in channels {
        let plane = advance(input, (n &* g.channels &+ c) &* g.height &* g.width)
        for ky in 0..<g.kernelHeight {
            for kx in 0..<g.kernelWidth {
                body(plane, ky, kx, row)
                row += g.outHeight &* g.outWidth
            }
        }
    }
}

/// im2col of image `n` by tap: row (c, ky, kx) of `columns` `[channels.count·kh·kw, outH·outW]` holds that tap of
/// every output pixel, zero where it falls in the padding.
@inline(__always)
func unfoldTaps(_ input: UnsafePointer<Float>, geometry g: WindowGeometry, image n: Int, channels: Range<Int>,
                columns: UnsafeMutablePointer<Float>) {
    forEachTap(input, geometry: g, image: n, channels: channels, columns: columns, advance: +) { plane, ky, kx, row in
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
/// `columns` to the position of image `n` of `input` it was read from (and clears some of `columns` on the way).
@inline(__always)
func foldTaps(_ columns: UnsafeMutablePointer<Float>, geometry g: WindowGeometry, image n: Int, channels: Range<Int>,
              input: UnsafeMutablePointer<Float>) {
    forEachTap(input, geometry: g, image: n, channels: channels, columns: columns, advance: +) { plane, ky, kx, row in
        if g.keepsWidth {
            let tap = SameWidthTap(g, ky: ky, kx: kx)
            tap.clearWrappedColumns(row)
            let target = plane + tap.shift
            for t in tap.copied { target[t] += row[t] }
            return
        }
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
    func clearWrappedColumns(_ row: UnsafeMutablePointer<Float>) {
        if columnOffset < 0 {
            for oy in rows { (row + oy &* width).update(repeating: 0, count: Swift.min(-columnOffset, width)) }
        } else if columnOffset > 0 {
            let kept = Swift.max(0, width &- columnOffset)
            for oy in rows { (row + (oy &* width &+ kept)).update(repeating: 0, count: width &- kept) }
        }
    }
}
