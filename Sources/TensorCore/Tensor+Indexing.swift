// Indexing and slicing: `a[i]`, `b[.all, j]`, `c[.ellipsis, 1..<3]`, `c[1..., .step(2)]`.

/// A value that can index one axis of a tensor: an `Int` (negative counts from the end), a range
/// (`1..<3`, `1...`, `..<2`, `...4`; negative bounds count from the end), or a ``TensorIndex``
/// (`.all`, `.ellipsis`, `.newAxis`, `.step(2)`, `.slice(1, nil, step: 2)`).
public protocol TensorIndexConvertible {
    /// This value as a tensor index.
    var tensorIndex: TensorIndex { get }
}

/// One entry of a tensor subscript. Spell them through ``TensorIndexConvertible``'s static members:
///
/// | PyTorch | SwiftGrad |
/// |---|---|
/// | `a[i]` | `a[i]` |
/// | `b[:, j]` | `b[.all, j]` |
/// | `c[..., 1:3]` | `c[.ellipsis, 1..<3]` |
/// | `c[1:, ::2]` | `c[1..., .step(2)]` |
/// | `c[None]` | `c[.newAxis]` |
/// | `c[1:7:3]` | `c[.slice(1, 7, step: 3)]` |
public struct TensorIndex: TensorIndexConvertible, Sendable {
    enum Kind: Sendable {
        case at(Int)
        case slice(start: Int?, end: Int?, endInclusive: Bool, step: Int)
        case all
        case ellipsis
        case newAxis
    }

    let kind: Kind

    public var tensorIndex: TensorIndex { self }
}

extension TensorIndexConvertible where Self == TensorIndex {
    /// Every position of one axis: PyTorch's `:`.
    public static var all: TensorIndex { TensorIndex(kind: .all) }
    /// As many `.all` as the other indices leave: PyTorch's `...`.
    public static var ellipsis: TensorIndex { TensorIndex(kind: .ellipsis) }
    /// A new axis of size 1: PyTorch's `None`.
    public static var newAxis: TensorIndex { TensorIndex(kind: .newAxis) }
    /// Every `step`-th position from the start: PyTorch's `::step`.
    public static func step(_ step: Int) -> TensorIndex {
        TensorIndex(kind: .slice(start: nil, end: nil, endInclusive: false, step: step))
    }
    /// Positions `start`, `start + step`, … before `end`: PyTorch's `start:end:step` (nil bounds mean the ends).
    public static func slice(_ start: Int?, _ end: Int?, step: Int = 1) -> TensorIndex {
        TensorIndex(kind: .slice(start: start, end: end, endInclusive: false, step: step))
    }
}

extension Int: TensorIndexConvertible {
    public var tensorIndex: TensorIndex { TensorIndex(kind: .at(self)) }
}

extension Range: TensorIndexConvertible where Bound == Int {
    public var tensorIndex: TensorIndex {
        TensorIndex(kind: .slice(start: lowerBound, end: upperBound, endInclusive: false, step: 1))
    }
}

extension ClosedRange: TensorIndexConvertible where Bound == Int {
    public var tensorIndex: TensorIndex {
        TensorIndex(kind: .slice(start: lowerBound, end: upperBound, endInclusive: true, step: 1))
    }
}

extension PartialRangeFrom: TensorIndexConvertible where Bound == Int {
    public var tensorIndex: TensorIndex {
        TensorIndex(kind: .slice(start: lowerBound, end: nil, endInclusive: false, step: 1))
    }
}

extension PartialRangeUpTo: TensorIndexConvertible where Bound == Int {
    public var tensorIndex: TensorIndex {
        TensorIndex(kind: .slice(start: nil, end: upperBound, endInclusive: false, step: 1))
    }
}

extension PartialRangeThrough: TensorIndexConvertible where Bound == Int {
    public var tensorIndex: TensorIndex {
        TensorIndex(kind: .slice(start: nil, end: upperBound, endInclusive: true, step: 1))
    }
}

