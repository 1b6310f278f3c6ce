import Foundation

/// Reports a fit as it runs: during each epoch a live bar redrawn in place on a terminal (standard error), or a
/// plain log line at each quarter of the epoch otherwise (standard output, flushed, for pipes and log files); after
/// each epoch one summary line with the training loss, the validation loss and metrics, and the training time:
///
///     epoch 3/10 [########----------------] 400/938  loss 0.4123  52,310 img/s  ETA 4s
///     epoch  3/10  train loss 0.4087  test loss 0.4370  test accuracy 0.8480  (0.43 s)
public final class ProgressReport: Callback {
    /// Whether the bar is redrawn in place (else log lines).
    public let live: Bool
    /// What an example is called in the rate: "img" gives "img/s".
    public let unit: String
    /// What the validation data is called in the summary: "test" gives "test loss", "test accuracy".
    public let validationName: String
    private var lastDraw = 0.0
    private var nextLogFraction = 0.25

    /// A report drawn live when `live` (by default when standard error is a terminal).
    public init(live: Bool? = nil, unit: String = "ex", validationName: String = "validation") {
        self.live = live ?? (isatty(2) == 1)
        self.unit = unit
        self.validationName = validationName
    }

    public func beforeEpoch(_ learner: Learner) throws {
        lastDraw = 0
        nextLogFraction = 0.25
    }

    public func afterBatch(_ learner: Learner) throws {
        guard learner.isTraining else { return }
        let (batch, batches) = (learner.batchIndex, learner.batchesPerEpoch)
        let rate = Double(learner.progress.examples) / Swift.max(learner.progress.seconds, 1e-9)
        let fraction = Double(batch) / Double(Swift.max(batches, 1))
        if live {
            let now = Date.timeIntervalSinceReferenceDate
            guard now - lastDraw > 0.1 || batch == batches else { return }
            lastDraw = now
            let width = 24
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            let secondsLeft = Double(learner.data.train.dataset.count - learner.progress.examples) / rate
            let line = String(format: "epoch %d/%d [%@] %d/%d  loss %.4f  %@ %@/s  ETA %@", learner.epoch + 1,
                              learner.epochs, bar, batch, batches, learner.progress.meanLoss, grouped(rate), unit,
                              duration(secondsLeft))
            FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8))
        } else if fraction >= nextLogFraction && batch < batches {
            nextLogFraction += 0.25
            print(String(format: "epoch %d/%d  batch %d/%d  loss %.4f  %@ %@/s", learner.epoch + 1, learner.epochs,
                         batch, batches, learner.progress.meanLoss, grouped(rate), unit))
            // Reach a pipe or a log file now, not when the buffer fills.
            fflush(nil)
        }
    }

    public func afterEpoch(_ learner: Learner) throws {
        clearBar()
        guard let record = learner.history.last else { return }
        var line = String(format: "epoch %2d/%d  train loss %.4f", record.epoch, learner.epochs, record.trainLoss)
        if let loss = record.validationLoss { line += String(format: "  %@ loss %.4f", validationName, loss) }
        for name in record.metrics.keys.sorted() {
            line += String(format: "  %@ %@ %.4f", validationName, name, record.metrics[name]!)
        }
        print(line + String(format: "  (%.2f s)", record.trainSeconds))
        fflush(nil)
    }

    public func afterFit(_ learner: Learner) throws {
        clearBar()
    }

    /// Clears the live bar before a line is printed.
    private func clearBar() {
        if live { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    private func grouped(_ value: Double) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.maximumFractionDigits = 0
        return formatter.string(from: NSNumber(value: value)) ?? String(Int(value))
    }

    private func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        return seconds < 60 ? String(format: "%.0fs", seconds) : String(format: "%dm%02ds", Int(seconds) / 60, Int(seconds) % 60)
    }
}
