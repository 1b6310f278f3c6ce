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

    /// The model `build` makes, with `model.safetensors` loaded into it: built without drawing random weights
    /// and loaded without copying (the parameters share the memory-mapped file's pages). Each stored tensor is
    /// renamed by `rename` (nil leaves it out: the buffers a file holds that the model does not) and reshaped by
    /// `adapt` (a transposed layout); only the names in `optional` may be missing, and those the file lacks are
    /// initialised as transformers initialises them (normal with standard deviation 0.02, biases zero) unless
    /// they are tied to a loaded tensor.
    func loadModel<Model: Module>(_ build: () -> Model, optional: Set<String>, rename: (String) -> String?,
                                  adapt: (String, Tensor) -> Tensor = { $1 }) throws -> Model {
        let url = file("model.safetensors")
        let stored: [String: Tensor]
        do { stored = try SafeTensors.read(url) } catch {
            throw PretrainedError(path: url.path, problem: has("model.safetensors") ? "\(error)" : "no such file (only safetensors weights are read)")
        }
        var state: [String: Tensor] = [:]
        for (name, tensor) in stored {
            if let renamed = rename(name) { state[renamed] = adapt(renamed, tensor) }
        }
        let model = withoutInitialization(build)
        let parameters = model.stateDict()
        let missing = Set(parameters.keys).subtracting(state.keys)
        let unexpected = Set(state.keys).subtracting(parameters.keys).sorted()
        let required = missing.subtracting(optional).sorted()
        guard required.isEmpty && unexpected.isEmpty else {
            let parts = [required.isEmpty ? nil : "missing \(required.prefix(5).joined(separator: ", "))\(required.count > 5 ? ", …" : "")",
                         unexpected.isEmpty ? nil : "unexpected \(unexpected.prefix(5).joined(separator: ", "))\(unexpected.count > 5 ? ", …" : "")"]
            throw PretrainedError(path: url.path, problem: "does not fit the configuration: " + parts.compactMap { $0 }.joined(separator: "; "))
        }
        do { try model.loadStateDict(state, strict: false, assign: true) } catch {
            throw PretrainedError(path: url.path, problem: "\(error)")
        }
        let loaded = Set(state.keys.map { ObjectIdentifier(parameters[$0]!) })
        for name in missing {
            let tensor = parameters[name]!
            guard !loaded.contains(ObjectIdentifier(tensor)) else { continue }
            tensor.replaceValues(with: tensor.rank >= 2 ? Tensor.randn(tensor.shape) * 0.02 : Tensor.zeros(tensor.shape))
        }
        return model
    }
}
