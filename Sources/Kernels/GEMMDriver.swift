import KernelSupport
/// The Goto/BLIS loop nest around one kernel family: `VC` vectors of `V` per tile row, `M` for the
/// multiply-accumulate.
enum GEMMDriver<let VC: Int, V: TreeSummable, M: MultiplyAccumulate> {
    static var mr: Int { 6 }
    static var nr: Int { VC * V.scalarCount }
    // Cache blocking. Each MR×KC panel of A (6 KB) stays in L1 while the KC×NC block of packed B (768 KB, in
    // L2) streams under it, strip by strip. Chosen from interleaved runs of several settings in one process on
    // an Intel Xeon (48 KB L1, 2 MB L2): 5–10 % faster than the earlier KC 512 / NC 4096 with the loops over A
    // and B swapped, on squares and training shapes, 1 and 2 threads. NC stays under Zen 5's 1 MB L2.
    static var kc: Int { 256 }
    static var nc: Int { 768 }
    /// Rows of A handed out at a time in the packed path: four panels, so that threads finish their share of a
    /// block of B within microseconds of each other (two panels measured 7 % slower on 1024²).
    static var rowChunk: Int { 4 * mr }
    /// Products of fewer flops stay on the calling thread: waking another costs more than it saves...
    static var parallelFlops: Int { 2 * 96 * 96 * 96 }
    /// ...unless B has this many elements or more: a product of few rows is bound by reading B, and two threads
    /// read it into two cores' caches at once (2 threads, interleaved, µs: 1×784 · (1024×784)ᵀ 97 → 27, where
    /// each core's half of B stays in its L2 between calls; 1×784 · 784×1024 96 → 48, 4×256 · (256×256)ᵀ
    /// 9.8 → 6.3, 2×512 · 512×512 13.3 → 8.4).
    static var parallelBElements: Int { 1 << 16 }

    /// C (+)= A·B for an m×k A and k×n B, through `epilogue`, as `plan` lays it out for `threads` threads.
    static func multiply(
        m: Int, n: Int, k: Int, a: MatrixView, b: MatrixView,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, epilogue: GEMMEpilogue = .none, threads: Int
    ) {
        if transposesColumn(m: m, n: n, a: a) && ldc == 1 && epilogue.bias == nil {
            multiply(m: 1, n: m, k: k, a: b.transposed, b: a.transposed, c: c, ldc: m, accumulate: accumulate,
                     epilogue: epilogue, threads: threads)
            return
        }
        let plan = storedPlan(m: m, n: n, k: k, a: a, b: b, threads: threads)
        let dot = plan.kernel == .dotProducts
        switch plan.split {
        case .none where dot:
            dotProducts(m: m, n: n, k: k, a: a, b: b, c: c, ldc: ldc, accumulate: accumulate, epilogue: epilogue)
        case .none:
            single(m: m, n: n, k: k, a: a, b: b, c: c, ldc: ldc, accumulate: accumulate, epilogue: epilogue,
                   blockDepth: plan.blocksDepth)
        case .rows, .columns:
            let alongRows = plan.split == .rows
            splitC(m: m, n: n, a: a, b: b, c: c, ldc: ldc, epilogue: epilogue, parts: plan.parts, alongRows: alongRows,
                   unit: dot ? (alongRows ? 2 : 4) : (alongRows ? mr : nr)) { m, n, a, b, c, epilogue in
                if dot {
                    dotProducts(m: m, n: n, k: k, a: a, b: b, c: c, ldc: ldc, accumulate: accumulate, epilogue: epilogue)
                } else {
                    single(m: m, n: n, k: k, a: a, b: b, c: c, ldc: ldc, accumulate: accumulate, epilogue: epilogue,
                           blockDepth: true)
                }
            }
        case .columnBlocks:
            columnBlocks(m: m, n: n, k: k, a: a, b: b, c: c, ldc: ldc, accumulate: accumulate, epilogue: epilogue,
                         parts: plan.parts)
        case .sharedPackedB:
            // When the pool is busy with another thread's product, this thread does all of it.
            if !packed(m: m, n: n, k: k, a: a, b: b, c: c, ldc: ldc, accumulate: accumulate, epilogue: epilogue,
                       parts: plan.parts) {
                single(m: m, n: n, k: k, a: a, b: b, c: c, ldc: ldc, accumulate: accumulate, epilogue: epilogue,
                       blockDepth: true)
            }
        }
    }

