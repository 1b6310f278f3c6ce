import Foundation
import Testing
@testable import TensorCore

@Suite struct EinsumTests {
    static func cases() throws -> [(equation: String, operands: [Tensor], result: Tensor)] {
        let fixture = try Fixture("einsum")
        let list = try #require(fixture.root["cases"] as? [[String: Any]])
        return try list.map { entry in
            let operands = try #require(entry["operands"] as? [Any]).map { try Fixture.tensor($0) }
            return (try #require(entry["equation"] as? String), operands, try Fixture.tensor(entry["result"]!))
        }
    }

    // Contractions of at most a few dozen float32 products: 1e-5 relative, 1e-5 absolute.
    @Test func everyFixtureEquationMatchesPyTorch() throws {
        let all = try Self.cases()
        #expect(all.count == 15)
        for (equation, operands, expected) in all {
            assertClose(einsum(equation, operands), expected, relative: 1e-5, absolute: 1e-5, "\(equation)")
        }
    }

    @Test func implicitOutputAndBroadcastEllipsis() {
        let g = RandomGenerator(seed: 3)
        let a = Tensor.randn([3, 4], generator: g), b = Tensor.randn([4, 5], generator: g)
        assertClose(einsum("ij,jk", a, b), a.matmul(b), relative: 1e-5, absolute: 1e-6)
        let x = Tensor.randn([2, 1, 3, 4], generator: g), y = Tensor.randn([5, 4, 2], generator: g)
        assertClose(einsum("...ij,...jk->...ik", x, y), x.matmul(y), relative: 1e-5, absolute: 1e-6)
        assertClose(einsum("ji", a), a.transposed(), relative: 0)
    }

    @Test func malformedEquationsAreDescribed() {
        func message(_ equation: String, _ shapes: [[Int]]) -> String? {
            if case .failure(let error) = EinsumEquation.parse(equation, shapes: shapes) { return error.description }
            return nil
        }
        #expect(message("ij,jk->ik", [[2, 3]]) == "einsum: 2 operand subscripts for 1 operands in \"ij,jk->ik\"")
        #expect(message("ij,jk->ik", [[2, 3], [4, 5]])
                == "einsum: 'j' has sizes 3 and 4 (operand shapes [2, 3], [4, 5]) in \"ij,jk->ik\"")
        #expect(message("ij->iz", [[2, 3]]) == "einsum: output letter 'z' appears in no operand in \"ij->iz\"")
        #expect(message("i1->i", [[2, 3]])?.hasPrefix("einsum: bad subscript 'i1'") == true)
        #expect(message("ijk->i", [[2, 3]])?.contains("has 3 letters for an operand of shape [2, 3]") == true)
    }
}
