import TensorCore

/// Random changes to training images, drawn afresh for every image of every epoch from the loader's seed (the
/// same seed gives the same batches), as torchvision's `RandomHorizontalFlip()` and
/// `RandomCrop(size, padding: p)`.
public struct Augmentation: Sendable, Equatable, Codable {
    /// Mirror each image left to right with probability ½.
    public var flip: Bool
    /// Pad each image with `cropPadding` black pixels on every side and cut a window of the original size at a
    /// random position (0: no crop).
    public var cropPadding: Int

    /// The augmentation with the given parts.
    public init(flip: Bool = false, cropPadding: Int = 0) {
        require(cropPadding >= 0, "Augmentation: cropPadding must not be negative, got \(cropPadding)")
        self.flip = flip
        self.cropPadding = cropPadding
    }

    /// No change.
    public static let none = Augmentation()

    /// Whether it changes anything.
    public var isEnabled: Bool { flip || cropPadding > 0 }

    /// Writes image `source` (`rows` × `columns` bytes), changed by this augmentation's draws from `generator`,
    /// into `target`.
    func apply(_ source: UnsafePointer<UInt8>, into target: UnsafeMutablePointer<UInt8>, rows: Int, columns: Int,
               generator: RandomGenerator) {
        let (mirrored, dy, dx) = generator.withLock { g -> (Bool, Int, Int) in
            let mirrored = flip && g.nextInt(below: 2) == 1
            let span = UInt64(2 * cropPadding + 1)
            let dy = cropPadding > 0 ? Int(g.nextInt(below: span)) - cropPadding : 0
            let dx = cropPadding > 0 ? Int(g.nextInt(below: span)) - cropPadding : 0
            return (mirrored, dy, dx)
        }
        for y in 0..<rows {
            let sourceRow = y + dy
            for x in 0..<columns {
                let sourceColumn = (mirrored ? columns - 1 - x : x) + dx
                let inside = sourceRow >= 0 && sourceRow < rows && sourceColumn >= 0 && sourceColumn < columns
                target[y * columns + x] = inside ? source[sourceRow * columns + sourceColumn] : 0
            }
        }
    }
}
