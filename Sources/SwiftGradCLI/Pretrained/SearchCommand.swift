import ArgumentParser
import Foundation
import SwiftGrad

/// `swiftgrad search`: the lines of a corpus nearest to queries by the cosine similarity of their sentence
/// embeddings, the corpus embedded once and cached next to it.
struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Print the corpus lines nearest to each query by sentence-embedding cosine similarity.",
        discussion: """
            The corpus (one sentence per line) is embedded once and cached beside it in FILE.embeddings.safetensors, \
            which is used again while the corpus and the model's weights are unchanged (the corpus's MD5, the model \
            folder and its weights file's size and modification time are recorded in it) and rebuilt otherwise.
            """
    )

    @OptionGroup var model: SentenceModelOptions

    @Option(help: "The text file to search, one sentence per line.")
    var corpus: String

    @Option(help: "How many lines to print per query.")
    var top = 5

    @Argument(help: "The queries.")
    var queries: [String]

    @OptionGroup var threadsOption: ThreadsOption

    func validate() throws {
        guard top >= 1 else { throw ValidationError("--top must be at least 1, got \(top)") }
        guard !queries.isEmpty else { throw ValidationError("give at least one query") }
    }

    func run() throws {
        threadsOption.apply()
        let folder = URL(fileURLWithPath: model.model)
        let embedder = try model.embedder()
        guard let data = FileManager.default.contents(atPath: corpus) else { throw ValidationError("\(corpus): cannot be read") }
        guard let text = String(data: data, encoding: .utf8) else { throw ValidationError("\(corpus): not UTF-8 text") }
        let lines = text.split(separator: "\n").map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
            .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        guard !lines.isEmpty else { throw ValidationError("\(corpus): has no non-empty line to search") }
        // The weights by size and modification time: hashing them (90 MB for all-MiniLM-L6-v2) took most of a
        // search's 0.57 s once loading them no longer did.
        let weights = try? FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent("model.safetensors").path)
        let key = ["corpus_md5": MD5.hex(data), "model": folder.standardizedFileURL.path,
                   "weights_size": "\((weights?[.size] as? NSNumber)?.intValue ?? -1)",
                   "weights_modified": "\((weights?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? -1)"]
        let cache = URL(fileURLWithPath: corpus + ".embeddings.safetensors")
        let corpusEmbeddings: Tensor
        if let (stored, metadata) = try? SafeTensors.readWithMetadata(cache), metadata == key, let vectors = stored["embeddings"],
           vectors.shape.first == lines.count {
            corpusEmbeddings = vectors
        } else {
            corpusEmbeddings = embedder.embed(lines, batchSize: model.batchSize)
            try SafeTensors.write(["embeddings": corpusEmbeddings], to: cache, metadata: key)
        }
        // Unit length whatever the pipeline does, so that dot products are cosines.
        func unit(_ t: Tensor) -> Tensor { t / (t * t).sum(axis: 1, keepDims: true).sqrt().clamped(min: 1e-12) }
        let scores = matmul(unit(embedder.embed(queries, batchSize: model.batchSize)), unit(corpusEmbeddings).transposed())
        for (q, query) in queries.enumerated() {
            print("\(query)")
            let row = scores[q].scalars
            for index in row.indices.sorted(by: { row[$0] > row[$1] }).prefix(top) {
                print("  " + String(format: "%.4f", row[index]) + "  " + lines[index])
            }
        }
    }
}