extension Tensor {
    /// The view selected by `indices`, one per axis from the left (missing trailing axes are kept whole).
    /// An `Int` removes its axis; ranges and `.step` keep it. Assigning writes through the view into this
    /// tensor's storage, broadcasting the new value: `x[.all, 0] = 0`, `c[i] = row`.
    ///
    /// **Shapes:** `[2, 3, 4][1]` → `[3, 4]`; `[2, 3, 4][.all, 2]` → `[2, 4]`; `[2, 3, 4][.ellipsis, 1..<3]`
    /// → `[2, 3, 2]`.
    public subscript(_ indices: any TensorIndexConvertible...) -> Tensor {
        get { self[indices: indices.map(\.tensorIndex)] }
        set { self[indices: indices.map(\.tensorIndex)] = newValue }
    }

    /// The subscript with the indices as an array, for indices built at run time.
    public subscript(indices indices: [TensorIndex]) -> Tensor {
        get {
            let (shape, strides, offset) = selection(indices)
            let original = self.shape
            let result = view(shape: shape, strides: strides, offset: offset)
            return result.recorded("index", self) { g in
                [Tensor.viewGradient(g, baseShape: original) { full in
                    let (shape, strides, offset) = full.selection(indices)
                    return full.view(shape: shape, strides: strides, offset: offset)
                }]
            }
        }
        set {
            require(!(GradMode.isEnabled && requiresGrad),
                    "index assignment: the tensor requires gradients; assign inside withoutGradient { }")
            let (shape, strides, offset) = selection(indices)
            let target = view(shape: shape, strides: strides, offset: offset)
            let value = newValue.dtype == dtype ? newValue : newValue.to(dtype)
            target.assign(from: value, name: "index assignment")
        }
    }

    /// The shape, strides and offset of the view that `indices` select.
    func selection(_ indices: [TensorIndex]) -> (shape: [Int], strides: [Int], offset: Int) {
        let ellipses = indices.filter { if case .ellipsis = $0.kind { return true } else { return false } }.count
        require(ellipses <= 1, "index: at most one .ellipsis is allowed")
        let consuming = indices.filter {
            switch $0.kind {
            case .ellipsis, .newAxis: return false
            default: return true
            }
        }.count
        require(consuming <= rank,
                "index: \(consuming) indices for a tensor of rank \(rank), shape \(Shapes.text(shape))")
        var expanded: [TensorIndex.Kind] = []
        for index in indices {
            if case .ellipsis = index.kind {
                expanded += Array(repeating: .all, count: rank - consuming)
            } else {
                expanded.append(index.kind)
            }
        }
        var newShape: [Int] = [], newStrides: [Int] = []
        var newOffset = offset
        var axis = 0
        for kind in expanded {
            switch kind {
            case .newAxis:
                newShape.append(1)
                newStrides.append(0)
            case .all:
                newShape.append(shape[axis])
                newStrides.append(strides[axis])
                axis += 1
            case .at(let i):
                let size = shape[axis]
                require(i >= -size && i < size,
                        "index: \(i) is out of range for axis \(axis) of size \(size) (valid: \(-size)...\(size - 1)), shape \(Shapes.text(shape))")
                newOffset += (i < 0 ? i + size : i) * strides[axis]
                axis += 1
            case .slice(let start, let end, let endInclusive, let step):
                require(step > 0, "index: slice step must be positive, got \(step)")
                let size = shape[axis]
                func clampedBound(_ value: Int) -> Int {
                    let v = value < 0 ? value + size : value
                    return Swift.min(Swift.max(v, 0), size)
                }
                let lower = start.map(clampedBound) ?? 0
                var upper = size
                if let end {
                    let e = end < 0 ? end + size : end
                    upper = Swift.min(Swift.max(endInclusive ? e + 1 : e, 0), size)
                }
                let length = upper > lower ? (upper - lower + step - 1) / step : 0
                newShape.append(length)
                newStrides.append(strides[axis] * step)
                if length > 0 { newOffset += lower * strides[axis] }
                axis += 1
            case .ellipsis:
                break
            }
        }
        while axis < rank {
            newShape.append(shape[axis])
            newStrides.append(strides[axis])
            axis += 1
        }
        return (newShape, newStrides, newOffset)
    }
}
