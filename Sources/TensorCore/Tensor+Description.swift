import Foundation

// Printing as PyTorch does: `tensor([[ 362.1924],\n        [1227.9335]])`, the middle of large tensors elided.

extension Tensor: CustomStringConvertible, CustomDebugStringConvertible {
    /// The elements as PyTorch prints them: one number format for the whole tensor, right-aligned columns,
    /// and `...` in place of the middle of any axis once the tensor has more than 1000 elements.
    public var description: String {
        let values = elements(as: Double.self)
        let summarize = count > TensorFormat.summaryThreshold
        let format = TensorFormat(values: summarize ? TensorFormat.edgeValues(values, shape) : values, dtype: dtype)
        var body = format.render(values, shape: shape, strides: Shapes.contiguousStrides(shape),
                                 summarize: summarize, indent: 7)
        if rank > 0 && count == 0 { body = "[]" }
        var suffix = ""
        if count == 0 && rank > 1 { suffix += ", size=\(Shapes.text(shape))" }
        if dtype != .float32 && dtype != .int64 && dtype != .bool { suffix += ", dtype=\(dtype)" }
        if gradFunction != nil { suffix += ", gradFunction=\(gradFunction!.name)" } else if requiresGrad {
            suffix += ", requiresGrad=true"
        }
        return "tensor(\(body)\(suffix))"
    }

    /// The shape, dtype and gradient status, then the elements.
    public var debugDescription: String {
        "Tensor(shape: \(Shapes.text(shape)), dtype: \(dtype)\(requiresGrad ? ", requiresGrad" : "")\(isContiguous ? "" : ", strided")) \(description)"
    }
}

/// One number format for a whole tensor, chosen as PyTorch's `_Formatter` does.
struct TensorFormat {
    static let summaryThreshold = 1000
    static let edgeItems = 3
    static let lineWidth = 80

    private enum Mode { case integer, fixed, scientific, exactInteger, boolean }
    private let mode: Mode
    private let width: Int

    /// The format of `values` held in `dtype`: integers print without a point and bools as `True`/`False`, as
    /// PyTorch prints them; floats by their magnitudes.
    init(values: [Double], dtype: DType) {
        if dtype.isFloatingPoint {
            self.init(values: values)
        } else {
            self.init(mode: dtype == .bool ? .boolean : .exactInteger, values: values)
        }
    }

    private init(values: [Double]) {
        let mode: Mode
        let finite = values.filter { $0.isFinite }
        let magnitudes = finite.map { Swift.abs($0) }.filter { $0 != 0 }
        if finite.allSatisfy({ $0 == $0.rounded() }) {
            let big = (magnitudes.max() ?? 0)
            let small = (magnitudes.min() ?? 1)
            mode = !magnitudes.isEmpty && (big / small > 1000 || big > 1e8) ? .scientific : .integer
        } else if let big = magnitudes.max(), let small = magnitudes.min(),
                  big / small > 1000 || big > 1e8 || small < 1e-4 {
            mode = .scientific
        } else {
            mode = .fixed
        }
        self.init(mode: mode, values: values)
    }

    private init(mode: Mode, values: [Double]) {
        var widest = 1
        let probe = TensorFormat(mode: mode, width: 0)
        for value in values { widest = Swift.max(widest, probe.text(value).count) }
        self.init(mode: mode, width: widest)
    }

    private init(mode: Mode, width: Int) {
        self.mode = mode
        self.width = width
    }

    /// The values that will be printed when the tensor is summarised (edges of every axis), so that the
    /// format is chosen from what is shown.
    static func edgeValues(_ values: [Double], _ shape: [Int]) -> [Double] {
        var kept: [Double] = []
        let strides = Shapes.contiguousStrides(shape)
        func walk(_ axis: Int, _ base: Int) {
            if axis == shape.count { kept.append(values[base]); return }
            let n = shape[axis]
            let positions = n > 2 * edgeItems ? Array(0..<edgeItems) + Array((n - edgeItems)..<n) : Array(0..<n)
            for i in positions { walk(axis + 1, base + i * strides[axis]) }
        }
        walk(0, 0)
        return kept
    }

    func text(_ value: Double) -> String {
        switch mode {
        case .boolean: return value != 0 ? "True" : "False"
        case .exactInteger: return String(format: "%.0f", value)
        case _ where value.isNaN: return "nan"
        case _ where value.isInfinite: return value > 0 ? "inf" : "-inf"
        case .integer: return String(format: "%.0f.", value)
        case .fixed: return String(format: "%.4f", value)
        case .scientific: return String(format: "%.4e", value)
        }
    }

    private func padded(_ value: Double) -> String {
        let s = text(value)
        return String(repeating: " ", count: Swift.max(0, width - s.count)) + s
    }

    /// The nested-bracket text of `values` (row-major, `shape`), each line after the first indented by `indent`.
    func render(_ values: [Double], shape: [Int], strides: [Int], summarize: Bool, indent: Int) -> String {
        if shape.isEmpty { return text(values.first ?? 0) }
        func block(_ axis: Int, _ base: Int, _ indent: Int) -> String {
            let n = shape[axis]
            let elided = summarize && n > 2 * TensorFormat.edgeItems
            let positions: [Int?] = elided
                ? (0..<TensorFormat.edgeItems).map { $0 } + [nil]
                    + ((n - TensorFormat.edgeItems)..<n).map { $0 }
                : (0..<n).map { $0 }
            if axis == shape.count - 1 {
                let items = positions.map { $0.map { padded(values[base + $0 * strides[axis]]) } ?? " ..." }
                // PyTorch wraps rows at a fixed number of items per line, `...` counting as one.
                let perLine = Swift.max(1, (TensorFormat.lineWidth - indent) / (width + 2))
                let lines = stride(from: 0, to: items.count, by: perLine).map {
                    items[$0..<Swift.min($0 + perLine, items.count)].joined(separator: ", ")
                }
                return "[" + lines.joined(separator: ",\n" + String(repeating: " ", count: indent + 1)) + "]"
            }
            let separator = "," + String(repeating: "\n", count: shape.count - axis - 1)
                + String(repeating: " ", count: indent + 1)
            let parts = positions.map { position -> String in
                guard let position else { return "..." }
                return block(axis + 1, base + position * strides[axis], indent + 1)
            }
            return "[" + parts.joined(separator: separator) + "]"
        }
        return block(0, 0, indent)
    }
}
