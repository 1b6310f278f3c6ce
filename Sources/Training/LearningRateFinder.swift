import Checkpoints
import Foundation
import TensorCore

/// What ``Learner/findLearningRate(from:to:steps:divergence:)`` found: the loss (smoothed) at each rate tried,
/// and a suggested rate.
public struct LearningRateSearch: Sendable {
    /// The rates tried, rising exponentially.
    public let rates: [Float]
    /// The training loss at each, smoothed by an exponential moving average (β 0.98, bias-corrected).
    public let losses: [Double]
    /// Where the loss falls fastest against the log of the rate, before its minimum: a rate that trains quickly
    /// and is still well short of where the loss diverges (fastai's "steep" suggestion).
    public let suggestion: Float

    /// The curve (loss against rate on a log scale) with the suggestion marked.
    public func svg() -> String {
        let finite = losses.filter(\.isFinite)
        let low = finite.min() ?? 0, first = finite.first ?? 1
        // The top of the plot at the starting loss (plus a margin): what diverges past it is off the chart.
        let high = Swift.max(first, low) + 0.1 * Swift.max(first - low, 1e-6)
        let clipped = losses.map { $0 > high ? Double.nan : $0 }
        let curve = LinePlot.Series(name: "loss (smoothed)", color: "#1f77b4", x: rates.map(Double.init), y: clipped)
        let mark = LinePlot.Series(name: String(format: "suggested %.2g", suggestion), color: "#d62728",
                                   x: [Double(suggestion), Double(suggestion)], y: [low, high])
        return LinePlot.picture(width: 400, [LinePlot(left: 60, title: "learning-rate finder", xLabel: "learning rate",
                                                      series: [curve, mark], low: low, high: high, logX: true,
                                                      dots: false).svg])
    }

    /// Writes ``svg()`` to `url`, atomically.
    public func write(to url: URL) throws {
        try AtomicFile.write(Data(svg().utf8), to: url)
    }
}

extension Learner {
    /// The learning-rate range test (Smith; fastai's `lr_find`): trains on successive batches with the rate rising
    /// exponentially from `start` to `end` over `steps` batches, recording the smoothed loss, and stops early once
    /// the loss is non-finite or above `divergence` times the best so far. Then the model's parameters and buffers,
    /// the optimizer's state and rate, and the model's mode are put back as they were: the search trains nothing.
    /// Callbacks do not run during it.
    ///
    /// - Throws: ``TrainingError/noData(_:)`` without training data.
    public func findLearningRate(from start: Float = 1e-7, to end: Float = 10, steps: Int = 100,
                                 divergence: Double = 4) throws -> LearningRateSearch {
        require(start > 0 && end > start && steps >= 2 && divergence > 1,
                "findLearningRate: needs 0 < start < end, at least 2 steps and divergence above 1, got \(start), \(end), \(steps), \(divergence)")
        guard data.train.dataset.count > 0, batchesPerEpoch > 0 else { throw TrainingError.noData("training") }
        let savedModel = model.stateDict().mapValues { $0.copied() }
        let savedOptimizer = optimizer.stateDict().mapValues { $0.copied() }
        let (savedRate, wasTraining) = (learningRate, model.isTraining)
        defer {
            // The saved tensors fit: they came from this model and optimizer.
            try? model.loadStateDict(savedModel)
            try? optimizer.loadStateDict(savedOptimizer)
            optimizer.zeroGrad()
            learningRate = savedRate
            model.train(wasTraining)
        }
        model.train()
        var (rates, losses) = ([Float](), [Double]())
        var (average, best) = (0.0, Double.infinity)
        var (epoch, batches) = (0, data.train.batches(epoch: 0))
        for step in 0..<steps {
            guard let (inputs, targets) = batches.next() ?? {
                epoch += 1
                batches = data.train.batches(epoch: epoch)
                return batches.next()
            }() else { break }
            let rate = start * Float(Foundation.pow(Double(end / start), Double(step) / Double(steps - 1)))
            learningRate = rate
            optimizer.zeroGrad()
            let loss = lossFunction(model(inputs), targets)
            let value = Double(loss.item())
            guard value.isFinite else { break }
            average = 0.98 * average + 0.02 * value
            let smoothed = average / (1 - Foundation.pow(0.98, Double(step + 1)))
            rates.append(rate)
            losses.append(smoothed)
            best = Swift.min(best, smoothed)
            if smoothed > divergence * best { break }
            loss.backward()
            optimizer.step()
        }
        return LearningRateSearch(rates: rates, losses: losses, suggestion: Self.steepest(rates: rates, losses: losses))
    }

    /// The rate where the smoothed loss falls fastest per decade of rate, before its minimum. The first tenth of
    /// the points is skipped (as fastai does: there the moving average still follows single batches, whose
    /// differences look like steep slopes over a tiny step of rate), and each slope is taken across a twentieth of
    /// the points on either side.
    static func steepest(rates: [Float], losses: [Double]) -> Float {
        let skip = Swift.max(5, losses.count / 10), reach = Swift.max(1, losses.count / 20)
        guard losses.count > skip + 2 * reach,
              let minimum = (skip..<losses.count).min(by: { losses[$0] < losses[$1] }), minimum > skip else {
            return rates.first ?? 0
        }
        let slopes = (skip...minimum).map { i -> (Int, Double) in
            let (low, high) = (Swift.max(0, i - reach), Swift.min(losses.count - 1, i + reach))
            return (i, (losses[high] - losses[low]) / (log10(Double(rates[high])) - log10(Double(rates[low]))))
        }
        return rates[slopes.min { $0.1 < $1.1 }!.0]
    }
}
