import Foundation
import Testing

/// Rules about the library's own source that a reviewer would otherwise have to remember.
@Suite struct SourceRulesTests {
    /// The package's `Sources` folder, found from this file's path (tests run from a clone).
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    /// `precondition` and `assert` drop their messages in release builds (or vanish): programming errors stop
    /// through `require`, whose message names the op and the shapes in every build.
    @Test func noCheckLosesItsMessageInReleaseBuilds() throws {
        let files = try #require(FileManager.default.enumerator(at: Self.sources, includingPropertiesForKeys: nil))
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
        #expect(files.count > 50)
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = line.split(separator: "//", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
                for check in ["precondition(", "assert(", "assertionFailure("] where code.contains(check) {
                    Issue.record("\(file.lastPathComponent):\(number + 1) uses \(check)…): use require(_:_:) or throw")
                }
            }
        }
    }
}
