import KernelSupport

// A float32 convolution image by image: each image's windows are unfolded into a scratch buffer that stays in
// L2 (225 KB for the CNN preset's second convolution) and multiplied there by the GEMM, rather than unfolding
// the whole batch (29 MB for the same layer) into memory, writing it and reading it back. The gradients do the
// same, and nothing of the unfolding outlives a call, so the backward pass keeps only the input and the weight.
//
// The windows are laid out by tap (`unfoldTaps`, see Windows.swift), so that they are B of the forward product and
// C of the input gradient's, and the output comes out in NCHW order; the weight gradient multiplies them by the
// output's gradient transposed.

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
    /// The forward pass (see ``KernelSet/convolution(input:weight:bias:activation:geometry:groups:outChannels:out:)``);
    /// the bias is C's starting value, the activation the product's epilogue.
    static func convolution(input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                            activation: Activation, shape s: ConvolutionShape, out: UnsafeMutablePointer<Float>,
                            bfloat16: (any BFloat16Products.Type)?) {
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
                        product(m: s.outputs, n: s.pixels, k: s.depth,
                                a: MatrixView(base: weight + group * s.outputs * s.depth, rowStride: s.depth, colStride: 1),
                                b: MatrixView(base: scratch.a, rowStride: s.pixels, colStride: 1),
                                c: c, ldc: s.pixels, accumulate: bias != nil, activation: activation, threads: threads,
                                bfloat16: bfloat16)
                    }
                }
            }
        }
    }

    /// The gradient of the input (see
    /// ``KernelSet/convolutionInputGradient(gradient:weight:geometry:groups:outChannels:input:)``): each image's
    /// windows' gradient, the weight transposed times the output's gradient, folded back onto the image.
    static func convolutionInputGradient(gradient: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                         shape s: ConvolutionShape, input: UnsafeMutablePointer<Float>,
                                         bfloat16: (any BFloat16Products.Type)?) {
        let g = s.geometry, outChannels = s.groups * s.outputs, imageSize = g.channels * g.height * g.width
        forEachImage(of: s) { images, threads in
            PackingBuffers.withBuffers { scratch in
                scratch.reserve(a: s.depth * s.pixels, b: 0)
                for n in images {
                    (input + n * imageSize).update(repeating: 0, count: imageSize)
                    for group in 0..<s.groups {
                        product(m: s.depth, n: s.pixels, k: s.outputs,
                                a: MatrixView(base: weight + group * s.outputs * s.depth, rowStride: 1, colStride: s.depth),
                                b: MatrixView(base: gradient + (n * outChannels + group * s.outputs) * s.pixels,
                                              rowStride: s.pixels, colStride: 1),
                                c: scratch.a, ldc: s.pixels, accumulate: false, threads: threads, bfloat16: bfloat16)
                        foldScratchTaps(scratch.a, geometry: g, image: n, channels: s.channelRange(group), input: input)
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
                                          shape s: ConvolutionShape, weight: UnsafeMutablePointer<Float>,
                                          bfloat16: (any BFloat16Products.Type)?) {
        let g = s.geometry, outChannels = s.groups * s.outputs, weightSize = outChannels * s.depth
        let parts = imageParts(s)
        // Sums the images `images` into `scratch.b`, `[groups, C/groups·kh·kw, O/groups]`.
        let sumImages = { (images: Range<Int>, threads: Int, scratch: PackingBuffers) in
            scratch.reserve(a: s.depth * s.pixels, b: weightSize)
            if images.isEmpty { scratch.b.update(repeating: 0, count: weightSize) }
            for n in images {
                for group in 0..<s.groups {
                    unfoldTaps(input, geometry: g, image: n, channels: s.channelRange(group), columns: scratch.a)
                    product(m: s.depth, n: s.outputs, k: s.pixels,
                            a: MatrixView(base: scratch.a, rowStride: s.pixels, colStride: 1),
                            b: MatrixView(base: gradient + (n * outChannels + group * s.outputs) * s.pixels,
                                          rowStride: 1, colStride: s.pixels),
                            c: scratch.b + group * s.depth * s.outputs, ldc: s.outputs,
                            accumulate: n > images.lowerBound, threads: threads, bfloat16: bfloat16)
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

    /// C (+)= A·B, then `activation`, for one of the convolution's products: on this level's GEMM (the activation
    /// in its epilogue), or on `bfloat16`'s products, which read the operands as bfloat16 (the activation then a pass
    /// over C, while it is still in cache).
    @inline(__always)
    private static func product(m: Int, n: Int, k: Int, a: MatrixView, b: MatrixView, c: UnsafeMutablePointer<Float>,
                                ldc: Int, accumulate: Bool, activation: Activation = .identity, threads: Int,
                                bfloat16: (any BFloat16Products.Type)?) {
        let epilogue = GEMMEpilogue(bias: nil, activation: activation)
        guard let bfloat16 else {
            multiply(m: m, n: n, k: k, a: a, b: b, c: c, ldc: ldc, accumulate: accumulate, epilogue: epilogue,
                     threads: threads)
            return
        }
        bfloat16.gemm(m: m, n: n, k: k, a: BFloat16MatrixView(a), b: BFloat16MatrixView(b), c: c, ldc: ldc,
                      accumulate: accumulate, threads: threads)
        guard activation != .identity else { return }
        for i in 0..<m {
            let row = c + i * ldc
            var j = 0
            while j + 16 <= n {
                let raw = UnsafeMutableRawPointer(row + j)
                raw.storeBytes(of: epilogue.activated(raw.loadUnaligned(as: SIMD16<Float>.self)), as: SIMD16<Float>.self)
                j += 16
            }
            while j < n {
                row[j] = epilogue.activated(row[j])
                j += 1
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