    /// How an m×k · k×n product of `a` and `b` runs on up to `threads` threads (see ``GEMMPlan``), C contiguous
    /// and without a bias.
    static func plan(m: Int, n: Int, k: Int, a: MatrixView, b: MatrixView, threads: Int) -> GEMMPlan {
        guard transposesColumn(m: m, n: n, a: a) else { return storedPlan(m: m, n: n, k: k, a: a, b: b, threads: threads) }
        var plan = storedPlan(m: 1, n: m, k: k, a: b.transposed, b: a.transposed, threads: threads)
        plan.transposed = true
        return plan
    }

    /// Whether a product of one column of C, from an A stored transposed (a gradient hᵀ · g), runs as the row
    /// Cᵀ = gᵀ · h, whose B is h's contiguous rows, where C's layout allows (contiguous, no bias): as a column,
    /// every tile broadcast A's elements one at a time for one column of C. 1 thread, the lesson's (200×50)ᵀ ·
    /// 200×1: 3.3 → 0.6 µs.
    static func transposesColumn(m: Int, n: Int, a: MatrixView) -> Bool {
        n == 1 && m > 1 && a.rowStride == 1 && a.colStride != 1
    }

    /// `plan` for the product as its operands are stored.
    static func storedPlan(m: Int, n: Int, k: Int, a: MatrixView, b: MatrixView, threads: Int) -> GEMMPlan {
        // A product that may run on several threads blocks its depth on every path, as the packed path must, so
        // that its parts add in the same order whichever path each takes; a smaller one always runs whole on one
        // thread, where the unpacked path need not (4 blocks of the lesson's 784 cost 12 %).
        let large = 2 * m * n * k >= parallelFlops || k * n >= parallelBElements
        let parts = large ? Swift.min(threads, Swift.max(1, Swift.max(m / mr, n / nr))) : 1
        // A's rows and B's columns contiguous (x · Wᵀ for a row-major W): dot products along the depth where they
        // beat packing B (see `prefersDotProducts`). Decided for the whole product, so that no part of a larger
        // one takes this path alone and sums in another order. Threads split the longer side of C, in whole tiles.
        if a.colStride == 1 && b.rowStride == 1 && prefersDotProducts(m: m, n: n, k: k) {
            return GEMMPlan(split: parts == 1 ? .none : m > n ? .rows : .columns, parts: parts, kernel: .dotProducts,
                            blocksDepth: false)
        }
        if parts == 1 {
            return GEMMPlan(split: .none, parts: 1, kernel: kernel(m: m, n: n, k: k, a: a, b: b), blocksDepth: large)
        }
        let rowsPerPart = Swift.min(m, partExtent(m, unit: mr, parts: parts))
        // At least as many rows as columns: threads take blocks of A's rows, in whole panels, and multiply each by
        // all of B on their own, each packing its own copy of B where the shape packs. B is the smaller operand
        // and stays in each core's L2; splitting B's columns instead had both threads stream all of A from L3 for
        // every block of B. Interleaved in one process, 2 threads, GFLOPS before → after: a BERT's 2240×384 ·
        // (384×384)ᵀ 141–159 → 216, 2240×384 · (1152×384)ᵀ 151–191 → 204–210, 768×128 · (384×128)ᵀ 160 → 216,
        // 16384×128 · (384×128)ᵀ 127 → 191–194; 1024² 174–211 → 210–216, 1024×256 · (256×256)ᵀ 184–218 → 222,
        // 512×512 · 512×256 216 → 221, 3000×64 · 64×64 217 → 216.
        if m >= n {
            return GEMMPlan(split: .rows, parts: parts, kernel: kernel(m: rowsPerPart, n: n, k: k, a: a, b: b),
                            blocksDepth: true)
        }
        // Fewer rows than columns, A read in place and B at least two strips per thread: threads take blocks of
        // B's columns and multiply all of A by each on their own (see `columnBlocks`).
        let strips = (n + nr - 1) / nr
        if readsInPlace(a) && strips >= 2 * parts {
            let width = Swift.min(n, strips / (2 * parts) * nr)
            return GEMMPlan(split: .columnBlocks, parts: parts, kernel: kernel(m: m, n: width, k: k, a: a, b: b),
                            blocksDepth: true)
        }
        // Large products with A to pack share each packed block of B between the threads. Smaller ones (under
        // four chunks of rows per thread, or four strips of B) split C instead: there the barriers cost more
        // than packing B twice saves (128²: 18 % slower shared; 64×784 · 784×50, one strip: 43 %).
        if m / rowChunk >= 4 * parts && n >= 4 * nr {
            return GEMMPlan(split: .sharedPackedB, parts: parts, kernel: readsInPlace(a) ? .packedB : .packedAB,
                            blocksDepth: true)
        }
        // Few rows, or one strip: split C into `parts` blocks along its longer side, in whole tiles; each part
        // multiplies on its own.
        if m / mr >= n / nr {
            return GEMMPlan(split: .rows, parts: parts, kernel: kernel(m: rowsPerPart, n: n, k: k, a: a, b: b),
                            blocksDepth: true)
        }
        let width = Swift.min(n, partExtent(n, unit: nr, parts: parts))
        return GEMMPlan(split: .columns, parts: parts, kernel: kernel(m: m, n: width, k: k, a: a, b: b),
                        blocksDepth: true)
    }

