// Einstein summation, lowered to views, reductions and batched `matmul`, so contractions run at GEMM speed and
// every step is differentiable.

/// Evaluates an Einstein-summation `equation` over `operands`, as `torch.einsum`.
///
/// Each operand gets a subscript of letters, one per axis (`"ik,kj->ij"`); `...` stands for any number of
/// leading broadcast axes. Letters missing from the output are summed over; a letter repeated in one operand
/// takes its diagonal (`"ii->i"`). Without `->`, the output is the ellipsis axes followed by the letters that
/// appear once, in alphabetical order.
///
/// Contractions become one batched ``matmul(_:_:)`` per pair of operands (left to right), so `"ik,kj->ij"` is
/// exactly as fast as `matmul`.
///
/// **Shapes:** `einsum("bij,bjk->bik", [2, 3, 4], [2, 4, 5])` → `[2, 3, 5]`.
public func einsum(_ equation: String, _ operands: Tensor...) -> Tensor { einsum(equation, operands) }

/// ``einsum(_:_:)-(String,Tensor...)`` with the operands as an array.
public func einsum(_ equation: String, _ operands: [Tensor]) -> Tensor {
    switch EinsumEquation.parse(equation, shapes: operands.map(\.shape)) {
    case .failure(let error): fatalError(error.description)
    case .success(let parsed): return parsed.evaluate(operands)
    }
}

/// A parsed equation: each operand's axis labels and the output's. Letters are their character codes; the axes
/// under `...` get labels from `ellipsisBase` upward, counted from the right so that they broadcast.
struct EinsumEquation {
    static let ellipsisBase = 1000
    let inputs: [[Int]]
    let output: [Int]

