import Foundation
import Testing

/// `swiftgrad train --arch gpt` and `swiftgrad generate` on a tiny model and text: the report, the run folder,
/// resume, sampling, and one line for each bad input.
@Suite(.serialized) struct LanguageModelCLITests {
    static let text = String(repeating: "the cat sat on the mat. the dog sat on the log.\n", count: 40)

    /// A folder holding `text.txt`, and the options of a small, fast model.
    static func setUp() throws -> (folder: URL, options: [String]) {
        let folder = try temporaryFolder()
        try Data(text.utf8).write(to: folder.appendingPathComponent("text.txt"))
        return (folder, ["train", "--arch", "gpt", "--text", folder.appendingPathComponent("text.txt").path, "--layers", "1",
                         "--heads", "2", "--embedding", "16", "--context", "16", "--batch-size", "8", "--lr", "0.01"])
    }

    /// `--precision bf16` on the language model: reported, and the loss falls as in float32.
    @Test func bfloat16MixedPrecisionTrains() throws {
        let (folder, options) = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try runCLI(options + ["--steps", "40", "--eval-interval", "20", "--precision", "bf16",
                                           "--out", folder.appendingPathComponent("run").path])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.stdout.contains(", bfloat16 mixed precision"))
        let losses = result.stdout.split(separator: "\n").filter { $0.contains("validation loss") }
            .compactMap { $0.split(separator: " ").drop { $0 != "loss" }.dropFirst().first.flatMap { Double($0) } }
        #expect(losses.count >= 2 && losses.last! < losses.first!, "\(result.stdout)")
        let generated = try runCLI(["generate", "--model", folder.appendingPathComponent("run").path, "--tokens", "30",
                                    "--weights", "bf16", "--prompt", "the "])
        #expect(generated.status == 0, "\(generated.errors)")
        #expect(generated.stdout.hasPrefix("the ") && generated.stdout.count >= 34)
    }

    @Test func trainsReportsWritesItsFolderAndGenerates() throws {
        let (folder, options) = try Self.setUp()
        let out = folder.appendingPathComponent("run").path
        let result = try runCLI(options + ["--steps", "120", "--eval-interval", "60", "--out", out, "--json"])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.stdout.contains("model: GPT, 1 layers of 16 features in 2 heads, context 16"))
        #expect(result.stdout.contains("120 steps of batches of 8, validated every 60 steps"))
        let json = try #require(result.stdout.split(separator: "\n").last)
        let metrics = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let loss = try #require(metrics["validation_loss"] as? Double)
        // 13 symbols: a uniform guess is ln 13 = 2.56 nats; the repeated sentences are learnt well below it.
        #expect(loss < 1.5, "validation loss \(loss)")
        #expect((metrics["median_step_ms"] as? Double ?? 0) > 0 && metrics["steps"] as? Int == 120)
        for name in ["model.safetensors", "training-state.safetensors", "metrics.json", "curves.svg"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("run/\(name)").path), "\(name)")
        }
        let first = try runCLI(["generate", "--model", out, "--prompt", "the ", "--tokens", "60", "--seed", "3"])
        #expect(first.status == 0, "\(first.errors)")
        #expect(first.stdout.hasPrefix("the ") && first.stdout.count == 65)
        let again = try runCLI(["generate", "--model", out, "--prompt", "the ", "--tokens", "60", "--seed", "3", "--no-cache"])
        #expect(again.stdout == first.stdout, "the cache changes nothing")
        let greedy = try runCLI(["generate", "--model", out, "--prompt", "cat sat on the", "--tokens", "5", "--temperature", "0"])
        let greedyAgain = try runCLI(["generate", "--model", out, "--prompt", "cat sat on the", "--tokens", "5", "--temperature", "0", "--seed", "9"])
        #expect(greedy.stdout.hasPrefix("cat sat on the ") && greedy.stdout.count == 20 && greedy.stdout == greedyAgain.stdout,
                "temperature 0 takes the likeliest character, whatever the seed: \(greedy.stdout)")

        // Resuming a finished run trains nothing more and samples again; options that disagree are refused.
        let resumed = try runCLI(["train", "--resume", "--out", out])
        #expect(resumed.status == 0, "\(resumed.errors)")
        #expect(resumed.stdout.contains("is finished"))
        let refused = try runCLI(["train", "--resume", "--out", out, "--layers", "2"])
        #expect(refused.status != 0 && refused.errors.contains("--layers 2 differs from the saved run's 1"))
    }

    @Test func anInterruptedRunResumesToTheSameResult() throws {
        let (folder, options) = try Self.setUp()
        let short = options + ["--steps", "40", "--eval-interval", "20", "--json"]
        let whole = try runCLI(short + ["--out", folder.appendingPathComponent("whole").path])
        let out = folder.appendingPathComponent("interrupted").path
        let stopped = try runCLI(short + ["--out", out],
                                 interruptWhen: { $0.hasPrefix("epoch  1/2") })
        #expect(stopped.status == 130, "\(stopped.errors)")
        let resumed = try runCLI(["train", "--resume", "--out", out, "--json"])
        #expect(resumed.status == 0, "\(resumed.errors)")
        func loss(_ result: CLIResult) throws -> Double {
            let line = try #require(result.stdout.split(separator: "\n").last)
            return try #require((try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["validation_loss"] as? Double)
        }
        #expect(try loss(resumed) == (try loss(whole)))
    }

    @Test func badInputGivesOneLine() throws {
        let (folder, options) = try Self.setUp()
        let empty = folder.appendingPathComponent("empty.txt"), binary = folder.appendingPathComponent("binary")
        try Data().write(to: empty)
        try Data([0, 1, 2, 255]).write(to: binary)
        let trained = folder.appendingPathComponent("trained").path
        #expect(try runCLI(options + ["--steps", "10", "--out", trained]).status == 0)
        let mlp = folder.appendingPathComponent("mlp").path
        #expect(try runCLI(["train", "--epochs", "1", "--hidden", "8", "--limit", "100", "--out", mlp]).status == 0)
        let cases: [([String], String)] = [
            (["train", "--arch", "gpt", "--heads", "3"], "heads (3) must divide the embedding (128)"),
            (["train", "--arch", "gpt", "--text", empty.path], "a language model needs a text to learn from"),
            (["train", "--arch", "gpt", "--text", binary.path], "not UTF-8 text (a binary file?)"),
            (["train", "--arch", "gpt", "--text", "/nonexistent.txt"], "cannot read the file"),
            (["train", "--arch", "gpt", "--hidden", "8"], "--hidden applies to the image classifiers, not --arch gpt"),
            (["train", "--layers", "2"], "--layers applies to --arch gpt only"),
            (["train", "--arch", "gpt", "--steps", "5", "--epochs", "2"], "--steps and --epochs both set the length"),
            (options + ["--context", "1000"], "too few: its last tenth, kept for validation, must be longer than the context of 1000"),
            (["generate", "--model", trained, "--prompt", "xyz"], "--prompt: character 'x' at position 0 is not in the model's vocabulary"),
            (["generate", "--model", trained, "--prompt", String(repeating: "the cat ", count: 3)], "--prompt has 24 characters; the model reads at most 16"),
            (["generate", "--model", mlp], "holds an mlp classifier, not a language model"),
            (["generate", "--model", "/nonexistent"], "no such file"),
            (["generate", "--model", trained, "--top-k", "0"], "--top-k must be at least 1"),
            (["lr-find", "--arch", "gpt"], "lr-find takes the image classifiers"),
        ]
        for (arguments, message) in cases {
            let out = folder.appendingPathComponent("refused").path
            let result = try runCLI(arguments.first == "train" ? arguments + ["--out", out] : arguments)
            #expect(result.status != 0, "\(arguments)")
            #expect(result.errors.split(separator: "\n").count == 1 && result.errors.contains(message), "\(arguments): \(result.errors)")
            #expect(!FileManager.default.fileExists(atPath: out), "\(arguments) wrote nothing")
        }
    }
}
