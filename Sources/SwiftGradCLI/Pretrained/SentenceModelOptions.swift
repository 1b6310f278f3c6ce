import ArgumentParser
import Foundation
import SwiftGrad

/// The options every sentence-embedding command takes: the model folder and the batch size.
struct SentenceModelOptions: ParsableArguments {
    @Option(help: "The model folder (all-MiniLM-L6-v2, say).")
    var model: String

    @Option(help: "Sentences per batch.")
    var batchSize = 32

    func validate() throws {
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
    }

    /// The folder's model.
    func embedder() throws -> SentenceEmbedder { try SentenceEmbedder(folder: URL(fileURLWithPath: model)) }
}
