import Foundation
import TensorCore

/// A dataset in the MNIST format (MNIST, Fashion-MNIST, KMNIST): 28×28 grey images with a class label each.
///
/// Images stay as bytes in memory (60 000 images cost 47 MB, not 188 MB) and become normalised float32 batches
/// only when a ``DataLoader`` asks for them.
public struct MNIST: Sendable {
    /// Which part of the dataset.
    public enum Split: String, Sendable {
        /// The training set (`train-*` files).
        case train
        /// The test set (`t10k-*` files).
        case test
    }

    /// Every image's pixels, row-major, `count × rows × columns` bytes.
    public let pixels: [UInt8]
    /// Every image's class.
    public let labels: [UInt8]
    /// Number of images.
    public let count: Int
    /// Image height.
    public let rows: Int
    /// Image width.
    public let columns: Int

    /// The number of classes; every label is below it.
    public let classCount: Int

    /// Pixels per image.
    public var imageSize: Int { rows * columns }

    /// The classes of MNIST, Fashion-MNIST and KMNIST.
    public static let standardClassCount = 10

    /// An in-memory dataset (tests build small ones); stops if the pixels do not fill `labels.count` images or a
    /// label is not below `classCount`.
    public init(pixels: [UInt8], labels: [UInt8], rows: Int, columns: Int, classCount: Int = standardClassCount) {
        require(rows >= 0 && columns >= 0 && pixels.count == labels.count * rows * columns,
                "MNIST: \(pixels.count) pixels for \(labels.count) images of \(rows)×\(columns)")
        require(classCount >= 1 && classCount <= 256, "MNIST: classCount must be in 1...256, got \(classCount)")
        let outside = Self.firstLabel(in: labels, notBelow: classCount)
        require(outside == nil, "MNIST: \(Self.labelProblem(labels, outside ?? 0, classCount))")
        self.pixels = pixels
        self.labels = labels
        count = labels.count
        self.rows = rows
        self.columns = columns
        self.classCount = classCount
    }

    /// The first `n` images.
    public func prefix(_ n: Int) -> MNIST {
        let kept = Swift.min(Swift.max(n, 0), count)
        return MNIST(pixels: Array(pixels.prefix(kept * imageSize)), labels: Array(labels.prefix(kept)), rows: rows,
                     columns: columns, classCount: classCount)
    }

    private static func firstLabel(in labels: [UInt8], notBelow classCount: Int) -> Int? {
        labels.firstIndex { Int($0) >= classCount }
    }

    private static func labelProblem(_ labels: [UInt8], _ index: Int, _ classCount: Int) -> String {
        "label \(labels[index]) at index \(index) is not one of the \(classCount) classes (0...\(classCount - 1))"
    }

    /// Loads one split from `directory`, which holds `train-images-idx3-ubyte(.gz)`,
    /// `train-labels-idx1-ubyte(.gz)`, `t10k-images-idx3-ubyte(.gz)` and `t10k-labels-idx1-ubyte(.gz)`.
    ///
    /// - Parameters:
    ///   - directory: the folder of the four files.
    ///   - split: the training or the test set.
    ///   - classCount: how many classes the dataset has (10 for MNIST, Fashion-MNIST and KMNIST).
    /// - Throws: ``DatasetError`` for a missing folder or file, a corrupt file, images and labels that do not
    ///   match, or a label outside the classes (naming the file, the index and the label).
    public static func load(from directory: URL, split: Split, classCount: Int = standardClassCount) throws -> MNIST {
        let prefix = split == .train ? "train" : "t10k"
        let imagesURL = try file(in: directory, prefix + "-images-idx3-ubyte", prefix + "-images.idx3-ubyte")
        let labelsURL = try file(in: directory, prefix + "-labels-idx1-ubyte", prefix + "-labels.idx1-ubyte")
        let images = try IDXArray.read(imagesURL)
        let labels = try IDXArray.read(labelsURL)
        guard images.shape.count == 3 else {
            throw DatasetError(path: imagesURL.path, problem: "images must have 3 dimensions, found \(images.shape)")
        }
        guard labels.shape.count == 1 else {
            throw DatasetError(path: labelsURL.path, problem: "labels must have 1 dimension, found \(labels.shape)")
        }
        guard images.shape[0] == labels.shape[0] else {
            throw DatasetError(path: labelsURL.path, problem: "\(labels.shape[0]) labels for \(images.shape[0]) images")
        }
        if let index = firstLabel(in: labels.bytes, notBelow: classCount) {
            throw DatasetError(path: labelsURL.path, problem: labelProblem(labels.bytes, index, classCount))
        }
        return MNIST(pixels: images.bytes, labels: labels.bytes, rows: images.shape[1], columns: images.shape[2],
                     classCount: classCount)
    }

    private static func file(in directory: URL, _ names: String...) throws -> URL {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DatasetError(path: directory.path, problem: "no such folder")
        }
        for name in names {
            for candidate in [name + ".gz", name] {
                let url = directory.appendingPathComponent(candidate)
                if FileManager.default.fileExists(atPath: url.path) { return url }
            }
        }
        throw DatasetError(path: directory.appendingPathComponent(names[0] + ".gz").path, problem: "no such file (nor an uncompressed one)")
    }

    /// Images `indices` as a normalised float32 batch and their labels as int64 class indices.
    ///
    /// **Shapes:** images `[indices.count, rows·columns]`, labels `[indices.count]`.
    public func batch(_ indices: some Collection<Int>, normalization: Normalization) -> (images: Tensor, labels: Tensor) {
        let size = imageSize
        // (p / 255 − mean) / std as one multiply-add per pixel.
        let scale = Float(1 / (255 * normalization.standardDeviation))
        let shift = Float(-normalization.mean / normalization.standardDeviation)
        let images = Tensor(shape: [indices.count, size]) { out in
            pixels.withUnsafeBufferPointer { source in
                for (row, index) in indices.enumerated() {
                    let from = source.baseAddress! + index * size
                    let to = out.baseAddress! + row * size
                    for j in 0..<size { to[j] = Float(from[j]) * scale + shift }
                }
            }
        }
        let labels = Tensor(shape: [indices.count], integers: indices.map { Int(self.labels[$0]) })
        return (images, labels)
    }

    /// The class names of Fashion-MNIST, in label order.
    public static let fashionClassNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                                           "Sneaker", "Bag", "Ankle boot"]
}

/// How pixels become model inputs: x = (p / 255 − mean) / standardDeviation.
public struct Normalization: Sendable, Equatable, Codable {
    /// Mean of the training pixels scaled to [0, 1].
    public let mean: Double
    /// Their standard deviation.
    public let standardDeviation: Double

    /// Statistics of pixels scaled to [0, 1].
    public init(mean: Double, standardDeviation: Double) {
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    /// Fashion-MNIST's training set: mean 0.28604, standard deviation 0.35302 (the values PyTorch runs use).
    public static let fashionMNIST = Normalization(mean: 0.28604, standardDeviation: 0.35302)

    /// The mean and standard deviation of a training set's own pixels.
    public static func of(_ dataset: MNIST) -> Normalization {
        var sum = 0.0, squares = 0.0
        for pixel in dataset.pixels {
            let value = Double(pixel) / 255
            sum += value
            squares += value * value
        }
        let n = Double(Swift.max(dataset.pixels.count, 1))
        let mean = sum / n
        return Normalization(mean: mean, standardDeviation: Swift.max((squares / n - mean * mean).squareRoot(), 1e-6))
    }
}