    /// What one thread's m×k · k×n share runs (`single`'s choice): B's rows read in place where
    /// `readsBInPlace`, else the packed path, packing A too where `readsInPlace` says it must.
    static func kernel(m: Int, n: Int, k: Int, a: MatrixView, b: MatrixView) -> GEMMPlan.Kernel {
        if b.colStride == 1 && readsBInPlace(m: m, n: n, k: k, aRowsContiguous: a.colStride == 1) { return .bInPlace }
        return readsInPlace(a) ? .packedB : .packedAB
    }

    /// Runs `body(m, n, a, b, c, epilogue)` on `parts` threads, each on one block of C and the operands behind it:
    /// rows if `alongRows`, else columns, in groups of `unit` (a tile's height or width), as even as whole groups
    /// allow.
    static func splitC(
        m: Int, n: Int, a: MatrixView, b: MatrixView, c: UnsafeMutablePointer<Float>, ldc: Int, epilogue: GEMMEpilogue,
        parts: Int, alongRows: Bool, unit: Int,
        _ body: (Int, Int, MatrixView, MatrixView, UnsafeMutablePointer<Float>, GEMMEpilogue) -> Void
    ) {
        let extent = alongRows ? m : n
        let chunk = partExtent(extent, unit: unit, parts: parts)
        Parallelism.pool().run(parts: parts) { part in
            let start = part * chunk, end = Swift.min(extent, start + chunk)
            guard start < end else { return }
            if alongRows {
                body(end - start, n, a.rows(from: start), b, c + start * ldc, epilogue)
            } else {
                body(m, end - start, a, b.columns(from: start), c + start, epilogue.columns(from: start))
            }
        }
    }

    /// The extent of each of `parts` blocks of `extent`, in whole groups of `unit` (the last block may be smaller).
    static func partExtent(_ extent: Int, unit: Int, parts: Int) -> Int {
        ((extent + unit - 1) / unit + parts - 1) / parts * unit
    }

    /// Whether an m×k · k×n product with A's rows and B's columns contiguous runs faster as dot products
    /// (`dotProducts`) than on the packed path, which must first transpose B into row-major strips: for one
    /// column (a broadcast tile would use one lane in sixteen), few rows (packing B costs as much as the product)
    /// or few columns (a strip of 16 lanes for 10 columns, packed element by element), when the depth is long
    /// enough to pay for each dot product's sum across lanes. Interleaved in one process, 1 thread, packed → dot
    /// products (µs): 1×784 · 784×1024 217 → 101, 8×784 · 784×1024 270 → 174, 16×784 · 784×1024 341 → 266,
    /// 12×256 · 256×256 19.9 → 15.8, 16×256 · 256×256 22.6 → 21.2, 1×1024 · 1024×10 11.5 → 0.52,
    /// 64×1024 · 1024×10 26.7 → 12.5, 256×1024 · 1024×10 75 → 49, 64×784 · 784×50 47.3 → 41.6 (B stored
    /// transposed in each; on 2 threads the rows ≤ 16 gain more: 12×784 · 784×1024 142 → 83). Left packed, as
    /// dot products lost: 64×256 · 256×256 55 against 96, 8×128 · 128×128 4.4 against 4.8, 64×64 · 64×16 1.8
    /// against 3.9.
    static func prefersDotProducts(m: Int, n: Int, k: Int) -> Bool {
        n == 1 || m == 1 || k >= 256 && m <= 16 || k >= 512 && n <= 64
    }

