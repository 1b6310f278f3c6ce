import Foundation
import Testing
@testable import Pretrained

/// `swiftgrad embed` on the tests' small BERT folder: the library's embeddings as JSON and .npy, and one line for
/// each bad input with nothing written.
@Suite struct EmbedCLITests {
    @Test func embedsLinesAsTheLibraryDoes() throws {
        let folder = try temporaryFolder()
        let lines = folder.appendingPathComponent("lines.txt"), npy = folder.appendingPathComponent("out.npy")
        let sentences = ["Hello, world!", "The quick brown fox.", "中文分词测试"]
        try Data(sentences.joined(separator: "\n").appending("\n").utf8).write(to: lines)
        let model = SentenceEmbedderTests.folder.path
        let result = try runCLI(["embed", "--model", model, lines.path, "--json"])
        #expect(result.status == 0, "\(result.errors)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let rows = try #require(object["embeddings"] as? [[Double]])
        let expected = try SentenceEmbedder(folder: SentenceEmbedderTests.folder).embed(sentences)
        #expect(rows.count == 3 && rows.flatMap { $0 }.map(Float.init) == expected.scalars)
        #expect(try runCLI(["embed", "--model", model, lines.path, "--npy", npy.path]).status == 0)
        #expect(FileManager.default.fileExists(atPath: npy.path))
    }

    @Test func badInputIsOneLineAndWritesNothing() throws {
        let folder = try temporaryFolder()
        let binary = folder.appendingPathComponent("binary.txt"), npy = folder.appendingPathComponent("out.npy")
        try Data([0x66, 0xff, 0xfe, 0x0a]).write(to: binary)
        let model = SentenceEmbedderTests.folder.path
        let cases: [([String], String)] = [
            (["embed", "--model", model, binary.path, "--npy", npy.path], "swiftgrad: \(binary.path): not UTF-8 text"),
            (["embed", "--model", folder.path, binary.path, "--npy", npy.path], "swiftgrad: \(folder.path)/config.json: no such file"),
            (["embed", "--model", model, folder.appendingPathComponent("missing.txt").path], "cannot be read"),
            (["embed", "--model", model, "--batch-size", "0", binary.path], "--batch-size must be at least 1"),
        ]
        for (arguments, message) in cases {
            let result = try runCLI(arguments)
            #expect(result.status != 0 && result.errors.contains(message), "\(arguments): \(result.errors)")
            #expect(result.errors.split(separator: "\n").count == 1, "\(result.errors)")
        }
        #expect(!FileManager.default.fileExists(atPath: npy.path))
    }
}

/// `swiftgrad generate` on the tests' GPT-2 folder: transformers' greedy tokens, with and without the cache.
@Suite struct PretrainedGenerateCLITests {
    @Test func greedyTextIsTransformersAndTheCacheChangesNothing() throws {
        let url = Bundle.module.url(forResource: "Resources", withExtension: nil)!.appendingPathComponent("pretrained/gpt2_tiny_expected.json")
        let reference = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let prompt = try #require(reference["prompt"] as? String), greedy = try #require(reference["greedy"] as? [Int])
        let model = TextGeneratorTests.folder.path
        let arguments = ["generate", "--model", model, "--prompt", prompt, "--tokens", "50", "--temperature", "0"]
        let cached = try runCLI(arguments), uncached = try runCLI(arguments + ["--no-cache"])
        let expected = prompt + (try TextGenerator(folder: TextGeneratorTests.folder)).tokenizer.decode(greedy) + "\n"
        #expect(cached.status == 0 && cached.stdout == expected, "\(cached.errors)")
        #expect(uncached.stdout == cached.stdout)
        let bad = try runCLI(["generate", "--model", SentenceEmbedderTests.folder.path, "--tokens", "3"])
        #expect(bad.status != 0 && bad.errors.contains("model_type bert is not supported (gpt2 is)"))
    }
}

/// `swiftgrad search`: the nearest lines in order, the cache written once and used while nothing changes.
@Suite struct SearchCLITests {
    @Test func findsTheNearestLinesAndCachesTheCorpus() throws {
        let folder = try temporaryFolder()
        let corpus = folder.appendingPathComponent("corpus.txt")
        let lines = ["The quick brown fox.", "Hello, world!", "中文分词测试", "A dog sat on the log."]
        try Data(lines.joined(separator: "\n").utf8).write(to: corpus)
        let model = SentenceEmbedderTests.folder.path
        let first = try runCLI(["search", "--model", model, "--corpus", corpus.path, "--top", "2", "Hello, world!"])
        #expect(first.status == 0, "\(first.errors)")
        let printed = first.stdout.split(separator: "\n").map(String.init)
        #expect(printed.count == 3 && printed[0] == "Hello, world!" && printed[1].hasPrefix("  1.0000  Hello, world!"), "\(printed)")
        let cache = corpus.path + ".embeddings.safetensors"
        let written = try #require(try FileManager.default.attributesOfItem(atPath: cache)[.modificationDate] as? Date)
        let again = try runCLI(["search", "--model", model, "--corpus", corpus.path, "--top", "2", "Hello, world!"])
        #expect(again.stdout == first.stdout)
        #expect(try FileManager.default.attributesOfItem(atPath: cache)[.modificationDate] as? Date == written, "cache reused")
        try Data((lines + ["Hello there, world."]).joined(separator: "\n").utf8).write(to: corpus)
        let changed = try runCLI(["search", "--model", model, "--corpus", corpus.path, "--top", "5", "Hello, world!"])
        #expect(changed.status == 0 && changed.stdout.split(separator: "\n").count == 6, "the new line is searched: \(changed.stdout)")
    }
}

/// `swiftgrad bench embed` on the tests' small BERT: every figure present and positive.
@Suite struct BenchEmbedCLITests {
    @Test func reportsLoadThroughputLatencyAndMemory() throws {
        let result = try runCLI(["bench", "embed", "--model", SentenceEmbedderTests.folder.path, "--batch-size", "8", "--json"])
        #expect(result.status == 0, "\(result.errors)")
        let line = try #require(result.stdout.split(separator: "\n").last)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let results = try #require(object["results"] as? [[String: Any]])
        #expect(results.map { $0["name"] as? String } == ["load_seconds", "sentences_per_second", "single_sentence_seconds", "peak_rss_bytes"])
        #expect(results.allSatisfy { ($0["value"] as? Double ?? 0) > 0 })
    }
}
