/// A height and a width: a kernel size, a stride, a padding or a dilation. The literal `2` means 2 × 2 and
/// `[2, 1]` means height 2, width 1, as PyTorch takes one number or a pair.
public struct Size2D: Equatable, Sendable, Codable, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral, CustomStringConvertible {
    /// Along the rows (H).
    public var height: Int
    /// Along the columns (W).
    public var width: Int

    /// A height and a width.
    public init(_ height: Int, _ width: Int) {
        self.height = height
        self.width = width
    }

    /// The same value along both axes.
    public init(integerLiteral value: Int) { self.init(value, value) }

    /// `[height, width]`; stops unless there are exactly two.
    public init(arrayLiteral elements: Int...) {
        require(elements.count == 2, "Size2D: needs [height, width], got \(elements)")
        self.init(elements[0], elements[1])
    }

    public var description: String { height == width ? "\(height)" : "(\(height), \(width))" }
}

/// The zero padding of a convolution: explicit sizes, or `.same` (the output as large as the input, stride 1
/// only; an odd total goes to the bottom and right, as PyTorch's `padding="same"`).
public enum Padding2D: Equatable, Sendable, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral {
    /// `height` rows above and below, `width` columns left and right.
    case explicit(Size2D)
    /// As much as keeps the output's size equal to the input's.
    case same

    /// The same padding on every side.
    public init(integerLiteral value: Int) { self = .explicit(Size2D(value, value)) }

    /// `[height, width]`.
    public init(arrayLiteral elements: Int...) {
        require(elements.count == 2, "Padding2D: needs [height, width], got \(elements)")
        self = .explicit(Size2D(elements[0], elements[1]))
    }
}
