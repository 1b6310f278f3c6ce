/// How to walk several operands of one shape, each with its own strides, as a sequence of rows.
///
/// Axes of size 1 are dropped and adjacent axes that are contiguous in every operand are merged, so a
/// contiguous operation becomes a single row of `count` elements and only truly strided or broadcast operands
/// pay for the odometer.
struct StridedLayout {
    /// The collapsed shape; the last axis is the row.
    private(set) var shape: [Int]
    /// Per operand, its strides over `shape`.
    private(set) var strides: [[Int]]

    init(shape fullShape: [Int], strides fullStrides: [[Int]]) {
        // Nothing to walk; the other sizes may be anything (even overflow when multiplied).
        if fullShape.contains(0) {
            shape = [0]
            strides = fullStrides.map { _ in [1] }
            return
        }
        var shape: [Int] = []
        var strides = [[Int]](repeating: [], count: fullStrides.count)
        for axis in 0..<fullShape.count where fullShape[axis] != 1 {
            let size = fullShape[axis]
            if let last = shape.last,
               (0..<fullStrides.count).allSatisfy({ strides[$0].last! == fullStrides[$0][axis] * size }) {
                shape[shape.count - 1] = last * size
                for k in 0..<strides.count { strides[k][strides[k].count - 1] = fullStrides[k][axis] }
            } else {
                shape.append(size)
                for k in 0..<strides.count { strides[k].append(fullStrides[k][axis]) }
            }
        }
        if shape.isEmpty {
            shape = [1]
            strides = strides.map { _ in [1] }
        }
        self.shape = shape
        self.strides = strides
    }

    /// The number of elements walked.
    var count: Int { shape.reduce(1, *) }

    /// Calls `body(piece, start)` for pieces that together make this walk, on several threads when it is
    /// large (``Parallelism/forEachPiece(of:minimumElements:_:)``): each piece is a walk of its own, starting
    /// at index `start` of this walk's outermost axis (the row, when there is only one axis), where operand k
    /// is `offset(ofOuter: start, operand: k)` elements in.
    func forEachPiece(_ body: (_ piece: StridedLayout, _ start: Int) -> Void) {
        let outer = shape[0]
        let elementsPerOuter = Swift.max(count / Swift.max(outer, 1), 1)
        let minimum = (Parallelism.minimumElementsPerThread + elementsPerOuter - 1) / elementsPerOuter
        Parallelism.forEachPiece(of: outer, minimumLength: minimum, multipleOf: shape.count == 1 ? 16 : 1) { range in
            var piece = self
            piece.shape[0] = range.count
            body(piece, range.lowerBound)
        }
    }

    /// Where operand `k` is, in elements from its start, at index `index` of the outermost axis.
    func offset(ofOuter index: Int, operand k: Int) -> Int { strides[k][0] * index }

    /// Calls `row(offsets, count, rowStrides)` once per row: `offsets[k]` is operand k's element offset at the
    /// row's start, `rowStrides[k]` its stride along the row. The buffers are reused from row to row (no
    /// allocation or reference counting per row: a [784, 10] broadcast has 784 rows).
    @inline(__always)
    func forEachRow(
        _ row: (_ offsets: UnsafeMutablePointer<Int>, _ count: Int, _ rowStrides: UnsafeMutablePointer<Int>) -> Void
    ) {
        let rank = shape.count
        let operands = strides.count
        let rowCount = shape[rank - 1]
        if rowCount == 0 { return }
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * operands + rank + rank * operands) { buffer in
            let base = buffer.baseAddress!
            let offsets = base, rowStrides = base + operands
            let index = base + 2 * operands
            for k in 0..<operands {
                offsets[k] = 0
                rowStrides[k] = strides[k][rank - 1]
            }
            if rank == 1 {
                row(offsets, rowCount, rowStrides)
                return
            }
            // Per outer axis, operand strides laid out flat: outer[axis * operands + k].
            let flat = index + rank
            for axis in 0..<(rank - 1) {
                index[axis] = 0
                for k in 0..<operands { flat[axis * operands + k] = strides[k][axis] }
            }
            while true {
                row(offsets, rowCount, rowStrides)
                var axis = rank - 2
                while axis >= 0 {
                    index[axis] &+= 1
                    let step = flat + axis &* operands
                    for k in 0..<operands { offsets[k] &+= step[k] }
                    if index[axis] < shape[axis] { break }
                    for k in 0..<operands { offsets[k] &-= step[k] &* shape[axis] }
                    index[axis] = 0
                    axis -= 1
                }
                if axis < 0 { return }
            }
        }
    }
}
