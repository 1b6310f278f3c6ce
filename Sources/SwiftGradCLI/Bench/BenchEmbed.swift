import ArgumentParser
import Foundation
import SwiftGrad

/// `swiftgrad bench embed`: a sentence-transformers folder's load time, throughput, single-sentence latency and
/// peak memory, the figures the pretrained-models issue sets targets for.
struct BenchEmbed: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Time a sentence-embedding model folder: load, sentences per second, one sentence, peak memory.",
        discussion: """
            Sentences are the text's non-empty lines (default: the first 320 lines of the bundled Hamlet and \
            Macbeth), embedded --batch-size at a time (unpadded, as SentenceEmbedder runs them). \
            Compare: bench/compare_embed.sh runs sentence-transformers and ONNX Runtime on the same sentences.
            """
    )

    @OptionGroup var model: SentenceModelOptions

    @Option(help: "A text file, one sentence per line.")
    var text: String?

    @OptionGroup var threadsOption: ThreadsOption

    @OptionGroup var options: BenchOptions

    func run() throws {
        threadsOption.apply()
        let start = Measure.now()
        let embedder = try model.embedder()
        let load = Measure.now() - start
        let corpus = try text.map { try TextCorpus(file: URL(fileURLWithPath: $0)) } ?? TextCorpus.standard()
        let lines = corpus.text.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        let sentences = text == nil ? Array(lines.prefix(320)) : lines
        let batch = Measure.median(warmup: 1, minRuns: 3, budget: 3) { _ = embedder.embed(sentences, batchSize: model.batchSize) }
        let single = Measure.median(warmup: 3, minRuns: 10, budget: 1) { _ = embedder.embed([sentences[0]]) }
        var report = BenchReport(columns: ["what", "value"])
        let rows: [(String, String, String, Double)] = [
            ("load the folder", formatSeconds(load), "load_seconds", load),
            ("\(sentences.count) sentences, batch \(model.batchSize)", String(format: "%.1f sentences/s", Double(sentences.count) / batch),
             "sentences_per_second", Double(sentences.count) / batch),
            ("one sentence (\(embedder.tokenizer.encode(sentences[0]).count) tokens)", formatSeconds(single), "single_sentence_seconds", single),
            ("peak memory", String(format: "%.0f MB", Double(peakResidentBytes()) / 1e6), "peak_rss_bytes", Double(peakResidentBytes())),
        ]
        for (what, value, key, number) in rows {
            report.add(row: [what, value], result: ["name": key, "value": number, "threads": Parallelism.threadCount])
        }
        report.print(json: options.json)
    }
}
