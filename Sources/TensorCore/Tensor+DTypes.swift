// Integer and bool tensors: conversions between every pair of dtypes, the copies, comparisons and selections
// that work on all of them, the promotion rule of mixed operands, and the check that stops a floating-point op
// on integers (the rule is written out on `DType`).

extension Tensor {
    /// Pointer to the first element as the type that holds this tensor's dtype.
    @inline(__always)
    func elementPointer<T: StoredElement>(_: T.Type) -> UnsafeMutablePointer<T> {
        storage.base.assumingMemoryBound(to: T.self) + offset
    }

    /// Stops with a message naming `op` unless this tensor holds float32 or float64 numbers.
    func requireArithmetic(_ op: String) {
        require(dtype.isArithmetic,
                "\(op): needs a float32 or float64 tensor, got \(dtype) of shape \(Shapes.text(shape)); convert it with to(.float32)")
    }

    /// The operands of a binary op `name`, converted to one dtype: a float32 or float64 beside an integer, bool,
    /// bfloat16 or float16 makes both that dtype; int32 beside int64 makes int64, bool beside an integer that
    /// integer; a 0-d operand (a number written as a literal) takes the other operand's dtype when both are
    /// float32/float64 or both are not; bfloat16 or float16 beside another of those dtypes makes both float32.
    /// float32 beside float64 stops: converting one to the other is asked for, never implied.
    static func promoted(_ a: Tensor, _ b: Tensor, name: String) -> (Tensor, Tensor) {
        if a.dtype == b.dtype { return (a, b) }
        let (aFloat, bFloat) = (a.dtype.isArithmetic, b.dtype.isArithmetic)
        if aFloat != bFloat { return aFloat ? (a, b.to(a.dtype)) : (a.to(b.dtype), b) }
        if b.rank == 0 && !b.requiresGrad { return (a, b.to(a.dtype)) }
        if a.rank == 0 && !a.requiresGrad { return (a.to(b.dtype), b) }
        require(!aFloat, "\(name): dtypes \(a.dtype) and \(b.dtype) differ; convert one with to(_:)")
        if a.dtype.isFloatingPoint || b.dtype.isFloatingPoint { return (a.to(.float32), b.to(.float32)) }
        let wider: DType = a.dtype == .int64 || b.dtype == .int64 ? .int64 : .int32
        return (a.to(wider), b.to(wider))
    }

    /// A 0-d tensor holding `value` for an op with `self`: in `self`'s dtype, except that a number with a
    /// fraction beside integers is a float32, PyTorch's default (so `ids .< 2.5` compares with 2.5, not 2).
    func scalarLike<S: BinaryFloatingPoint>(_ value: S) -> Tensor {
        let whole = !dtype.isFloatingPoint && Double(value) == Double(value).rounded() && Swift.abs(Double(value)) < 0x1p53
        if dtype.isFloatingPoint || whole { return Tensor(storing: Double(value), dtype: dtype) }
        return Tensor(storing: Double(value), dtype: .float32)
    }

    /// The elements converted to `dtype` (a copy; `self` when it already has that dtype). Floats become
    /// integers by truncation toward zero, saturating at the integer's range (NaN gives 0); anything becomes
    /// bool as "is not zero". Gradients flow back between float dtypes, converted to `self`'s dtype; integer
    /// and bool tensors never receive gradients.
    ///
    /// **Shapes:** unchanged.
    public func to(_ dtype: DType) -> Tensor {
        if dtype == self.dtype { return self }
        let out = Tensor(uninitializedShape: shape, dtype: dtype)
        self.dtype.withStoredType(ConversionFrom(source: contiguous(), out: out))
        guard self.dtype.isFloatingPoint && dtype.isFloatingPoint else { return out }
        let original = self.dtype
        return out.recorded("to", self) { g in [g.to(original)] }
    }

    /// Copies `source` (read through `sourceStrides`, broadcast to this shape) into this tensor's elements;
    /// both have this tensor's dtype.
    func copyElements(from source: Tensor, sourceStrides: [Int]) {
        if dtype.isArithmetic {
            Kernels.active.unary(.copy, dtype, shape: shape, out: rawPointer, outStrides: strides, a: source.rawPointer,
                                 aStrides: sourceStrides)
        } else {
            let broadcast = source.view(shape: shape, strides: sourceStrides, offset: source.offset)
            dtype.withStoredType(StridedCopy(out: self, source: broadcast))
        }
    }
}

extension Tensor {
    /// A bool tensor: whether `comparison` holds for each broadcast pair (operands promoted to one dtype first).
    static func compared(_ a: Tensor, _ b: Tensor, _ comparison: Comparison, name: String) -> Tensor {
        let (a, b) = promoted(a, b, name: name)
        let shape = Shapes.broadcastOrStop(a.shape, b.shape, op: name)
        let out = Tensor(uninitializedShape: shape, dtype: .bool)
        guard a.dtype.isArithmetic else {
            a.dtype.withStoredType(ComparisonWalk(comparison: comparison, out: out, a: a, b: b))
            return out
        }
        Kernels.active.compare(comparison, a.dtype, shape: shape, out: out.rawPointer, outStrides: out.strides,
                               a: a.rawPointer, aStrides: Shapes.broadcastStrides(shape: a.shape, strides: a.strides, to: shape),
                               b: b.rawPointer, bStrides: Shapes.broadcastStrides(shape: b.shape, strides: b.strides, to: shape))
        return out
    }