    /// Whether an m×k · k×n product (or one thread's block of it) reads B's rows in place (`direct`) rather than
    /// packing them: for up to 64 rows, for any number where B is small (16 K elements), and for up to 256 where
    /// B fits in half of L2 (256 K) and A's rows are contiguous. Packing reads and writes all of B before the
    /// first multiply-add; read in place (with the rows prefetched, see `Tile`), each strip of B is read once per
    /// call and stays cached for every panel of A, but all of A is read again for each strip. Interleaved in one
    /// process against packing, 1 thread (µs): 16×256 · 256×256 19.6 → 12.6, 64×784 · 784×50 50 → 40,
    /// 16×784 · 784×1024 303 → 209, 64×784 · 784×1024 749 → 663, 128×256 · 256×784 307 → 280, 256×256 · 256×256
    /// 186 → 177, (784×64)ᵀ · 784×50 62 → 53, (64×1024)ᵀ · 64×64 61 → 45; 2 threads 64×784 · 784×50 30 → 23,
    /// 128×256 · 256×784 207 → 179. Past these limits packing was as fast or faster: (784×256)ᵀ · 784×1024 11 %
    /// slower in place on 1 thread, and 9 % on 2, where its column blocks of 256 are within the limits but for
    /// A's layout; (512×1024)ᵀ · 512×512 43 %; 192×2048 · 2048×256 3 %.
    static func readsBInPlace(m: Int, n: Int, k: Int, aRowsContiguous: Bool) -> Bool {
        m <= 64 || k * n <= 1 << 14 || m <= 256 && k * n <= 1 << 18 && aRowsContiguous
    }

    /// Whether the packed path reads A in place rather than packing it. A with unit-stride rows is: the
    /// kernel's broadcasts walk it as they would walk a packed panel, and each panel stays in L1 while B streams
    /// under it (packing took a tenth of a training step). A stored transposed is read in place only while its
    /// depth steps are under 4 KB apart: further apart, they all land in the same L1 sets and thrash
    /// (1024ᵀ×256 · 256×1024 ran 30 % slower in place).
    static func readsInPlace(_ a: MatrixView) -> Bool {
        a.colStride == 1 || (a.rowStride == 1 && a.colStride < 1024)
    }

    /// The column-parallel path: threads take blocks of B's columns (whole strips, two blocks per thread) from a
    /// shared counter and run the single-thread path on each, packing their own block of B (or reading it in
    /// place, by `readsBInPlace` for the block's shape) and reading all of A in place. Nothing is shared but A, read only, and no thread waits for another until the end; a thread
    /// slowed down by another tenant of its core takes fewer blocks. Against threads sharing each packed block
    /// of B (barriers, and half of B read from the other core's cache), interleaved in one process on 2 threads:
    /// 256×784 · 784×1024 255–261 → 301–303 GFLOPS, its transposed forms +10–17 %, 1024² and 2048² +1–2 %.
    /// (Blocks of n / parts were 2–3 % faster still when both cores were free, and slower when one was not; for
    /// an A that must be packed, each block packing its own copy measured between 8 % slower and 4 % faster.)
    static func columnBlocks(
        m: Int, n: Int, k: Int, a: MatrixView, b: MatrixView,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, epilogue: GEMMEpilogue, parts: Int
    ) {
        // Two blocks per thread, their strip counts differing by at most one (blocks of a width rounded up cut
        // 13 strips into three: two blocks for one thread, one for the other; 1024ᵀ×256 · 256×784 lost 25 %).
        let strips = (n + nr - 1) / nr
        let blocks = Swift.min(strips, 2 * parts)
        let work = WorkCounter()
        Parallelism.pool().run(parts: parts) { _ in
            while let block = work.take(below: blocks) {
                let start = block * strips / blocks * nr, end = Swift.min(n, (block + 1) * strips / blocks * nr)
                single(m: m, n: end - start, k: k, a: a, b: b.columns(from: start), c: c + start, ldc: ldc,
                       accumulate: accumulate, epilogue: epilogue.columns(from: start), blockDepth: true)
            }
        }
    }

    /// One thread's share; `blockDepth`: whether the unpacked path splits the depth into the packed path's
    /// blocks (see `multiply`).
    static func single(
        m: Int, n: Int, k: Int, a: MatrixView, b: MatrixView,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, epilogue: GEMMEpilogue = .none, blockDepth: Bool
    ) {
        // B's rows must be contiguous to be read in place; A's elements are read through its strides.
        if kernel(m: m, n: n, k: k, a: a, b: b) == .bInPlace {
            direct(m: m, n: n, k: k, a: a, b: b, c: c, ldc: ldc, accumulate: accumulate, epilogue: epilogue,
                   blockDepth: blockDepth)
            return
        }
        packed(m: m, n: n, k: k, a: a, b: b, c: c, ldc: ldc, accumulate: accumulate, epilogue: epilogue, parts: 1)
    }

