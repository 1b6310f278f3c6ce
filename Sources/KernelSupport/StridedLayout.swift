/// How to walk several operands of one shape, each with its own strides, as a sequence of rows.
///
/// Axes of size 1 are dropped and adjacent axes that are contiguous in every operand are merged, so a
/// contiguous operation becomes a single row of all its elements and only truly strided or broadcast operands
/// pay for the odometer.
package struct StridedLayout {
    /// The collapsed shape; the last axis is the row. Empty when every operand is contiguous in the same order:
    /// then the walk is one row of unit strides, `outerLength` long, and the layout allocates nothing.
    @usableFromInline var shape: [Int]
    /// The operands' strides over `shape`, axis by axis: operand k's stride along axis a is
    /// `strides[a · operands + k]`. (One array for all operands, and none for a contiguous walk: an elementwise
    /// op on small tensors spent a third of its instructions building a layout of one array per operand.)
    @usableFromInline var strides: [Int]
    @usableFromInline let operands: Int
    /// The length walked along the outermost axis: `shape[0]`, or a piece of it (`forEachPiece`).
    @usableFromInline var outerLength: Int

    package init(shape fullShape: [Int], strides fullStrides: [[Int]]) {
        operands = fullStrides.count
        // Nothing to walk; the other sizes may be anything (even overflow when multiplied).
        if fullShape.contains(0) {
            (shape, strides, outerLength) = ([], [], 0)
            return
        }
        if Self.allContiguous(shape: fullShape, strides: fullStrides) {
            (shape, strides, outerLength) = ([], [], fullShape.reduce(1, *))
            return
        }
        var shape: [Int] = [], strides: [Int] = []
        shape.reserveCapacity(fullShape.count)
        strides.reserveCapacity(fullShape.count * operands)
        for axis in 0..<fullShape.count where fullShape[axis] != 1 {
            let size = fullShape[axis]
            let last = strides.count - operands
            if !shape.isEmpty && (0..<operands).allSatisfy({ strides[last + $0] == fullStrides[$0][axis] * size }) {
                shape[shape.count - 1] *= size
                for k in 0..<operands { strides[last + k] = fullStrides[k][axis] }
            } else {
                shape.append(size)
                for k in 0..<operands { strides.append(fullStrides[k][axis]) }
            }
        }
        (self.shape, self.strides, outerLength) = (shape, strides, shape[0])
    }

    /// Whether every operand is laid out row-major over `shape` without gaps (axes of size 1 aside).
    private static func allContiguous(shape: [Int], strides: [[Int]]) -> Bool {
        var expected = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) where shape[axis] != 1 {
            for operand in strides where operand[axis] != expected { return false }
            expected *= shape[axis]
        }
        return true
    }

    /// Calls `body(piece, start)` for pieces that together make this walk, on several threads when it is
    /// large (``Parallelism/forEachPiece(of:minimumElements:_:)``): each piece is a walk of its own, starting
    /// at index `start` of this walk's outermost axis (the row, when there is only one axis), where operand k
    /// is `offset(ofOuter: start, operand: k)` elements in.
    package func forEachPiece(_ body: (_ piece: StridedLayout, _ start: Int) -> Void) {
        let elementsPerOuter = Swift.max(shape.dropFirst().reduce(1, *), 1)
        let minimum = (Parallelism.minimumElementsPerThread + elementsPerOuter - 1) / elementsPerOuter
        let alignment = shape.count <= 1 ? 16 : 1
        Parallelism.forEachPiece(of: outerLength, minimumLength: minimum, multipleOf: alignment) { range in
            var piece = self
            piece.outerLength = range.count
            body(piece, range.lowerBound)
        }
    }

    /// Where operand `k` is, in elements from its start, at index `index` of the outermost axis.
    @inlinable
    package func offset(ofOuter index: Int, operand k: Int) -> Int { shape.isEmpty ? index : strides[k] * index }

    /// Calls `row(offsets, count, rowStrides)` once per row: `offsets[k]` is operand k's element offset at the
    /// row's start, `rowStrides[k]` its stride along the row. The buffers are reused from row to row (no
    /// allocation or reference counting per row: a [784, 10] broadcast has 784 rows).
    @inlinable @inline(__always)
    package func forEachRow(
        _ row: (_ offsets: UnsafeMutablePointer<Int>, _ count: Int, _ rowStrides: UnsafeMutablePointer<Int>) -> Void
    ) {
        let rank = shape.count
        let rowCount = rank <= 1 ? outerLength : shape[rank - 1]
        if rowCount == 0 { return }
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * operands + rank) { buffer in
            let base = buffer.baseAddress!
            let offsets = base, rowStrides = base + operands
            let index = base + 2 * operands
            for k in 0..<operands {
                offsets[k] = 0
                rowStrides[k] = rank == 0 ? 1 : strides[(rank - 1) * operands + k]
            }
            if rank <= 1 {
                row(offsets, rowCount, rowStrides)
                return
            }
            for axis in 0..<(rank - 1) { index[axis] = 0 }
            strides.withUnsafeBufferPointer { flat in
                let flat = flat.baseAddress!
                while true {
                    row(offsets, rowCount, rowStrides)
                    var axis = rank - 2
                    while axis >= 0 {
                        let length = axis == 0 ? outerLength : shape[axis]
                        index[axis] &+= 1
                        let step = flat + axis &* operands
                        for k in 0..<operands { offsets[k] &+= step[k] }
                        if index[axis] < length { break }
                        for k in 0..<operands { offsets[k] &-= step[k] &* length }
                        index[axis] = 0
                        axis -= 1
                    }
                    if axis < 0 { return }
                }
            }
        }
    }
}
