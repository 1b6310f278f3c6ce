// Creating tensors: from Swift arrays of any rank, filled, ranges, identity.

/// A Swift value that holds a tensor's elements: a number, or an array (of any depth) of numbers.
/// `Tensor([[1, 2], [3, 4]])` reads its shape from the nesting.
public protocol TensorElements {
    /// Appends the elements in row-major order and returns the shape; stops on ragged arrays.
    func appendElements(to elements: inout [Double]) -> [Int]
}

extension Float: TensorElements {
    public func appendElements(to elements: inout [Double]) -> [Int] { elements.append(Double(self)); return [] }
}

extension Double: TensorElements {
    public func appendElements(to elements: inout [Double]) -> [Int] { elements.append(self); return [] }
}

extension Int: TensorElements {
    public func appendElements(to elements: inout [Double]) -> [Int] { elements.append(Double(self)); return [] }
}

extension Array: TensorElements where Element: TensorElements {
    public func appendElements(to elements: inout [Double]) -> [Int] {
        var inner: [Int]? = nil
        for element in self {
            let shape = element.appendElements(to: &elements)
            if let inner {
                require(inner == shape, "tensor: ragged nested array (rows of shapes \(Shapes.text(inner)) and \(Shapes.text(shape)))")
            }
            inner = shape
        }
        return [count] + (inner ?? [])
    }
}

extension Tensor: ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
    /// A 0-d float32 tensor; lets `x[.all, 0] = 0` assign a number through a subscript.
    public convenience init(floatLiteral value: Double) { self.init(scalar: Float(value)) }

    /// A 0-d int64 tensor from an integer literal, as PyTorch's `torch.tensor(3)`; beside a float tensor it takes
    /// the float's dtype (`x + 1`, `x[0] = 1`), beside an integer one it stays an integer (`ids + 1`).
    public convenience init(integerLiteral value: Int) { self.init(shape: [], integers: [value]) }
}

extension Tensor {
    /// A tensor from a number or a nested Swift array of numbers: `Tensor([[1, 2], [3, 4]])` has shape [2, 2].
    public convenience init(_ elements: some TensorElements, dtype: DType = .float32) {
        var flat: [Double] = []
        let shape = elements.appendElements(to: &flat)
        self.init(shape: shape, scalars: flat, dtype: dtype)
    }

    /// A tensor of `shape` holding `scalars` in row-major order.
    public convenience init(shape: [Int], scalars: [Float]) {
        self.init(uninitializedShape: shape, dtype: .float32)
        require(scalars.count == count,
                "tensor: \(scalars.count) scalars do not fill shape \(Shapes.text(shape)) (\(count) elements)")
        scalars.withUnsafeBufferPointer { pointer(Float.self).update(from: $0.baseAddress!, count: count) }
    }

    /// A tensor of `shape` holding `scalars` in row-major order, stored as `dtype`.
    ///
    /// Float32 unless `dtype` says otherwise, like every other way of making a tensor: an array literal of decimals
    /// (`scalars: [1.5, 2]`) is a `[Double]` to Swift, and must not quietly give the slow float64 type.
    public convenience init(shape: [Int], scalars: [Double], dtype: DType = .float32) {
        self.init(uninitializedShape: shape, dtype: dtype)
        require(scalars.count == count,
                "tensor: \(scalars.count) scalars do not fill shape \(Shapes.text(shape)) (\(count) elements)")
        dtype.withStoredType(ElementWriter(out: self) { scalars[$0] })
    }

    /// A tensor of `shape` holding `integers` in row-major order, stored as `dtype` (int64 unless it says
    /// otherwise): token ids, class labels, indices.
    public convenience init(shape: [Int], integers: [Int], dtype: DType = .int64) {
        self.init(uninitializedShape: shape, dtype: dtype)
        require(integers.count == count,
                "tensor: \(integers.count) integers do not fill shape \(Shapes.text(shape)) (\(count) elements)")
        if dtype == .int64 {
            let p = elementPointer(Int64.self)
            for i in 0..<count { p[i] = Int64(integers[i]) }
        } else {
            dtype.withStoredType(ElementWriter(out: self) { Double(integers[$0]) })
        }
    }

    /// A tensor of `shape` with every element `value`.
    public static func full(_ shape: [Int], _ value: Float, dtype: DType = .float32) -> Tensor {
        let out = Tensor(uninitializedShape: shape, dtype: dtype)
        dtype.withStoredType(ElementFill(out: out, value: Double(value)))
        return out
    }

    /// A tensor of `shape` filled with 0.
    public static func zeros(_ shape: [Int], dtype: DType = .float32) -> Tensor { full(shape, 0, dtype: dtype) }

    /// `zeros(_:dtype:)` with the sizes as arguments: `Tensor.zeros(3, 4)`.
    public static func zeros(_ shape: Int...) -> Tensor { zeros(shape) }

