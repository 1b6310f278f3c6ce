import ArgumentParser
import Foundation
import SwiftGrad

/// What a training run will hold in memory, worked out from its settings before anything is allocated, so that
/// a model too large for the machine is refused in one line instead of dying in the allocator.
struct MemoryEstimate {
    /// The run, and its model.
    let settings: RunSettings, model: ClassifierSpec
    /// Weights and biases of the model.
    let parameters: Double
    /// Bytes for the parameters, their gradients, the optimizer's state and a batch's activations.
    let bytes: Double

    /// Each parameter is held as a weight and a gradient, plus the optimizer's state (SGD with momentum: one
    /// buffer; Adam and AdamW: two moments); each activation of a batch about four times (the value, its
    /// gradient, and the temporaries of the ops between). Doubles, so that absurd sizes cannot overflow.
    init(_ settings: RunSettings, imageSize: Size2D) {
        (self.settings, model) = (settings, settings.model(imageSize: imageSize))
        let footprint = model.footprint
        parameters = footprint.parameters
        let optimizerBuffers: Double
        switch settings.optimizer {
        case .sgd: optimizerBuffers = settings.momentum > 0 ? 1 : 0
        case .adam, .adamw: optimizerBuffers = 2
        }
        let activations = Double(settings.batchSize) * footprint.activationsPerImage * 4
        bytes = Double(MemoryLayout<Float>.size) * (parameters * (2 + optimizerBuffers) + activations)
    }

    /// Throws when the run needs more than `available` bytes (the machine's memory by default).
    func check(available: Double = Double(ProcessInfo.processInfo.physicalMemory)) throws {
        guard bytes > available else { return }
        throw ValidationError("""
            the model \(model.description) (\(String(format: "%.3g", parameters)) parameters) needs about \(Self.text(bytes)) \
            for its weights, gradients, \(settings.optimizer.rawValue) state and activations; this machine has \(Self.text(available))
            """)
    }

    /// Bytes in the largest unit that keeps the number at least 1: "1.3 TB", "512 MB".
    static func text(_ bytes: Double) -> String {
        let units = ["bytes", "KB", "MB", "GB", "TB", "PB", "EB"]
        var (value, unit) = (bytes, 0)
        while value >= 1000 && unit < units.count - 1 { (value, unit) = (value / 1000, unit + 1) }
        return unit == 0 ? "\(Int(value)) bytes" : String(format: "%.1f %@", value, units[unit])
    }
}
