import Checkpoints
import Foundation
import NN
import Optimizers
import Testing
@testable import TensorCore

/// Safetensors files read without copying: tensors over the file's pages, loaded into modules by sharing them.
@Suite struct MappedLoadingTests {
    /// A temporary file holding `tensors`, removed after `body`.
    func withFile(_ tensors: [String: Tensor], _ body: (URL) throws -> Void) throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sg-\(UUID().uuidString).safetensors")
        try SafeTensors.write(tensors, to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        try body(url)
    }

    @Test func tensorsAreViewsOfTheFileAndWritingOneLeavesTheFileAlone() throws {
        let weight = Tensor.randn([3, 4])
        let mask = Tensor(shape: [2], integers: [1, 0], dtype: .bool)
        try withFile(["w": weight, "ids": Tensor(shape: [2], integers: [7, -3]), "mask": mask]) { url in
            let before = try Data(contentsOf: url)
            let read = try SafeTensors.read(url)
            #expect(read["w"]!.storage.count == 12)
            #expect(read["w"]!.scalars == weight.scalars)
            #expect(read["ids"]!.integers == [7, -3])
            #expect(read["mask"]!.integers == [1, 0])
            read["w"]!.replaceValues(with: Tensor.zeros([3, 4]))
            read["ids"]![0] = Tensor(integerLiteral: 5)
            #expect(read["w"]!.scalars == Array(repeating: 0, count: 12))
            #expect(try Data(contentsOf: url) == before)
            #expect(try SafeTensors.read(url)["w"]!.scalars == weight.scalars)
        }
    }

    // The kernels read past a tensor's last element: the tensor stored last, in a file that ends on a page
    // boundary, must not fault.
    @Test func theLastTensorOfAFileEndingOnAPageBoundaryIsReadPastSafely() throws {
        let page = 4096
        let columns = try #require((900...1100).first { SafeTensors.encode(["b": Tensor.zeros([1, $0])]).count % page == 0 })
        let b = Tensor.randn([1, columns])
        try withFile(["b": b]) { url in
            let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as! Int
            #expect(size % page == 0, "file of \(size) bytes")
            let mapped = try SafeTensors.read(url)["b"]!
            let a = Tensor.randn([5, 1])
            assertClose(a.matmul(mapped), a.matmul(b), relative: 0, absolute: 0)
        }
    }

    @Test func assignSharesTheMemoryOfWholeContiguousTensorsAndCopiesTheRest() throws {
        let source = Linear(4, 3)
        let state = ["weight": source.weight.detached(), "bias": Tensor.randn([2, 3])[1]]
        let target = Linear(4, 3)
        try target.loadStateDict(state, assign: true)
        #expect(target.weight.sharesStorage(with: state["weight"]!))
        #expect(!target.bias!.sharesStorage(with: state["bias"]!))
        #expect(target.bias!.scalars == state["bias"]!.scalars)
        let copied = Linear(4, 3)
        try copied.loadStateDict(state)
        #expect(!copied.weight.sharesStorage(with: state["weight"]!))
        #expect(copied.weight.scalars == source.weight.scalars)
    }

    @Test func aModelLoadedFromAMappedFileTrainsWithoutChangingTheFile() throws {
        let source = Sequential { Linear(6, 5); ReLU(); Linear(5, 2) }
        try withFile(source.stateDict()) { url in
            let before = try Data(contentsOf: url)
            let model = withoutInitialization { Sequential { Linear(6, 5); ReLU(); Linear(5, 2) } }
            try model.loadStateDict(try SafeTensors.read(url), assign: true)
            let x = Tensor.randn([8, 6])
            assertClose(model(x), source(x), relative: 0, absolute: 0)
            let optimizer = SGD(model.parameters(), learningRate: 0.1)
            let output = model(x)
            let loss = (output * output).mean()
            loss.backward()
            optimizer.step()
            #expect((model(x) * model(x)).mean().item() < loss.item())
            #expect(try Data(contentsOf: url) == before)
        }
    }

    @Test func withoutInitializationLeavesTheGeneratorWhereItWas() {
        let generator = RandomGenerator(seed: 9)
        let skipped = withoutInitialization { Tensor.randn([1000], generator: generator) }
        #expect(skipped.shape == [1000])
        #expect(Tensor.randn([3], generator: generator).scalars == Tensor.randn([3], generator: RandomGenerator(seed: 9)).scalars)
        #expect(Tensor.rand([2], generator: generator).shape == [2])
    }
}
