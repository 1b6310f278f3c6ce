import Testing
@testable import TensorCore

/// Every expression of `tensor_ops.json`, computed by PyTorch, reproduced by SwiftGrad.
@Suite struct TensorOpsFixtureTests {
    struct Inputs {
        let a, b, c, d, e: Tensor
    }

    /// The PyTorch expression and its SwiftGrad spelling.
    static let expressions: [(String, @Sendable (Inputs) -> Tensor)] = [
        ("a+b", { $0.a + $0.b }),
        ("a*b", { $0.a * $0.b }),
        ("c*d", { $0.c * $0.d }),
        ("c-d", { $0.c - $0.d }),
        ("c/(d.abs()+1)", { $0.c / ($0.d.abs() + 1) }),
        ("c+a", { $0.c + $0.a }),
        ("c.sum()", { $0.c.sum() }),
        ("c.sum(0)", { $0.c.sum(axis: 0) }),
        ("c.sum(1)", { $0.c.sum(axis: 1) }),
        ("c.sum(-1,keepdim)", { $0.c.sum(axis: -1, keepDims: true) }),
        ("c.mean()", { $0.c.mean() }),
        ("c.mean(1)", { $0.c.mean(axis: 1) }),
        ("c.max(-1).values", { $0.c.max(axis: -1) }),
        ("c.argmax(-1)", { $0.c.argmax(axis: -1) }),
        ("c.clamp_min(0)", { $0.c.clamped(min: 0) }),
        ("c.pow(2)", { $0.c.pow(2) }),
        ("c.exp()", { $0.c.exp() }),
        ("(c.abs()+1e-3).log()", { ($0.c.abs() + 1e-3).log() }),
        ("c.sqrt_abs", { $0.c.abs().sqrt() }),
        ("c.transpose(0,2)", { $0.c.transposed(0, 2) }),
        ("c.permute(1,2,0)", { $0.c.permuted(1, 2, 0) }),
        ("c[1]", { $0.c[1] }),
        ("c[:,2]", { $0.c[.all, 2] }),
        ("c[...,1:3]", { $0.c[.ellipsis, 1..<3] }),
        ("c.reshape(6,4)", { $0.c.reshaped(6, 4) }),
        ("c.unsqueeze(-1)*d", { $0.c.unsqueezed(axis: -1) * $0.d }),
        ("(c>0)", { $0.c .> 0 }),
        ("torch.where(c>0,c,e)", { which($0.c .> 0, $0.c, $0.e) }),
        ("c.softmax(-1)", { $0.c.softmax(axis: -1) }),
        ("c.log_softmax(-1)", { $0.c.logSoftmax(axis: -1) }),
    ]

    @Test func everyFixtureExpressionIsCovered() throws {
        let fixture = try Fixture("tensor_ops")
        let inputs: Set<String> = ["a", "b", "c", "d", "e", "_note"]
        let covered = Set(Self.expressions.map(\.0))
        #expect(Set(fixture.root.keys).subtracting(inputs) == covered)
    }

    // Single elementwise ops and reductions over at most 24 float32 values: 1e-5 relative covers the
    // rounding differences between summation orders.
    @Test(arguments: expressions.map(\.0))
    func expressionMatchesPyTorch(_ expression: String) throws {
        let fixture = try Fixture("tensor_ops")
        let inputs = Inputs(a: try fixture.tensor("a"), b: try fixture.tensor("b"), c: try fixture.tensor("c"),
                            d: try fixture.tensor("d"), e: try fixture.tensor("e"))
        let compute = try #require(Self.expressions.first { $0.0 == expression }?.1)
        assertClose(compute(inputs), try fixture.tensor(expression), relative: 1e-5, absolute: 1e-6,
                    "\(expression)")
    }
}