    /// C = A·B by dot products (see `DotTile`), for A's rows and B's columns contiguous: four columns of B at a
    /// time, each group against all of A while it stays in L1, two rows at a time where the registers hold
    /// 2 × 4 pairs of accumulators (AVX-512's 32), else one; columns past the groups of four one by one, eight rows
    /// at a time where the registers hold 8 pairs.
    static func dotProducts(m: Int, n: Int, k: Int, a: MatrixView, b: MatrixView,
                            c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, epilogue: GEMMEpilogue) {
        let partial = leadingLanes(k % V.scalarCount, of: V.self)
        if k * n >= streamedBElements {
            dotProductTiles(PrefetchingNextTile.self, m: m, n: n, k: k, a: a, b: b, c: c, ldc: ldc, accumulate: accumulate,
                            epilogue: epilogue, partial: partial)
        } else {
            dotProductTiles(NotPrefetching.self, m: m, n: n, k: k, a: a, b: b, c: c, ldc: ldc, accumulate: accumulate,
                            epilogue: epilogue, partial: partial)
        }
    }

    /// B of this many elements or more (1 MB, L2's size here; one thread's share of it) is taken to come from memory
    /// in `dotProducts`, whose tiles then prefetch the columns after their own: GPT-2 small's generation, 2 threads,
    /// 35 → 44–49 tokens/s (1 thread 25 → 32; its 154 MB output layer, 1 × 768 · (50257 × 768)ᵀ, 12.4 → 8.8 ms).
    /// A B of that size read again from L3 loses little (1 × 768 · (2304 × 768)ᵀ repeated, 1 thread: 104 →
    /// 106–113 µs). (The same prefetches behind a run-time flag in one tile type slowed every tile by half.)
    static var streamedBElements: Int { 1 << 18 }

    /// `dotProducts`' loop over tiles, with prefetching `P`.
    @inline(__always)
    static func dotProductTiles<P: DotTilePrefetch>(
        _: P.Type, m: Int, n: Int, k: Int, a: MatrixView, b: MatrixView, c: UnsafeMutablePointer<Float>, ldc: Int,
        accumulate: Bool, epilogue: GEMMEpilogue, partial: SIMDMask<V.MaskStorage>
    ) {
        var j = 0
        while j < n {
            let cols = n - j >= 4 ? 4 : 1
            // One column takes eight rows at a time where the registers hold their 16 accumulators: a matrix times
            // a vector (the lesson's 200×50 · 50×1) spent more on each tile's call and sums than on its products
            // two rows at a time (3.5 → 1.75 µs).
            let rowTile = V.scalarCount < 16 ? 1 : cols == 1 ? 8 : 2
            var i = 0
            while i < m {
                let rows = Swift.min(rowTile, m - i)
                let (aRows, bCols, cTile) = (a.base + i * a.rowStride, b.base + j * b.colStride, c + i * ldc + j)
                switch (rows, cols) {
                case (2, 4):
                    DotTile<2, 4, V, M, P>.multiply(rows: 2, cols: 4, k: k, a: aRows, aRow: a.rowStride, b: bCols,
                                                    bCol: b.colStride, c: cTile, ldc: ldc, accumulate: accumulate,
                                                    epilogue: epilogue.columns(from: j), partial: partial)
                case (2..., _):
                    DotTile<8, 1, V, M, P>.multiply(rows: rows, cols: 1, k: k, a: aRows, aRow: a.rowStride, b: bCols,
                                                    bCol: b.colStride, c: cTile, ldc: ldc, accumulate: accumulate,
                                                    epilogue: epilogue.columns(from: j), partial: partial)
                case (_, 4):
                    DotTile<1, 4, V, M, P>.multiply(rows: 1, cols: 4, k: k, a: aRows, aRow: a.rowStride, b: bCols,
                                                    bCol: b.colStride, c: cTile, ldc: ldc, accumulate: accumulate,
                                                    epilogue: epilogue.columns(from: j), partial: partial)
                default:
                    DotTile<1, 1, V, M, P>.multiply(rows: 1, cols: 1, k: k, a: aRows, aRow: a.rowStride, b: bCols,
                                                    bCol: b.colStride, c: cTile, ldc: ldc, accumulate: accumulate,
                                                    epilogue: epilogue.columns(from: j), partial: partial)
                }
                i += rows
            }
            j += cols
        }
    }