    /// `op(a, b)` for int32 or int64 operands of this tensor's dtype, wrapping on overflow as PyTorch's integer
    /// arithmetic does: add, subtract, multiply, maximum and minimum; any other op stops, naming it.
    func writeIntegers(_ op: BinaryOp, _ a: Tensor, _ b: Tensor) {
        let name = String("\(op)".prefix { $0 != "(" })
        if dtype.isFloatingPoint { requireArithmetic(name) }
        let function: (Int64, Int64) -> Int64
        switch op {
        case .add: function = { $0 &+ $1 }
        case .subtract: function = { $0 &- $1 }
        case .multiply: function = { $0 &* $1 }
        case .maximum: function = { Swift.max($0, $1) }
        case .minimum: function = { Swift.min($0, $1) }
        default: return requireArithmetic(name)
        }
        dtype.withStoredType(IntegerArithmetic(out: self, a: a, b: b, function: function))
    }

    /// `condition ? a : b` for operands of one dtype that is not floating point (floats have a kernel).
    func writeSelection(_ condition: Tensor, _ a: Tensor, _ b: Tensor) {
        dtype.withStoredType(SelectionWalk(out: self, condition: condition, a: a, b: b))
    }

    /// The sums of an integer or bool tensor laid out as `[outer, length, inner]`, as int64 (wrapping on
    /// overflow, as PyTorch's do).
    static func integerSums(_ source: Tensor, outer: Int, length: Int, inner: Int, shape: [Int]) -> Tensor {
        let out = Tensor(uninitializedShape: shape, dtype: .int64)
        source.dtype.withStoredType(IntegerSum(source: source, outer: outer, length: length, inner: inner, out: out))
        return out
    }
}

/// Converts a contiguous source of one stored type into `out` of another: through `Int64` from integers (exact),
/// through `Double` from floats.
private struct ConversionFrom: StoredElementVisitor {
    let source: Tensor, out: Tensor

    func visit<S: StoredElement>(_: S.Type) {
        out.dtype.withStoredType(ConversionTo<S>(source: source.elementPointer(S.self), out: out))
    }
}

private struct ConversionTo<S: StoredElement>: StoredElementVisitor {
    let source: UnsafeMutablePointer<S>, out: Tensor

    func visit<D: StoredElement>(_: D.Type) {
        let d = out.elementPointer(D.self), n = out.count
        if S.dtype.isFloatingPoint {
            for i in 0..<n { d[i] = D(converting: source[i].doubleValue) }
        } else {
            for i in 0..<n { d[i] = D(converting: source[i].integerValue) }
        }
    }
}

extension Tensor {
    /// Calls `body(at)` at every position of this tensor, where `at[0]` is this tensor's element offset and
    /// `at[k]` that of `operands[k - 1]` broadcast to this shape: the walk of the ops without a kernel.
    fileprivate func forEachPosition(broadcasting operands: [Tensor], _ body: (UnsafeMutablePointer<Int>) -> Void) {
        let all = [strides] + operands.map { Shapes.broadcastStrides(shape: $0.shape, strides: $0.strides, to: shape) }
        withUnsafeTemporaryAllocation(of: Int.self, capacity: all.count) { buffer in
            let at = buffer.baseAddress!
            StridedLayout(shape: shape, strides: all).forEachRow { offsets, n, step in
                for i in 0..<n {
                    for k in 0..<all.count { at[k] = offsets[k] + i * step[k] }
                    body(at)
                }
            }
        }
    }
}

private struct StridedCopy: StoredElementVisitor {
    let out: Tensor, source: Tensor

    func visit<T: StoredElement>(_: T.Type) {
        let (o, s) = (out.elementPointer(T.self), source.elementPointer(T.self))
        out.forEachPosition(broadcasting: [source]) { at in o[at[0]] = s[at[1]] }
    }
}

private struct ComparisonWalk: StoredElementVisitor {
    let comparison: Comparison, out: Tensor, a: Tensor, b: Tensor

    func visit<T: StoredElement>(_: T.Type) {
        let (o, x, y) = (out.elementPointer(UInt8.self), a.elementPointer(T.self), b.elementPointer(T.self))
        out.forEachPosition(broadcasting: [a, b]) { at in o[at[0]] = comparison.holds(x[at[1]], y[at[2]]) ? 1 : 0 }
    }
}

private struct SelectionWalk: StoredElementVisitor {
    let out: Tensor, condition: Tensor, a: Tensor, b: Tensor

    func visit<T: StoredElement>(_: T.Type) {
        let (o, c) = (out.elementPointer(T.self), condition.elementPointer(UInt8.self))
        let (x, y) = (a.elementPointer(T.self), b.elementPointer(T.self))
        out.forEachPosition(broadcasting: [condition, a, b]) { at in o[at[0]] = c[at[1]] != 0 ? x[at[2]] : y[at[3]] }
    }
}

private struct IntegerSum: StoredElementVisitor {
    let source: Tensor, outer: Int, length: Int, inner: Int, out: Tensor

    func visit<T: StoredElement>(_: T.Type) {
        let (s, d) = (source.elementPointer(T.self), out.elementPointer(Int64.self))
        for o in 0..<outer {
            for i in 0..<inner {
                var total: Int64 = 0
                for k in 0..<length { total &+= s[(o * length + k) * inner + i].integerValue }
                d[o * inner + i] = total
            }
        }
    }
}

private struct IntegerArithmetic: StoredElementVisitor {
    let out: Tensor, a: Tensor, b: Tensor
    let function: (Int64, Int64) -> Int64

    func visit<T: StoredElement>(_: T.Type) {
        let (o, x, y) = (out.elementPointer(T.self), a.elementPointer(T.self), b.elementPointer(T.self))
        out.forEachPosition(broadcasting: [a, b]) { at in
            o[at[0]] = T(converting: function(x[at[1]].integerValue, y[at[2]].integerValue))
        }
    }
}
