import Checkpoints
import Foundation
import NN
import Testing
import TensorCore
import Training

/// A model file records its classifier's spec, so a CNN loads from the file alone; files without it (PyTorch's)
/// are inferred from their tensors.
@Suite struct ClassifierSpecTests {
    @Test func aCNNsSpecRoundTripsThroughItsModelFile() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let spec = ClassifierSpec(architecture: .cnn, sizes: [784, 8, 10], channels: [2, 4], imageSize: Size2D(28, 28))
        let model = spec.build(generator: RandomGenerator(seed: 1))
        let url = folder.appendingPathComponent("model.safetensors")
        try SafeTensors.write(model.stateDict(), to: url, metadata: spec.metadata)
        let loaded = try ClassifierSpec.load(url, imageSize: Size2D(28, 28))
        #expect(loaded.spec == spec && loaded.spec.inputShape == [1, 28, 28])
        let x = Tensor.randn([2, 1, 28, 28], generator: RandomGenerator(seed: 2))
        #expect(withoutGradient { loaded.model(x) }.scalars == withoutGradient { model(x) }.scalars)
        #expect {
            try ClassifierSpec.load(url, imageSize: Size2D(10, 10))
        } throws: { error in
            "\(error)".hasSuffix("holds a classifier of 28×28 images; these are 10×10")
        }

        // Without the spec (a PyTorch file), the names and shapes give it back for the architecture named.
        try SafeTensors.write(model.stateDict(), to: url)
        #expect(try ClassifierSpec.load(url, architecture: .cnn, imageSize: Size2D(28, 28)).spec == spec)
    }
}