    /// Multiplies through B's rows in place (no packing), tile by tile; with `blockDepth`, block of depth by
    /// block of depth as the packed path does. Each block of B's strip is multiplied by every panel of A while it
    /// is in cache (8×784 · 784×1024 and 12×1024 · 1024×1024 15–20 % faster than panel by panel, interleaved).
    static func direct(
        m: Int, n: Int, k: Int, a: MatrixView, b: MatrixView,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, epilogue: GEMMEpilogue, blockDepth: Bool
    ) {
        let step = blockDepth ? depthStep(k) : k
        for j in stride(from: 0, to: n, by: nr) {
            let cols = Swift.min(nr, n - j)
            for pc in stride(from: 0, to: k, by: step) {
                for i in stride(from: 0, to: m, by: mr) {
                    let (rows, depth, cTile) = (Swift.min(mr, m - i), Swift.min(step, k - pc), c + i * ldc + j)
                    let (aTile, bTile) = (a.base + i * a.rowStride + pc * a.colStride, b.base + pc * b.rowStride + j)
                    // The epilogue goes with the depth's last block, when each element of C is complete.
                    multiplyTile(TileOperands(rows: rows, cols: cols, depth: depth, a: aTile, aRow: a.rowStride,
                                              aDepth: a.colStride, b: bTile, bDepth: b.rowStride, c: cTile, ldc: ldc,
                                              accumulate: pc > 0 || accumulate,
                                              epilogue: pc + depth == k ? epilogue.columns(from: j) : .none))
                }
            }
        }
    }

    /// The depth of each block of the k loop: equal blocks of at most KC (784 as 4 × 196 rather than
    /// 3 × 256 + 16, whose sliver would cost as many barriers and C updates as a whole block), but a depth of up
    /// to `wholeDepth` in one block.
    static func depthStep(_ k: Int) -> Int {
        if k <= wholeDepth { return k }
        let blocks = (k + kc - 1) / kc
        return (k + blocks - 1) / blocks
    }

    /// Depths up to this run as one block: a transformer 384 wide (the baby GPT, all-MiniLM-L6-v2) took two blocks
    /// of 192, a pass over C each, and its panels of A half as deep. Alternating builds, GFLOPS before → after,
    /// 1 thread: 16384×384 · 384×384 98 → 108, 2240×384 · (1536×384)ᵀ 102 → 108, 768×300 · 300×300 105 → 110;
    /// 2 threads: 16384×384 · 384×384 195 → 211, 16384×384 · 384×1536 206 → 216; products of other depths
    /// unchanged. (The packed block of B is then up to 384 × 768 floats, 1.2 MB, over Zen 4's 1 MB L2: measured
    /// faster all the same, as above.)
    static var wholeDepth: Int { 384 }

