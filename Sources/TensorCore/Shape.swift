/// A shape or index that does not fit an operation, with the message the operation reports.
struct ShapeError: Error, CustomStringConvertible, Equatable {
    let description: String
}

/// Shape arithmetic shared by every op.
enum Shapes {
    /// `count` copies of `value`. Every op builds shapes and strides, so this matters: `[Int](repeating:count:)`
    /// allocates through an unspecialised path that looks up the array type's metadata at run time, twice the
    /// instructions (about 400 more per array, a tenth of a small op).
    static func filled(_ value: Int, count: Int) -> [Int] { Array(repeatElement(value, count: count)) }

    /// Row-major strides of a contiguous tensor of `shape`.
    static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = filled(1, count: shape.count)
        var step = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = step
            // Wrapping: only an empty tensor can have sizes whose product overflows (a file may declare
            // [10^18, 0]), and an empty tensor's strides are never used.
            step &*= Swift.max(shape[axis], 1)
        }
        return strides
    }

    /// Number of elements of `shape` (1 for a scalar, 0 if any size is 0, whatever the others).
    static func count(_ shape: [Int]) -> Int { shape.contains(0) ? 0 : shape.reduce(1, *) }

    /// The element count of a new tensor of `shape`; stops when a size is negative.
    static func newTensorCount(_ shape: [Int]) -> Int {
        for size in shape { require(size >= 0, "tensor: negative size in shape \(text(shape))") }
        return count(shape)
    }

    /// `[3, 4]`, as error messages print shapes.
    static func text(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }

    /// The NumPy/PyTorch broadcast of two shapes: aligned from the right, each pair equal or one of them 1.
    static func broadcast(_ a: [Int], _ b: [Int], op: String) -> Result<[Int], ShapeError> {
        if a == b { return .success(a) }
        let rank = Swift.max(a.count, b.count)
        var result = filled(1, count: rank)
        for i in 0..<rank {
            let x = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let y = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if x == y || y == 1 {
                result[i] = x
            } else if x == 1 {
                result[i] = y
            } else {
                return .failure(ShapeError(description:
                    "\(op): shapes \(text(a)) and \(text(b)) cannot be broadcast"))
            }
        }
        return .success(result)
    }

    /// `broadcast(_:_:op:)`, stopping with its message when the shapes do not broadcast.
    static func broadcastOrStop(_ a: [Int], _ b: [Int], op: String) -> [Int] {
        switch broadcast(a, b, op: op) {
        case .success(let shape): return shape
        case .failure(let error): fatalError(error.description)
        }
    }

    /// An axis in `-rank..<rank` as a non-negative axis.
    static func normalizedAxis(_ axis: Int, rank: Int, op: String) -> Result<Int, ShapeError> {
        let valid = rank == 0 ? -1...0 : -rank...(rank - 1)
        guard valid.contains(axis) else {
            return .failure(ShapeError(description:
                "\(op): axis \(axis) is out of range for a tensor of rank \(rank) (valid: \(valid.lowerBound)...\(valid.upperBound))"))
        }
        return .success(axis < 0 ? axis + Swift.max(rank, 1) : axis)
    }

    /// `normalizedAxis(_:rank:op:)`, stopping with its message when the axis is out of range.
    static func axisOrStop(_ axis: Int, rank: Int, op: String) -> Int {
        switch normalizedAxis(axis, rank: rank, op: op) {
        case .success(let axis): return axis
        case .failure(let error): fatalError(error.description)
        }
    }

    /// The strides that read a tensor of `shape`/`strides` as `target` (its broadcast shape): 0 on new or
    /// stretched axes. (Axes of size 1 are never stepped along, so what their strides say does not matter: a
    /// tensor already of `target`'s shape keeps its own strides, without a new array.)
    static func broadcastStrides(shape: [Int], strides: [Int], to target: [Int]) -> [Int] {
        if shape == target { return strides }
        let lead = target.count - shape.count
        var result = filled(0, count: target.count)
        for i in 0..<shape.count where shape[i] == target[i + lead] && shape[i] != 1 {
            result[i + lead] = strides[i]
        }
        return result
    }
}
