import Foundation

/// Progress of one epoch: a live bar redrawn in place on a terminal, a few plain log lines otherwise.
struct ProgressBar {
    let epoch: Int, epochs: Int, batches: Int
    let live: Bool
    private var lastDraw = 0.0
    private var nextLogFraction = 0.25

    init(epoch: Int, epochs: Int, batches: Int, live: Bool) {
        (self.epoch, self.epochs, self.batches, self.live) = (epoch, epochs, batches, live)
    }

    /// `epoch 3/10 [########------------] 400/938  loss 0.4123  52,310 img/s  ETA 4s`
    mutating func update(batch: Int, loss: Double, imagesPerSecond: Double, secondsLeft: Double) {
        let fraction = Double(batch) / Double(Swift.max(batches, 1))
        if live {
            let now = Measure.now()
            guard now - lastDraw > 0.1 || batch == batches else { return }
            lastDraw = now
            let width = 24
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            let line = String(format: "epoch %d/%d [%@] %d/%d  loss %.4f  %@ img/s  ETA %@", epoch, epochs, bar,
                              batch, batches, loss, grouped(imagesPerSecond), duration(secondsLeft))
            FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8))
        } else if fraction >= nextLogFraction && batch < batches {
            nextLogFraction += 0.25
            print(String(format: "epoch %d/%d  batch %d/%d  loss %.4f  %@ img/s", epoch, epochs, batch, batches, loss,
                         grouped(imagesPerSecond)))
            // Reach a pipe or a log file now, not when the buffer fills.
            fflush(nil)
        }
    }

    /// Clears the live bar before the epoch's summary line.
    func finish() {
        if live { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    private func grouped(_ value: Double) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.maximumFractionDigits = 0
        return formatter.string(from: NSNumber(value: value)) ?? String(Int(value))
    }

    private func duration(_ seconds: Double) -> String {
        seconds < 60 ? String(format: "%.0fs", seconds) : String(format: "%dm%02ds", Int(seconds) / 60, Int(seconds) % 60)
    }
}
