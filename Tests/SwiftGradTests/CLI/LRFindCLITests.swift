import Datasets
import Foundation
import Testing

/// `swiftgrad lr-find` on the bundled sample: a suggestion, the picture, and nothing else written.
@Suite(.serialized) struct LRFindCLITests {
    @Test func lrFindSuggestsARateAndDrawsTheCurve() throws {
        let out = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let result = try runCLI(["lr-find", "--data", DataSource.embeddedSample.directory.path, "--hidden", "16",
                                 "--limit", "500", "--batch-size", "50", "--steps", "30", "--threads", "1", "--out", out.path])
        #expect(result.status == 0, "\(result.errors)")
        let line = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("suggested learning rate: ") })
        let rate = try #require(Double(line.dropFirst("suggested learning rate: ".count).prefix { $0 != " " }))
        #expect(rate > 1e-7 && rate < 10)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path) == ["lr-find.svg"])
        #expect(try String(contentsOf: out.appendingPathComponent("lr-find.svg"), encoding: .utf8).contains("learning-rate finder"))
        let refused = try runCLI(["lr-find", "--start", "1", "--end", "0.1"])
        #expect(refused.status != 0 && refused.errors.contains("--start and --end must be positive with --start below --end"))
    }
}