    static func parse(_ equation: String, shapes: [[Int]]) -> Result<EinsumEquation, ShapeError> {
        func fail(_ why: String) -> Result<EinsumEquation, ShapeError> {
            .failure(ShapeError(description: "einsum: \(why) in \"\(equation)\""))
        }
        let text = equation.filter { $0 != " " }
        let sides = text.components(separatedBy: "->")
        guard sides.count <= 2 else { return fail("more than one '->'") }
        let terms = sides[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard terms.count == shapes.count else {
            return fail("\(terms.count) operand subscripts for \(shapes.count) operands")
        }
        var inputs: [[Int]] = []
        var ellipsisRank = 0
        for (term, shape) in zip(terms, shapes) {
            guard let letters = labels(term) else { return fail("bad subscript '\(term)' (letters and at most one '...')") }
            let explicit = letters.filter { $0 != -1 }.count
            if letters.contains(-1) {
                guard shape.count >= explicit else {
                    return fail("subscript '\(term)' has \(explicit) letters for an operand of shape \(Shapes.text(shape))")
                }
                let extra = shape.count - explicit
                ellipsisRank = Swift.max(ellipsisRank, extra)
                inputs.append(letters.flatMap { $0 == -1 ? (0..<extra).reversed().map { ellipsisBase + $0 } : [$0] })
            } else {
                guard shape.count == explicit else {
                    return fail("subscript '\(term)' has \(explicit) letters for an operand of shape \(Shapes.text(shape))")
                }
                inputs.append(letters)
            }
        }
        let ellipsisLabels = (0..<ellipsisRank).reversed().map { ellipsisBase + $0 }
        var output: [Int]
        if sides.count == 2 {
            guard let letters = labels(sides[1]) else { return fail("bad output subscript '\(sides[1])'") }
            output = letters.flatMap { $0 == -1 ? ellipsisLabels : [$0] }
            guard Set(output).count == output.count else { return fail("a letter repeats in the output") }
            let known = Set(inputs.joined())
            if let missing = output.first(where: { !known.contains($0) }) {
                return fail("output letter '\(Character(Unicode.Scalar(UInt8(missing))))' appears in no operand")
            }
        } else {
            let counts = Dictionary(inputs.joined().filter { $0 < ellipsisBase }.map { ($0, 1) }, uniquingKeysWith: +)
            output = ellipsisLabels + counts.filter { $0.value == 1 }.keys.sorted()
        }
        // Every label must have one size, up to broadcasting of ellipsis axes.
        var sizes: [Int: Int] = [:]
        for (labels, shape) in zip(inputs, shapes) {
            for (label, size) in zip(labels, shape) {
                if let known = sizes[label], known != size {
                    if label >= ellipsisBase && (known == 1 || size == 1) {
                        sizes[label] = Swift.max(known, size)
                        continue
                    }
                    let name = label >= ellipsisBase ? "..." : String(Character(Unicode.Scalar(UInt8(label))))
                    return fail("'\(name)' has sizes \(known) and \(size) (operand shapes \(shapes.map(Shapes.text).joined(separator: ", ")))")
                }
                sizes[label] = size
            }
        }
        return .success(EinsumEquation(inputs: inputs, output: output))
    }

    /// Letters as character codes and `...` as -1, or nil for anything else.
    private static func labels(_ term: String) -> [Int]? {
        var result: [Int] = []
        var rest = Substring(term)
        while let c = rest.first {
            if rest.hasPrefix("...") {
                if result.contains(-1) { return nil }
                result.append(-1)
                rest = rest.dropFirst(3)
            } else if c.isASCII && c.isLetter {
                result.append(Int(c.asciiValue!))
                rest = rest.dropFirst()
            } else {
                return nil
            }
        }
        return result
    }

    func evaluate(_ operands: [Tensor]) -> Tensor {
        var terms: [(tensor: Tensor, labels: [Int])] = []
        for (index, (operand, labels)) in zip(operands, inputs).enumerated() {
            var (tensor, current) = EinsumEquation.diagonal(operand, labels)
            // Sum early the labels no other operand and not the output needs.
            let later = Set(output).union(inputs.enumerated().filter { $0.offset != index }.flatMap(\.element))
            for axis in (0..<current.count).reversed() where !later.contains(current[axis]) {
                tensor = tensor.sum(axis: axis)
                current.remove(at: axis)
            }
            terms.append((tensor, current))
        }
        var (result, labels) = terms[0]
        for position in 1..<Swift.max(terms.count, 1) {
            let needed = Set(output).union(terms[(position + 1)...].flatMap(\.labels))
            (result, labels) = EinsumEquation.contract(result, labels, terms[position].tensor, terms[position].labels,
                                                       keep: needed)
        }
        for axis in (0..<labels.count).reversed() where !output.contains(labels[axis]) {
            result = result.sum(axis: axis)
            labels.remove(at: axis)
        }
        return result.permuted(output.map { labels.firstIndex(of: $0)! })
    }

    /// The operand with repeated labels reduced to their diagonal (a strided view), and its distinct labels.
    static func diagonal(_ tensor: Tensor, _ labels: [Int]) -> (Tensor, [Int]) {
        var unique: [Int] = []
        for label in labels where !unique.contains(label) { unique.append(label) }
        if unique.count == labels.count { return (tensor, labels) }
        return (tensor.diagonal(labels: labels), unique)
    }

    /// Shape and strides of the view that walks axes with equal labels together: the stride of a merged axis is
    /// the sum of its axes' strides.
    static func diagonalLayout(shape: [Int], strides: [Int], labels: [Int]) -> (shape: [Int], strides: [Int]) {
        var unique: [Int] = [], newShape: [Int] = [], newStrides: [Int] = []
        for (axis, label) in labels.enumerated() {
            if let seen = unique.firstIndex(of: label) {
                newStrides[seen] += strides[axis]
            } else {
                unique.append(label)
                newShape.append(shape[axis])
                newStrides.append(strides[axis])
            }
        }
        return (newShape, newStrides)
    }

    /// `a` and `b` multiplied and summed over the labels they share that `keep` does not need, as one batched
    /// matmul: shared kept labels are the batch, the rest of `a`'s rows, the rest of `b`'s columns.
    static func contract(_ a: Tensor, _ aLabels: [Int], _ b: Tensor, _ bLabels: [Int], keep: Set<Int>)
        -> (Tensor, [Int]) {
        let shared = aLabels.filter { bLabels.contains($0) }
        let batch = shared.filter { keep.contains($0) }
        let summed = shared.filter { !keep.contains($0) }
        let rows = aLabels.filter { !bLabels.contains($0) }
        let columns = bLabels.filter { !aLabels.contains($0) }
        func size(_ label: Int) -> Int {
            Swift.max(aLabels.firstIndex(of: label).map { a.shape[$0] } ?? 1,
                      bLabels.firstIndex(of: label).map { b.shape[$0] } ?? 1)
        }
        let batchShape = batch.map(size)
        let m = rows.map(size).reduce(1, *), k = summed.map(size).reduce(1, *), n = columns.map(size).reduce(1, *)
        let left = a.permuted((batch + rows + summed).map { aLabels.firstIndex(of: $0)! })
            .expanded(to: batchShape + rows.map(size) + summed.map(size))
            .reshaped(to: batchShape + [m, k])
        let right = b.permuted((batch + summed + columns).map { bLabels.firstIndex(of: $0)! })
            .expanded(to: batchShape + summed.map(size) + columns.map(size))
            .reshaped(to: batchShape + [k, n])
        let product = left.matmul(right).reshaped(to: batchShape + rows.map(size) + columns.map(size))
        return (product, batch + rows + columns)
    }
}

extension Tensor {
    /// The view that walks axes with equal `labels` together (`"ii->i"`'s diagonal); the gradient is added
    /// back through the same view of a zero tensor.
    func diagonal(labels: [Int]) -> Tensor {
        let layout = EinsumEquation.diagonalLayout(shape: shape, strides: strides, labels: labels)
        let original = shape
        return view(shape: layout.shape, strides: layout.strides, offset: offset).recorded("diagonal", self) { g in
            [Tensor.viewGradient(g, baseShape: original) { full in
                let target = EinsumEquation.diagonalLayout(shape: original, strides: full.strides, labels: labels)
                return full.view(shape: target.shape, strides: target.strides, offset: 0)
            }]
        }
    }
}
