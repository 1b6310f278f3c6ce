import Foundation
import Testing
@testable import TensorCore

/// PyTorch reference values from `Resources/*.json` (copied from the project's shared fixtures; format in
/// `Resources/README.md`).
struct Fixture {
    let root: [String: Any]

    init(_ name: String) throws {
        let data = try Data(contentsOf: try Fixture.url(name, "json"))
        root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// The test resource `name.ext` (a fixture's JSON, or a file PyTorch or NumPy wrote beside it).
    static func url(_ name: String, _ ext: String) throws -> URL {
        try #require(Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Resources"),
                     "\(name).\(ext) is missing from the test resources")
    }

    /// The tensor stored under `key` (a `{"shape", "data"}` object), as float64 so no digit is lost.
    func tensor(_ key: String, dtype: DType = .float32) throws -> Tensor {
        try Fixture.tensor(try #require(root[key], "fixture has no key \(key)"), dtype: dtype)
    }

    static func tensor(_ object: Any, dtype: DType = .float32) throws -> Tensor {
        let dict = try #require(object as? [String: Any])
        let shape = try #require(dict["shape"] as? [Int])
        let raw = try #require(dict["data"] as? [Any])
        let data = raw.map { value -> Double in
            if let number = value as? NSNumber { return number.doubleValue }
            return Double("\(value)") ?? .nan
        }
        return Tensor(shape: shape, scalars: data, dtype: dtype)
    }
}
