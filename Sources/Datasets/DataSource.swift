import Foundation

/// Where training data comes from, in order of preference: a folder given by the user, the Debian package
/// `dataset-fashion-mnist`, or the Fashion-MNIST sample shipped inside SwiftGrad (6 000 training and 1 000
/// test images), so that training works on a fresh machine with no network.
public enum DataSource: Sendable, Equatable, CustomStringConvertible {
    /// A folder of MNIST-format files.
    case folder(URL)
    /// The sample bundled with the package.
    case embeddedSample

    /// Where the Debian package `dataset-fashion-mnist` installs its files.
    public static let debianFashionMNIST = URL(fileURLWithPath: "/usr/share/datasets/fashion-mnist")

    /// The folder the user named, else the Debian package's folder when it is installed, else the sample.
    public static func resolve(data: String?) -> DataSource {
        if let data { return .folder(URL(fileURLWithPath: data)) }
        if FileManager.default.fileExists(atPath: debianFashionMNIST.appendingPathComponent("train-images-idx3-ubyte.gz").path) {
            return .folder(debianFashionMNIST)
        }
        return .embeddedSample
    }

    /// The folder holding the files.
    public var directory: URL {
        switch self {
        case .folder(let url): return url
        case .embeddedSample:
            return Bundle.module.url(forResource: "fashion-mnist-sample", withExtension: nil, subdirectory: "Resources")
                ?? Bundle.module.bundleURL.appendingPathComponent("Resources/fashion-mnist-sample")
        }
    }

    /// Loads one split.
    public func load(_ split: MNIST.Split) throws -> MNIST { try MNIST.load(from: directory, split: split) }

    public var description: String {
        switch self {
        case .folder(let url): return url == DataSource.debianFashionMNIST ? "\(url.path) (Debian package dataset-fashion-mnist)" : url.path
        case .embeddedSample: return "the Fashion-MNIST sample bundled with SwiftGrad (6 000 training, 1 000 test images)"
        }
    }
}
