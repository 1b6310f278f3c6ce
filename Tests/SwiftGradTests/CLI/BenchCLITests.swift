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
}
