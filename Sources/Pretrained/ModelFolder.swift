import Checkpoints
import Foundation
import NN
import TensorCore

/// A Hugging Face model folder: its `config.json` and `model.safetensors`, read with one-line errors naming the file.
struct ModelFolder {
    let url: URL

    /// The file `name` in the folder.
    func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// Whether the folder has the file `name`.
    func has(_ name: String) -> Bool { FileManager.default.fileExists(atPath: file(name).path) }

    /// The JSON object in the folder's file `name`.
    func json(_ name: String) throws -> [String: Any] {
        let url = file(name)
        guard let data = try? Data(contentsOf: url) else {
            throw PretrainedError(path: url.path, problem: has(name) ? "cannot be read" : "no such file (is \(self.url.path) a model folder?)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw PretrainedError(path: url.path, problem: "not a JSON object")
        }
        return object
    }

    /// The JSON array in the folder's file `name`.
    func jsonArray(_ name: String) throws -> [[String: Any]] {
        let url = file(name)
        guard let data = try? Data(contentsOf: url), let array = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw PretrainedError(path: url.path, problem: has(name) ? "not a JSON array of objects" : "no such file")
        }
        return array
    }

    /// `model.safetensors` loaded into `model`, each stored tensor renamed by `rename` (nil leaves it out: the
    /// buffers a file holds that the model does not) and reshaped by `adapt` (a transposed layout), only the names
    /// in `optional` allowed to be missing.
    func load(into model: Module, optional: Set<String>, rename: (String) -> String?,
              adapt: (String, Tensor) -> Tensor = { $1 }) throws {
        let url = file("model.safetensors")
        let stored: [String: Tensor]
        do { stored = try SafeTensors.read(url) } catch {
            throw PretrainedError(path: url.path, problem: has("model.safetensors") ? "\(error)" : "no such file (only safetensors weights are read)")
        }
        var state: [String: Tensor] = [:]
        for (name, tensor) in stored {
            if let renamed = rename(name) { state[renamed] = adapt(renamed, tensor) }
        }
        let names = Set(model.stateDict().keys)
        let missing = names.subtracting(state.keys).subtracting(optional).sorted()
        let unexpected = Set(state.keys).subtracting(names).sorted()
        guard missing.isEmpty && unexpected.isEmpty else {
            let parts = [missing.isEmpty ? nil : "missing \(missing.prefix(5).joined(separator: ", "))\(missing.count > 5 ? ", …" : "")",
                         unexpected.isEmpty ? nil : "unexpected \(unexpected.prefix(5).joined(separator: ", "))\(unexpected.count > 5 ? ", …" : "")"]
            throw PretrainedError(path: url.path, problem: "does not fit the configuration: " + parts.compactMap { $0 }.joined(separator: "; "))
        }
        do { try model.loadStateDict(state, strict: false) } catch {
            throw PretrainedError(path: url.path, problem: "\(error)")
        }
    }
}
