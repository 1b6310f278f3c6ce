import NN
import Testing
@testable import TensorCore

/// Programming errors stop with a message that names the operation, the shapes and the valid range.
@Suite struct ErrorMessageTests {
    @Test func broadcastFailureNamesOperationAndBothShapes() {
        #expect(Shapes.broadcast([3, 4], [5], op: "add")
                == .failure(ShapeError(description: "add: shapes [3, 4] and [5] cannot be broadcast")))
        #expect(Shapes.broadcast([2, 1, 4], [3, 1], op: "add") == .success([2, 3, 4]))
        #expect(Shapes.broadcast([], [3], op: "add") == .success([3]))
    }

    @Test func axisOutOfRangeNamesValidRange() {
        #expect(Shapes.normalizedAxis(3, rank: 3, op: "sum")
                == .failure(ShapeError(description: "sum: axis 3 is out of range for a tensor of rank 3 (valid: -3...2)")))
        #expect(Shapes.normalizedAxis(-1, rank: 3, op: "sum") == .success(2))
    }

    @Test func shapeMismatchStopsTheProcessWithItsMessage() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros(3, 4) + Tensor.zeros(5)
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("add: shapes [3, 4] and [5] cannot be broadcast"))
    }

    @Test func indexOutOfRangeStopsWithValidRange() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros(2, 3)[.all, 3]
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("index: 3 is out of range for axis 1 of size 3 (valid: -3...2), shape [2, 3]"))
    }

    @Test func permuteThatRepeatsAnAxisStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros(2, 3, 4).permuted(0, 2, -1)
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("permute: order [0, 2, -1] repeats an axis"))
    }

    @Test func lossTargetOutsideTheClassesNamesTheLoss() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = crossEntropy(logits: Tensor.zeros(2, 3), targets: Tensor([0, 3]))
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("nllLoss: index 3 at position 1 is not a class in 0..<3"))
    }

    @Test func badReshapeStops() async {
        await #expect(processExitsWith: .failure) {
            _ = Tensor.zeros(2, 3).reshaped(4, -1)
        }
    }
}
