import ArgumentParser
import Foundation
import SwiftGrad

/// `swiftgrad bench tokenizer`: characters per second through a WordPiece or byte-level BPE tokenizer, on one thread
/// (it does not use the pool), over the bundled Hamlet and Macbeth or a text file, one line per encoding.
struct BenchTokenizer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenizer",
        abstract: "Time a tokenizer.json (WordPiece or byte-level BPE) over a text, line by line, in characters per second."
    )

    @Option(help: "The tokenizer.json (or a BERT vocab.txt) to time.")
    var model: String

    @Option(help: "The text, one encoding per line (default: the bundled Hamlet and Macbeth).")
    var text: String?

    @OptionGroup var options: BenchOptions

    func run() throws {
        let tokenizer = try loadTokenizer(contentsOf: URL(fileURLWithPath: model))
        let kind = tokenizer is WordPieceTokenizer ? "WordPiece" : "BPE"
        let corpus = try text.map { try TextCorpus(file: URL(fileURLWithPath: $0)) } ?? TextCorpus.standard()
        let lines = corpus.text.split(separator: "\n").map(String.init)
        let characters = lines.reduce(0) { $0 + $1.unicodeScalars.count }
        var tokens = 0
        let seconds = Measure.median(warmup: 1, minRuns: 3, budget: 2) {
            tokens = lines.reduce(0) { $0 + tokenizer.encode($1).count }
        }
        var report = BenchReport(columns: ["what", "lines", "characters", "tokens", "time", "characters/s"])
        report.add(row: ["\(kind) encode", String(lines.count), String(characters), String(tokens), formatSeconds(seconds),
                         String(format: "%.2f M", Double(characters) / seconds / 1e6)],
                   result: ["name": "\(kind.lowercased())_encode", "lines": lines.count, "characters": characters,
                            "tokens": tokens, "median_seconds": seconds, "characters_per_second": Double(characters) / seconds])
        report.print(json: options.json)
    }
}
