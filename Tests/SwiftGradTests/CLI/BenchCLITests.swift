import Foundation
import Testing

/// `swiftgrad bench` end to end on tiny shapes: the JSON each command promises (numbers are not checked: the
/// tests run a debug build).
@Suite struct BenchCLITests {
    struct Results: Decodable {
        struct Result: Decodable {
            let name: String
            let batch: Int
            let sizes: [Int]
            let median_seconds: Double
            let threads: Int
        }
        let results: [Result]
    }

    @Test func inferencePrintsOneResultPerBatchSize() throws {
        let run = try runCLI(["bench", "inference", "--sizes", "8,4,2", "--batches", "1,3", "--threads", "1", "--json"])
        #expect(run.status == 0, "\(run.errors)")
        let last = try #require(run.stdout.split(separator: "\n").last)
        let decoded = try JSONDecoder().decode(Results.self, from: Data(last.utf8))
        #expect(decoded.results.map(\.batch) == [1, 3])
        #expect(decoded.results.allSatisfy { $0.name == "mlp_inference" && $0.sizes == [8, 4, 2] && $0.threads == 1 })
        #expect(decoded.results.allSatisfy { $0.median_seconds > 0 && $0.median_seconds < 1 })
    }

    struct GEMMResults: Decodable {
        struct Result: Decodable {
            let shape: String
            let model: String?
            let calls_per_step: Int?
            let gflops: Double
        }
        let results: [Result]
    }

    /// `bench gemm --shapes lesson` lists the lesson's step's products (its forward x·W1 and h·W2, their gradients),
    /// and a file of shapes is read as `--sizes` would be, comments and blank lines skipped.
    @Test func gemmShapesOfAModelsStepAndOfAFile() throws {
        let run = try runCLI(["bench", "gemm", "--shapes", "lesson", "--threads", "1", "--json"])
        #expect(run.status == 0, "\(run.errors)")
        let lesson = try JSONDecoder().decode(GEMMResults.self, from: Data(try #require(run.stdout.split(separator: "\n").last).utf8))
        #expect(Set(lesson.results.map(\.shape)).isSuperset(of: ["200x100x50", "100Tx200x50", "200x50x1"]))
        #expect(lesson.results.allSatisfy { $0.model == "lesson" && $0.calls_per_step == 1 && $0.gflops > 0 })
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("gemm-shapes-\(getpid()).txt")
        try "# the lesson's first layer\n200x100x50  # forward\n\n7Tx3x5T\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let listed = try runCLI(["bench", "gemm", "--shapes", file.path, "--threads", "1", "--json"])
        #expect(listed.status == 0, "\(listed.errors)")
        let sizes = try JSONDecoder().decode(GEMMResults.self, from: Data(try #require(listed.stdout.split(separator: "\n").last).utf8))
        #expect(sizes.results.map(\.shape) == ["200x100x50", "7Tx3x5T"])
    }
}
