import Datasets
import Testing
@testable import TensorCore

/// Flips and crops: each image comes out mirrored or not, shifted within the padding with black filled in, and
/// the same seed and epoch give the same batches.
@Suite struct AugmentationTests {
    /// One 3×4 image with pixels 1…12, so that every change can be recognised.
    static let image = MNIST(pixels: (1...12).map(UInt8.init), labels: [3], rows: 3, columns: 4)
    static let identity = Normalization(mean: 0, standardDeviation: 1.0 / 255)

    static func pixels(_ loader: DataLoader, epoch: Int) -> [Float] {
        Array(loader.batches(epoch: epoch)).first!.inputs.scalars
    }

    @Test func flipMirrorsSomeEpochsAndKeepsTheOthers() {
        let loader = DataLoader(Self.image, batchSize: 1, seed: 7, normalization: Self.identity, augmentation: Augmentation(flip: true))
        let original: [Float] = (1...12).map(Float.init)
        let mirrored: [Float] = [4, 3, 2, 1, 8, 7, 6, 5, 12, 11, 10, 9]
        let seen = (0..<20).map { Self.pixels(loader, epoch: $0) }
        #expect(seen.allSatisfy { $0 == original || $0 == mirrored })
        #expect(seen.contains(original) && seen.contains(mirrored))
        #expect(Array(loader.batches(epoch: 0)).first!.targets.scalars == [3])
    }

    @Test func cropShiftsWithinThePaddingAndFillsBlack() {
        let loader = DataLoader(Self.image, batchSize: 1, seed: 1, normalization: Self.identity,
                                augmentation: Augmentation(cropPadding: 1))
        let original = (1...12).map(Float.init)
        var shifts = Set<[Float]>()
        for epoch in 0..<30 {
            let crop = Self.pixels(loader, epoch: epoch)
            // Some shift (dy, dx) in −1...1 explains every pixel.
            let explained = (-1...1).contains { dy in
                (-1...1).contains { dx in
                    (0..<3).allSatisfy { y in
                        (0..<4).allSatisfy { x in
                            let (sy, sx) = (y + dy, x + dx)
                            let expected: Float = sy >= 0 && sy < 3 && sx >= 0 && sx < 4 ? original[sy * 4 + sx] : 0
                            return crop[y * 4 + x] == expected
                        }
                    }
                }
            }
            #expect(explained, "\(crop)")
            shifts.insert(crop)
        }
        #expect(shifts.count > 3)
    }

    @Test func theSameSeedAndEpochGiveTheSameBatches() {
        let data = MNIST(pixels: (0..<(8 * 12)).map { UInt8($0 % 256) }, labels: [UInt8](repeating: 1, count: 8), rows: 3, columns: 4)
        let make = { DataLoader(data, batchSize: 3, shuffle: true, seed: 5, normalization: Self.identity,
                                augmentation: Augmentation(flip: true, cropPadding: 1)) }
        let (a, b) = (make(), make())
        #expect(Array(a.batches(epoch: 2)).map(\.inputs.scalars) == Array(b.batches(epoch: 2)).map(\.inputs.scalars))
        #expect(Array(a.batches(epoch: 2)).map(\.inputs.scalars) != Array(a.batches(epoch: 3)).map(\.inputs.scalars))
    }
}
