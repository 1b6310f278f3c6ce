import Checkpoints
import Foundation

/// Appends one JSON object per finished epoch to a file (JSON Lines: `{"epoch":1,"train_loss":…,"train_seconds":…,
/// "validation_loss":…,"accuracy":…}`), for plotting tools and log collectors. The file is rewritten whole and
/// atomically after each epoch from the learner's history, so it never holds half a line.
public final class JSONLinesLog: Callback {
    /// The file written.
    public let url: URL

    /// Logs to `url`.
    public init(url: URL) {
        self.url = url
    }

    /// Runs after the checkpoint (order 100), so the log never gets ahead of it.
    public var order: Int { 110 }

    public func afterEpoch(_ learner: Learner) throws {
        try AtomicFile.write(Data(Self.lines(learner.history).utf8), to: url)
    }

    /// The history as JSON lines.
    public static func lines(_ history: [EpochRecord]) -> String {
        history.map { record in
            var object: [String: Double] = ["epoch": Double(record.epoch), "train_loss": record.trainLoss,
                                            "train_seconds": record.trainSeconds]
            if let loss = record.validationLoss { object["validation_loss"] = loss }
            for (name, value) in record.metrics { object[name] = value }
            let fields = object.keys.sorted().map { key in
                let value = object[key]!
                let text = key == "epoch" ? String(Int(value)) : value.isFinite ? "\(value)" : "null"
                return "\"\(key)\":\(text)"
            }
            return "{" + fields.joined(separator: ",") + "}\n"
        }.joined()
    }
}