    /// The Goto/BLIS path, on `parts` threads (1: the calling thread alone) that share each packed block of B.
    /// For each KC×NC block of B the threads pack its strips, wait for each other, multiply chunks of A's rows
    /// against it (handed out as they finish, so a thread slowed down by its core's other tenants takes fewer),
    /// and wait again before the next block overwrites it. Each element of C is computed by one thread in the
    /// same order whatever the thread count, so results are the same bits.
    ///
    /// Returns false, having done nothing, when `parts` > 1 and the pool is busy with another thread's job.
    @discardableResult
    static func packed(
        m: Int, n: Int, k: Int, a: MatrixView, b: MatrixView,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, epilogue: GEMMEpilogue, parts: Int
    ) -> Bool {
        // A product at most one vector wide (a classifier's last layer) uses one-vector strips and the narrow
        // tile: the main tile would compute 64 columns for 10.
        let strip = n <= V.scalarCount ? V.scalarCount : nr
        let inPlace = readsInPlace(a)
        // Rows go out in chunks of `rowChunk`, except the last `parts` chunks' worth, which go panel by panel, so
        // that threads finish a block within one panel of each other (256 rows in 11 chunks of 24 left one
        // thread 16 rows more work than the other). Every chunk starts on a panel boundary: the tiles, and so
        // the results, do not depend on `parts`.
        let headChunks = Swift.max(0, m - (parts > 1 ? parts * rowChunk : 0)) / rowChunk
        let rowChunks = headChunks + (m - headChunks * rowChunk + mr - 1) / mr
        // Blocks of equal size (see `depthStep`), the width's rounded to whole strips.
        let widthBlocks = (n + nc - 1) / nc
        let blockDepth = depthStep(k)
        let widthStep = ((n + widthBlocks - 1) / widthBlocks + strip - 1) / strip * strip
        return PackingBuffers.withBuffers { shared in
            shared.reserve(a: 0, b: blockDepth * ((Swift.min(nc, n) + nr - 1) / nr * nr))
            let packedB = shared.b
            let work = WorkCounter(), barrier = SpinBarrier(parties: parts)
            let part = { (_: Int) in
                PackingBuffers.withBuffers { own in
                    own.reserve(a: inPlace ? 0 : rowChunk * blockDepth, b: 0)
                    for jc in stride(from: 0, to: n, by: widthStep) {
                        let ncb = Swift.min(widthStep, n - jc)
                        for pc in stride(from: 0, to: k, by: blockDepth) {
                            let kcb = Swift.min(blockDepth, k - pc)
                            while let s = work.take(below: (ncb + strip - 1) / strip) {
                                packBStrip(b, row: pc, col: jc + s * strip, depth: kcb,
                                           valid: Swift.min(strip, ncb - s * strip), width: strip,
                                           into: packedB + s * strip * kcb)
                            }
                            barrier.wait { work.reset() }
                            while let chunk = work.take(below: rowChunks) {
                                let head = chunk < headChunks
                                let ic = head ? chunk * rowChunk : headChunks * rowChunk + (chunk - headChunks) * mr
                                let rows = Swift.min(head ? rowChunk : mr, m - ic)
                                if !inPlace { packA(a, row: ic, col: pc, rows: rows, depth: kcb, into: own.a) }
                                for ir in stride(from: 0, to: rows, by: mr) {
                                    let panel = inPlace ? a.base + (ic + ir) * a.rowStride + pc * a.colStride
                                        : UnsafePointer(own.a + ir * kcb)
                                    multiplyPanel(
                                        rows: Swift.min(mr, rows - ir), cols: ncb, depth: kcb, strip: strip,
                                        a: panel, aRow: inPlace ? a.rowStride : 1, aDepth: inPlace ? a.colStride : mr,
                                        packedB: packedB, c: c + (ic + ir) * ldc + jc, ldc: ldc,
                                        accumulate: pc > 0 || accumulate,
                                        epilogue: pc + kcb == k ? epilogue.columns(from: jc) : .none)
                                }
                            }
                            barrier.wait { work.reset() }
                        }
                    }
                }
            }
            if parts == 1 {
                part(0)
                return true
            }
            return Parallelism.pool().runConcurrently(parts: parts, part)
        }
    }

    /// One panel of at most `mr` rows of A (element (i, p) at `a[i·aRow + p·aDepth]`) times every strip of a
    /// packed block of B `cols` wide, into C.
    @inline(__always)
    static func multiplyPanel(
        rows: Int, cols: Int, depth: Int, strip: Int, a: UnsafePointer<Float>, aRow: Int, aDepth: Int,
        packedB: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool,
        epilogue: GEMMEpilogue = .none
    ) {
        for jr in stride(from: 0, to: cols, by: strip) {
            multiplyTile(TileOperands(rows: rows, cols: Swift.min(strip, cols - jr), depth: depth, a: a, aRow: aRow,
                                      aDepth: aDepth, b: packedB + jr * depth, bDepth: strip, c: c + jr, ldc: ldc,
                                      accumulate: accumulate, epilogue: epilogue.columns(from: jr)))
        }
    }

    /// One tile of C, at most `mr` × `nr`. A tile wider than one vector runs on a register tile of exactly its
    /// rows: on the 6-row tile, a product of one row spent five sixths of its multiply-adds on copies of it
    /// (interleaved in one process: 1×256 · 256×256 2.2 µs against 4.7, 7×256 · 256×256 6.4 against 8.9,
    /// 64×784 · 784×1024 3 % faster), and of as many vectors as its columns need (see `multiplyColumns`). A tile
    /// at most one vector wide (a classifier's last layer, the last columns of a product) takes a one-vector tile
    /// of six rows, where the main one would compute 64 columns for 10. Its rows are not cut to fit: the lesson's
    /// 5×784 · 784×10, whose operands fill L1 (47 of 48 KB), ran 10 % slower on a 5-row tile, and
    /// 5×2048 · 2048×10 25 % slower; 1 to 4 rows ran at the same speed.
    ///
    /// With A's rows contiguous (`D` = 1, the common case) the one-vector tile takes the depth in several
    /// accumulator sets, shortening each FMA chain; each set's loads are the first's plus a constant, so they
    /// cost no registers (with a run-time depth stride, LLVM kept a pointer per row and set and spilled them: 6 %
    /// slower). Two sets against one: 64×784 · 784×10 and 256×1024 · 1024×10 11–13 % faster. Four where the
    /// registers hold their 24 accumulators (AVX-512's 32; 16 elsewhere) against two, interleaved, 1 thread:
    /// the lesson's 5×784 · 784×10 1.36 → 1.24 µs, 256×1024 · 1024×10 71–76 → 66–68 µs, 128×128 · 128×10
    /// 6.4–7.2 → 5.5 µs, 5×2048 · 2048×10 3.4–3.5 → 3.0 µs (three sets: in between).
    @inline(__always)
    static func multiplyTile(_ tile: TileOperands) {
        if tile.cols <= V.scalarCount {
            multiplyOneVector(tile)
            return
        }
        // On 16 lanes, columns past the last whole vector that fit in half of one take an 8-lane vector beside
        // the whole ones (`HalfTailTile`): the lesson's 50 columns as 48 + 8 rather than 64 (a 256-bit
        // multiply-add costs a 512-bit one's half on AMD's Zen 4 and no more than it on Intel's cores).
        let spare = tile.cols % V.scalarCount
        guard V.scalarCount == 16 && spare != 0 && spare <= 8 else {
            multiplyColumns(tile)
            return
        }
        switch tile.cols / V.scalarCount {
        case 1: multiplyHalfTail(tile, Vectors<1>.self)
        case 2: multiplyHalfTail(tile, Vectors<2>.self)
        default: multiplyHalfTail(tile, Vectors<3>.self)
        }
    }