    /// A tensor of `shape` filled with 1.
    public static func ones(_ shape: [Int], dtype: DType = .float32) -> Tensor { full(shape, 1, dtype: dtype) }

    /// `ones(_:dtype:)` with the sizes as arguments: `Tensor.ones(3, 4)`.
    public static func ones(_ shape: Int...) -> Tensor { ones(shape) }

    /// A tensor of zeros with `self`'s shape and dtype.
    public func zerosLike() -> Tensor { Tensor.zeros(shape, dtype: dtype) }

    /// `start, start + step, …` up to but excluding `end`, as PyTorch's `arange`.
    ///
    /// **Shapes:** `[ceil((end - start) / step)]`.
    public static func arange(_ start: Float = 0, _ end: Float, step: Float = 1, dtype: DType = .float32) -> Tensor {
        require(step != 0, "arange: step must not be 0")
        let n = Swift.max(0, Int(((Double(end) - Double(start)) / Double(step)).rounded(.up)))
        return Tensor(shape: [n], scalars: (0..<n).map { Double(start) + Double($0) * Double(step) }, dtype: dtype)
    }

    /// `count` evenly spaced values from `start` to `end`, both included.
    public static func linspace(_ start: Float, _ end: Float, count: Int, dtype: DType = .float32) -> Tensor {
        require(count >= 0, "linspace: count must not be negative, got \(count)")
        let span = Double(end) - Double(start)
        let values = (0..<count).map { i -> Double in
            if i == count - 1 { return Double(end) }
            return Double(start) + span * Double(i) / Double(Swift.max(count - 1, 1))
        }
        return Tensor(shape: [count], scalars: values, dtype: dtype)
    }

    /// The `n`×`m` identity matrix (`m` defaults to `n`): ones on the diagonal.
    public static func eye(_ n: Int, _ m: Int? = nil, dtype: DType = .float32) -> Tensor {
        let columns = m ?? n
        let out = Tensor(uninitializedShape: [n, columns], dtype: dtype)
        dtype.withStoredType(ElementWriter(out: out) { $0 / columns == $0 % columns ? 1 : 0 })
        return out
    }
}

extension Tensor {
    /// One-hot rows: row i has a 1 at column `indices[i]` and 0 elsewhere.
    ///
    /// **Shapes:** indices `[n]` (whole numbers in `0..<classes`) → `[n, classes]`.
    public static func oneHot(_ indices: Tensor, classes: Int, dtype: DType = .float32) -> Tensor {
        require(indices.rank == 1, "oneHot: indices must be one axis, got shape \(Shapes.text(indices.shape))")
        let columns = indices.classIndices(classes: classes, op: "oneHot")
        let out = Tensor(uninitializedShape: [columns.count, classes], dtype: dtype)
        dtype.withStoredType(ElementWriter(out: out) { columns[$0 / classes] == $0 % classes ? 1 : 0 })
        return out
    }

    /// The elements (row-major) as indices, stopping with a message naming `op` at the first that is not a whole
    /// number in `0..<classes` (`kind` says what the indices pick: a class, a row).
    package func classIndices(classes: Int, op: String, kind: String = "a class") -> [Int] {
        let labels = dtype.isFloatingPoint ? elements(as: Double.self) : integers.map(Double.init)
        return labels.enumerated().map { row, label in
            guard let column = Int(exactly: label), (0..<classes).contains(column) else {
                let text = Int(exactly: label).map(String.init) ?? "\(label)"
                fatalError("\(op): index \(text) at position \(row) is not \(kind) in 0..<\(classes)")
            }
            return column
        }
    }
}

extension Tensor {
    /// A float32 tensor of `shape` whose elements `initializer` writes, in row-major order, into the buffer
    /// it is given (no intermediate array).
    public convenience init(shape: [Int], initializingWith initializer: (UnsafeMutableBufferPointer<Float>) -> Void) {
        self.init(uninitializedShape: shape, dtype: .float32)
        initializer(UnsafeMutableBufferPointer(start: pointer(Float.self), count: count))
    }
}

/// Writes `value(i)` (converted as ``Tensor/to(_:)`` converts) into element i of a new contiguous tensor.
private struct ElementWriter: StoredElementVisitor {
    let out: Tensor
    let value: (Int) -> Double

    func visit<T: StoredElement>(_: T.Type) {
        let p = out.elementPointer(T.self)
        for i in 0..<out.count { p[i] = T(converting: value(i)) }
    }
}

/// Writes one value (converted as ``Tensor/to(_:)`` converts) into every element of a new contiguous tensor.
private struct ElementFill: StoredElementVisitor {
    let out: Tensor, value: Double

    func visit<T: StoredElement>(_: T.Type) {
        out.elementPointer(T.self).initialize(repeating: T(converting: value), count: out.count)
    }
}
