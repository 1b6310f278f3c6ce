import ArgumentParser
import Foundation
import SwiftGrad

/// `swiftgrad embed`: sentence embeddings of lines of text, as sentence-transformers computes them, from a Hugging
/// Face model folder.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed sentences (one per line, from a file or standard input) with a sentence-transformers BERT folder.",
        discussion: """
            The folder is a Hugging Face model (config.json, model.safetensors, tokenizer.json) with its \
            sentence-transformers pipeline (modules.json: pooling, normalisation). Sentences longer than the \
            pipeline's max_seq_length are cut there, as sentence-transformers does. Prints one line of numbers per \
            sentence, or --json, or writes --npy.
            """
    )

    @OptionGroup var options: SentenceModelOptions

    @Argument(help: "A text file, one sentence per line (default: standard input).")
    var input: String?

    @Option(help: "Write the embeddings to this .npy file ([sentences, width], float32) instead of printing them.")
    var npy: String?

    @Flag(help: "Print one JSON object {\"embeddings\": [[...], ...]}.")
    var json = false

    @OptionGroup var threadsOption: ThreadsOption

    func run() throws {
        threadsOption.apply()
        let embedder = try options.embedder()
        let sentences = try readLines()
        let encodings = sentences.map { embedder.tokenizer.encode($0) }
        if let limit = embedder.tokenizer.maxLength, encodings.contains(where: { $0.count >= limit }) {
            FileHandle.standardError.write(Data("swiftgrad: some sentences were cut at the model's \(limit) tokens\n".utf8))
        }
        let embeddings = embedder.embed(encodings: encodings, batchSize: options.batchSize)
        if let npy {
            try NPY.write(embeddings, to: URL(fileURLWithPath: npy))
            return
        }
        let width = embeddings.shape[1]
        let values = embeddings.scalars
        let rows = (0..<sentences.count).map { Array(values[($0 * width)..<(($0 + 1) * width)]) }
        if json {
            let data = try JSONSerialization.data(withJSONObject: ["embeddings": rows.map { $0.map(Double.init) }])
            print(String(decoding: data, as: UTF8.self))
        } else {
            for row in rows { print(row.map { String(format: "%.6f", $0) }.joined(separator: " ")) }
        }
    }

    /// The sentences: the file's lines or standard input's, without the empty last line a final newline leaves.
    private func readLines() throws -> [String] {
        let source = input ?? "standard input"
        let data: Data
        if let input {
            guard let contents = FileManager.default.contents(atPath: input) else {
                throw ValidationError("\(input): cannot be read")
            }
            data = contents
        } else {
            data = FileHandle.standardInput.readDataToEndOfFile()
        }
        guard let text = String(data: data, encoding: .utf8) else { throw ValidationError("\(source): not UTF-8 text") }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}