    /// `multiplyTile`'s tile of `C` whole vectors and a half one, on exactly the tile's rows up to three, else
    /// six; for three whole vectors, six rows as two tiles of three: 6 × 3½ accumulators and their operands do not
    /// fit AVX-512's 32 registers (spilled, 200×100 · 100×50 took 49 µs against 22).
    @inline(__always)
    static func multiplyHalfTail<let C: Int>(_ tile: TileOperands, _: Vectors<C>.Type) {
        switch tile.rows {
        case 1: HalfTailTile<1, C, V, SIMD8<Float>, M>.multiply(tile)
        case 2: HalfTailTile<2, C, V, SIMD8<Float>, M>.multiply(tile)
        case 3: HalfTailTile<3, C, V, SIMD8<Float>, M>.multiply(tile)
        case _ where C >= 3:
            var top = tile, bottom = tile
            (top.rows, bottom.rows) = (3, tile.rows - 3)
            (bottom.a, bottom.c) = (tile.a + 3 * tile.aRow, tile.c + 3 * tile.ldc)
            HalfTailTile<3, C, V, SIMD8<Float>, M>.multiply(top)
            HalfTailTile<3, C, V, SIMD8<Float>, M>.multiply(bottom)
        default: HalfTailTile<6, C, V, SIMD8<Float>, M>.multiply(tile)
        }
    }

    /// A tile of `rows` × `cols` with more than one vector of columns, on a register tile of as many vectors as
    /// they need: the last strip of a product 32 or 48 columns wide computed 64 on the 4-vector tile.
    @inline(__always)
    static func multiplyColumns(_ tile: TileOperands) {
        switch (tile.cols + V.scalarCount - 1) / V.scalarCount {
        case 2 where VC > 2: multiplyRows(tile, Vectors<2>.self)
        case 3 where VC > 3: multiplyRows(tile, Vectors<3>.self)
        default: multiplyRows(tile, Vectors<VC>.self)
        }
    }

    /// `multiplyColumns`' tile of exactly `tile.rows` rows and `C` vectors.
    @inline(__always)
    static func multiplyRows<let C: Int>(_ tile: TileOperands, _: Vectors<C>.Type) {
        switch tile.rows {
        case 1: Tile<1, C, 1, 0, V, M>.multiply(tile)
        case 2: Tile<2, C, 1, 0, V, M>.multiply(tile)
        case 3: Tile<3, C, 1, 0, V, M>.multiply(tile)
        case 4: Tile<4, C, 1, 0, V, M>.multiply(tile)
        case 5: Tile<5, C, 1, 0, V, M>.multiply(tile)
        default: Tile<6, C, 1, 0, V, M>.multiply(tile)
        }
    }

    /// A tile at most one vector wide, on six rows (see `multiplyTile`).
    @inline(__always)
    static func multiplyOneVector(_ tile: TileOperands) {
        if tile.aDepth == 1 && V.scalarCount >= 16 {
            Tile<6, 1, 4, 1, V, M>.multiply(tile)
        } else if tile.aDepth == 1 {
            Tile<6, 1, 2, 1, V, M>.multiply(tile)
        } else {
            Tile<6, 1, 1, 0, V, M>.multiply(tile)
        }
    }
}

/// A register tile's width in vectors, as a type (see `GEMMDriver.multiplyRows`).
enum Vectors<let C: Int> {}
