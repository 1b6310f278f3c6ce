// Mixed precision as PyTorch's `torch.autocast("cpu", dtype=torch.bfloat16)`: within a scope, the ops bound by
// matrix products read their float32 operands as bfloat16 and sum in float32; everything else is unchanged.

/// Which products run in bfloat16: the scope set by ``withAutocast(_:enabled:_:)``.
public enum Autocast {
    private static let scoped = ScopedOverride<DType?>()

    /// The dtype products read their operands in within the current ``withAutocast(_:enabled:_:)`` scope of this
    /// task (`.bfloat16`), or nil outside one (or inside one with `enabled: false`).
    public static var dtype: DType? { scoped.current ?? nil }

    static func withDType<Result>(_ dtype: DType?, _ body: () throws -> Result) rethrows -> Result {
        try scoped.withValue(dtype, body)
    }
}

/// Runs `body` with mixed precision, as `with torch.autocast("cpu", dtype=torch.bfloat16):`. Inside, matrix
/// products (`matmul`, `linear`, `einsum`'s products, `conv2d`'s, `scaledDotProductAttention`'s) of float32
/// operands read them as bfloat16 (rounded to nearest even as they are read, without copies) and sum in
/// float32: on `VDPBF16PS`, twice the float32 multiply-adds per cycle, where the kernel family is
/// `KernelFamily.avx512bf16`, and elsewhere as float32 products of the rounded operands (the same numbers up to
/// the sums' order). Their results are float32, and
/// so is everything else: elementwise ops, reductions, softmax, normalisation, losses, and the parameters and
/// the optimizer's state (the master weights). bfloat16 has float32's range, so no loss scaling is needed.
///
/// The backward pass of a product recorded inside the scope runs in bfloat16 too, wherever `backward()` is
/// called (call it outside the scope, as PyTorch advises); gradients arrive as float32. Outside the scope
/// nothing changes, bit for bit.
///
/// The scope is this task's (and its child tasks'), as `Parallelism.withThreadCount(_:_:)` is.
///
/// ```swift
/// let loss = withAutocast { crossEntropy(logits: model(x), targets: y) }
/// loss.backward()
/// optimizer.step()
/// ```
///
/// - Parameters:
///   - dtype: the products' operand dtype: `.bfloat16` (the only one; float16 autocast is a GPU technique that
///     needs loss scaling).
///   - enabled: false runs `body` without mixed precision, also inside an enclosing scope (PyTorch's
///     `enabled=False`).
///   - body: the code that runs in the scope; its result is returned.
public func withAutocast<Result>(_ dtype: DType = .bfloat16, enabled: Bool = true,
                                 _ body: () throws -> Result) rethrows -> Result {
    require(dtype == .bfloat16, "withAutocast: products run in bfloat16 only, got \(dtype)")
    return try Autocast.withDType(enabled ? dtype : nil, body)
}
