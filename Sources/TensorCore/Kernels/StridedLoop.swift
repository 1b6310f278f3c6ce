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
            shape = [fullShape.contains(0) ? 0 : 1]
            strides = strides.map { _ in [1] }
        }
        if shape.contains(0) { shape = [0]; strides = strides.map { _ in [1] } }
        self.shape = shape
        self.strides = strides
    }

    /// Calls `row(offsets, count, rowStrides)` once per row: `offsets[k]` is operand k's element offset at the
    /// row's start, `rowStrides[k]` its stride along the row.
    @inline(__always)
    func forEachRow(_ row: (_ offsets: [Int], _ count: Int, _ rowStrides: [Int]) -> Void) {
        let rank = shape.count
        let operands = strides.count
        let rowCount = shape[rank - 1]
        if rowCount == 0 { return }
        let rowStrides = strides.map { $0[rank - 1] }
        var offsets = [Int](repeating: 0, count: operands)
        if rank == 1 {
            row(offsets, rowCount, rowStrides)
            return
        }
        var index = [Int](repeating: 0, count: rank - 1)
        while true {
            row(offsets, rowCount, rowStrides)
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                for k in 0..<operands { offsets[k] &+= strides[k][axis] }
                if index[axis] < shape[axis] { break }
                for k in 0..<operands { offsets[k] &-= strides[k][axis] &* shape[axis] }
                index[axis] = 0
                axis -= 1
            }
            if axis < 0 { return }
        }
    }
}
