import KernelSupport
extension GEMMDriver {
    /// Packs A[row..<row+rows, col..<col+depth] into panels of `mr` rows, depth-major within a panel
    /// (`dst[panel·mr·depth + p·mr + i]`). Rows past the end repeat the last row; the kernel does not store them.
    static func packA(_ a: MatrixView, row: Int, col: Int, rows: Int, depth: Int,
                      into dst: UnsafeMutablePointer<Float>) {
        for panel in stride(from: 0, to: rows, by: mr) {
            let out = dst + panel * depth
            let valid = Swift.min(mr, rows - panel)
            if a.rowStride == 1 && valid == mr {
                // Transposed A: each depth step's six rows are contiguous. One 8-float move per step; its two
                // extra floats are overwritten by the next step (or land in the buffer's slack), and the read
                // stays inside the storage's slack.
                let source = a.base + (row + panel) + col * a.colStride
                for p in 0..<depth {
                    let from = UnsafeRawPointer(source + p &* a.colStride)
                    UnsafeMutableRawPointer(out + p &* mr).storeBytes(of: from.loadUnaligned(as: SIMD8<Float>.self),
                                                                      as: SIMD8<Float>.self)
                }
                continue
            }
            for i in 0..<mr {
                let source = a.base + (row + panel + Swift.min(i, valid - 1)) * a.rowStride + col * a.colStride
                let cs = a.colStride
                var o = i
                if cs == 1 {
                    for p in 0..<depth {
                        out[o] = source[p]
                        o &+= mr
                    }
                } else {
                    var s = 0
                    for _ in 0..<depth {
                        out[o] = source[s]
                        o &+= mr
                        s &+= cs
                    }
                }
            }
        }
    }

    /// Packs the strip B[row..<row+depth, col..<col+valid] into `out`, `width` columns per row
    /// (`out[p·width + j]`); columns past `valid` are zero.
    static func packBStrip(_ b: MatrixView, row: Int, col: Int, depth: Int, valid: Int, width: Int,
                           into out: UnsafeMutablePointer<Float>) {
        let source = b.base + row * b.rowStride + col * b.colStride
        guard b.colStride == 1 else {
            packTransposedStrip(b, source: source, depth: depth, valid: valid, width: width, into: out)
            return
        }
        // Whole vectors, inline: a `memmove` call per row cost a tenth of 64×784 · 784×50. A ragged last
        // vector is read whole (the storage's slack covers the overrun) and its lanes past `valid` zeroed.
        let step = V.scalarCount &* MemoryLayout<Float>.stride
        let (whole, ragged) = valid.quotientAndRemainder(dividingBy: V.scalarCount)
        let keep = leadingLanes(ragged, of: V.self)
        let (copied, bytes) = (whole &* step, width &* MemoryLayout<Float>.stride)
        for p in 0..<depth {
            let from = UnsafeRawPointer(source + p &* b.rowStride)
            let to = UnsafeMutableRawPointer(out + p &* width)
            for offset in stride(from: 0, to: copied, by: step) {
                to.storeBytes(of: from.loadUnaligned(fromByteOffset: offset, as: V.self), toByteOffset: offset,
                              as: V.self)
            }
            var offset = copied
            if ragged > 0 {
                let last = V().replacing(with: from.loadUnaligned(fromByteOffset: offset, as: V.self), where: keep)
                to.storeBytes(of: last, toByteOffset: offset, as: V.self)
                offset &+= step
            }
            while offset < bytes {
                to.storeBytes(of: V(), toByteOffset: offset, as: V.self)
                offset &+= step
            }
        }
    }

    /// One strip of B from a layout with unit row stride (B = Wᵀ for a row-major W, as in a linear layer):
    /// column j of the strip is contiguous in memory. Whole 16×16 blocks are transposed in registers, sixteen of
    /// W's rows at a time along the depth (sixteen sequential streams, which the prefetchers follow from memory;
    /// across all the strip's rows at once, 64 streams, packing took a fifth of an 86-token sentence's embedding
    /// on 2 threads); the ragged edges element by element.
    static func packTransposedStrip(_ b: MatrixView, source: UnsafePointer<Float>, depth: Int, valid: Int,
                                    width: Int, into out: UnsafeMutablePointer<Float>) {
        let block = 16
        let fullRows = width % block == 0 && b.rowStride == 1 ? depth / block * block : 0
        let fullCols = valid / block * block
        for j0 in stride(from: 0, to: fullCols, by: block) {
            for p0 in stride(from: 0, to: fullRows, by: block) {
                transpose16(from: source + p0 + j0 * b.colStride, stride: b.colStride,
                            to: out + p0 * width + j0, outStride: width)
            }
        }
        for p in 0..<depth {
            let row = out + p * width
            let firstColumn = p < fullRows ? fullCols : 0
            for j in firstColumn..<valid { row[j] = source[p * b.rowStride + j * b.colStride] }
            for j in valid..<width { row[j] = 0 }
        }
    }
}

/// Writes the transpose of the 16×16 block whose row r starts at `from + r·stride` into rows of `to`
/// (`to + c·outStride`). Four rounds of de-interleaving the 256 elements move the four column bits of each
/// element's index above its four row bits, which is the transpose.
@inline(__always)
private func transpose16(from: UnsafePointer<Float>, stride: Int, to: UnsafeMutablePointer<Float>, outStride: Int) {
    var v = InlineArray<16, SIMD16<Float>>(repeating: SIMD16())
    for r in 0..<16 { v[r] = UnsafeRawPointer(from + r * stride).loadUnaligned(as: SIMD16<Float>.self) }
    for _ in 0..<4 {
        var next = InlineArray<16, SIMD16<Float>>(repeating: SIMD16())
        for k in 0..<8 {
            let pair = SIMD32(lowHalf: v[2 * k], highHalf: v[2 * k + 1])
            next[k] = pair.evenHalf
            next[k + 8] = pair.oddHalf
        }
        v = next
    }
    for c in 0..<16 { UnsafeMutableRawPointer(to + c * outStride).storeBytes(of: v[c], as: SIMD16<Float>.self) }
}

