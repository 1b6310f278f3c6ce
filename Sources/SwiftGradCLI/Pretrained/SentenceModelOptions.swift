import ArgumentParser
import Foundation
import SwiftGrad

/// The options every sentence-embedding command takes: the model folder, the batch size and the weights' dtype.
struct SentenceModelOptions: ParsableArguments {
    @Option(help: "The model folder (all-MiniLM-L6-v2, say).")
    var model: String

    @Option(help: "Sentences per batch.")
    var batchSize = 32

    @OptionGroup var weights: WeightsOption

    func validate() throws {
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
    }

    /// The folder's model, its weights in the dtype asked for.
    func embedder() throws -> SentenceEmbedder {
        let embedder = try SentenceEmbedder(folder: URL(fileURLWithPath: model))
        weights.apply(to: embedder.model)
        return embedder
    }
}
