import Foundation
import SwiftGrad

/// One benchmark's results, printed as an aligned table under a line naming the kernel family and the thread
/// count, or as `{"kernel": …, "threads": …, "results": [...]}` JSON (the shape every `swiftgrad bench`
/// subcommand's `--json` uses).
struct BenchReport {
    /// Column titles of the table.
    let columns: [String]
    private(set) var rows: [[String]] = []
    /// The rows as JSON objects.
    private(set) var results: [[String: Any]] = []

    init(columns: [String]) { self.columns = columns }

    /// Adds a row of the table and its JSON object.
    mutating func add(row: [String], result: [String: Any]) {
        rows.append(row)
        results.append(result)
    }

    /// The JSON text: one object with the kernel family, the thread count and a `results` array.
    var json: String {
        let object: [String: Any] = ["kernel": KernelSettings.family.rawValue, "threads": Parallelism.threadCount,
                                     "results": results]
        let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return data.map { String(decoding: $0, as: UTF8.self) } ?? "{\"results\": []}"
    }

    /// The aligned table: numbers right-aligned, text left-aligned.
    var table: String {
        let all = [columns] + rows
        let widths = columns.indices.map { c in all.map { $0[c].count }.max() ?? 0 }
        // A column whose first value is a number is right-aligned, header included.
        let numeric = columns.indices.map { c in rows.first?[c].first.map { $0.isNumber || $0 == "-" } ?? false }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return numeric[c] ? pad + cell : cell + pad
            }.joined(separator: "  ")
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        let setting = "kernels: \(KernelSettings.family) (\(KernelSettings.family.level)), threads: \(Parallelism.threadCount)"
        return ([setting, line(columns), rule] + rows.map(line)).joined(separator: "\n")
    }

    /// Prints the table, or the JSON when `json` is set.
    func print(json: Bool) {
        Swift.print(json ? self.json : table)
    }
}
