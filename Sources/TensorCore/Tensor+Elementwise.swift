// The dtype dispatch between public ops and the generic kernels. Each public op calls one of these once,
// so a call costs one dispatch, not one per element.

extension Tensor {
    /// `op` applied to every element, as a new contiguous tensor; a floating-point op.
    func applying(_ op: UnaryOp) -> Tensor {
        requireArithmetic(String("\(op)".prefix { $0 != "(" }))
        let out = Tensor(uninitializedShape: shape, dtype: dtype)
        Kernels.active.unary(op, dtype, shape: shape, out: out.rawPointer, outStrides: out.strides, a: rawPointer,
                             aStrides: strides)
        return out
    }

    /// `op(a, b)` with broadcasting, as a new contiguous tensor; `name` is the op's name in error messages.
    /// The operands are promoted to one dtype (see ``DType``); integer operands take the integer path for the
    /// ops that have one and are divided as float32 (true division, as PyTorch's `/`).
    static func combining(_ a: Tensor, _ b: Tensor, _ op: BinaryOp, name: String) -> Tensor {
        var (a, b) = promoted(a, b, name: name)
        if !a.dtype.isFloatingPoint {
            if case .divide = op { (a, b) = (a.to(.float32), b.to(.float32)) }
            if a.dtype == .bool { (a, b) = (a.to(.int64), b.to(.int64)) }
        }
        let shape = Shapes.broadcastOrStop(a.shape, b.shape, op: name)
        let out = Tensor(uninitializedShape: shape, dtype: a.dtype)
        out.write(op, a, b)
        return out
    }

    /// Writes `op(a, b)` into `self`'s elements (through its strides); `a` and `b` broadcast to `self`'s shape and
    /// have its dtype.
    func write(_ op: BinaryOp, _ a: Tensor, _ b: Tensor) {
        guard dtype.isArithmetic else { return writeIntegers(op, a, b) }
        let aStrides = Shapes.broadcastStrides(shape: a.shape, strides: a.strides, to: shape)
        let bStrides = Shapes.broadcastStrides(shape: b.shape, strides: b.strides, to: shape)
        Kernels.active.binary(op, dtype, shape: shape, out: rawPointer, outStrides: strides, a: a.rawPointer,
                              aStrides: aStrides, b: b.rawPointer, bStrides: bStrides)
    }

    /// Copies `source`, broadcast to `self`'s shape, into `self`'s elements (through its strides); `name` is the
    /// writing op's name in error messages.
    func assign(from source: Tensor, name: String) {
        require(source.dtype == dtype, "\(name): dtypes \(source.dtype) and \(dtype) differ")
        let target = Shapes.broadcastOrStop(shape, source.shape, op: name)
        require(target == shape,
                "\(name): a tensor of shape \(Shapes.text(source.shape)) cannot be written into a view of shape \(Shapes.text(shape))")
        requireDistinctPositions(name)
        // A source that overlaps the destination (x[1...] = x[..<-1]) is copied first.
        let input = source.storage === storage ? source.copied() : source
        copyElements(from: input, sourceStrides: Shapes.broadcastStrides(shape: input.shape, strides: input.strides, to: shape))
    }

    /// Applies `op(self, other)` in place; rejects the tensors autograd is recording, whose old values a
    /// backward pass may still need.
    func update(_ op: BinaryOp, _ other: Tensor, name: String) {
        require(!(GradMode.isEnabled && requiresGrad),
                "\(name): in-place update of a tensor that requires gradients; do it inside withoutGradient { }")
        // Integers and bools (and a float literal into floats, and 16-bit floats into float32 or float64) convert
        // to this dtype; floats never into integers.
        let converts = !other.dtype.isFloatingPoint || (dtype.isFloatingPoint && other.rank == 0)
            || (dtype.isArithmetic && !other.dtype.isArithmetic)
        let other = converts ? other.to(dtype) : other
        require(other.dtype == dtype, "\(name): dtypes \(dtype) and \(other.dtype) differ")
        let target = Shapes.broadcastOrStop(shape, other.shape, op: name)
        require(target == shape,
                "\(name): shapes \(Shapes.text(shape)) and \(Shapes.text(other.shape)) cannot be broadcast in place (the result would be \(Shapes.text(target)))")
        requireDistinctPositions(name)
        write(op, self, other.storage === storage ? other.copied() : other)
    }

    /// A fresh contiguous copy that shares nothing with `self`.
    public func copied() -> Tensor {
        let out = Tensor(uninitializedShape: shape, dtype: dtype)
        out.copyElements(from: self, sourceStrides: strides)
        return out
    }
}

extension Tensor {
    /// Copies `source`'s values into this tensor's elements (through its strides), broadcasting `source` to
    /// this shape and converting its dtype. Not recorded by autograd: use it to load weights or to update
    /// parameters in place.
    public func replaceValues(with source: Tensor) {
        withoutGradient { assign(from: source.dtype == dtype ? source : source.to(dtype), name: "replaceValues") }
    }

    /// Makes this tensor use `source`'s memory instead of its own, without copying, when each is the whole of
    /// a contiguous storage of the same dtype and shape (a parameter and a tensor loaded from a file); returns
    /// whether it did, leaving the tensor unchanged when not. The tensor object stays the same, so whatever holds
    /// it (a module, an optimizer, a tied layer) sees the new values.
    /// Makes this whole, contiguous tensor hold its values in `dtype` (converted as ``to(_:)`` converts, in a
    /// storage of its own), staying the same tensor object: a module's parameter converted in place, as PyTorch's
    /// `param.data = param.data.to(dtype)`.
    package func convertStorage(to dtype: DType) {
        require(isContiguous && offset == 0 && storage.count == count,
                "convertStorage: needs a whole contiguous tensor, got a view of shape \(Shapes.text(shape))")
        storage = to(dtype).storage
    }

    package func shareStorage(of source: Tensor) -> Bool {
        guard source.dtype == dtype, source.shape == shape, offset == 0, source.offset == 0, isContiguous,
              source.isContiguous, storage.count == count, source.storage.count == count else { return false }
        storage = source.storage
        return true
    }
}
