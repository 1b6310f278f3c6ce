import Testing
@testable import TensorCore

/// Broadcasting, reshape and transpose checked against definitions on seeded random shapes.
@Suite struct PropertyTests {
    /// A random shape of rank 0...4 with sizes 1...4.
    static func randomShape(_ g: RandomGenerator) -> [Int] {
        (0..<Int(g.withLock { $0.nextInt(below: 5) })).map { _ in 1 + Int(g.withLock { $0.nextInt(below: 4) }) }
    }

    /// The element of a row-major `values` of `shape` that broadcasting reads for output `index`.
    static func broadcastRead(_ values: [Float], _ shape: [Int], _ index: [Int]) -> Float {
        let lead = index.count - shape.count
        var flat = 0
        for (axis, size) in shape.enumerated() {
            flat = flat * size + (size == 1 ? 0 : index[axis + lead])
        }
        return values[flat]
    }

    @Test(arguments: 0..<40)
    func broadcastArithmeticMatchesElementwiseDefinition(seed: Int) {
        let g = RandomGenerator(seed: UInt64(seed))
        let out = Self.randomShape(g)
        // Derive two shapes that broadcast to `out`: drop leading axes, set some sizes to 1.
        func operandShape() -> [Int] {
            let drop = Int(g.withLock { $0.nextInt(below: UInt64(out.count + 1)) })
            return out.dropFirst(drop).map { g.withLock { $0.nextInt(below: 2) } == 0 ? 1 : $0 }
        }
        let sa = operandShape(), sb = operandShape()
        let a = Tensor.randn(sa, generator: g), b = Tensor.randn(sb, generator: g)
        let sum = a * b + b
        let expectedShape = Shapes.broadcastOrStop(sa, sb, op: "test")
        #expect(sum.shape == expectedShape)
        let av = a.scalars, bv = b.scalars, result = sum.scalars
        var index = [Int](repeating: 0, count: expectedShape.count)
        for flat in 0..<Shapes.count(expectedShape) {
            var rest = flat
            for axis in stride(from: expectedShape.count - 1, through: 0, by: -1) {
                index[axis] = rest % expectedShape[axis]
                rest /= expectedShape[axis]
            }
            let x = Self.broadcastRead(av, sa, index), y = Self.broadcastRead(bv, sb, index)
            #expect(result[flat] == x * y + y)
        }
    }

    @Test(arguments: 0..<20)
    func reshapeRoundTripsAndDoubleTransposeIsIdentity(seed: Int) {
        let g = RandomGenerator(seed: UInt64(seed) + 100)
        let shape = Self.randomShape(g) + [2]
        let x = Tensor.randn(shape, generator: g)
        #expect(x.reshaped(-1).reshaped(to: shape).scalars == x.scalars)
        #expect(x.transposed().transposed().scalars == x.scalars)
        #expect(x.transposed().transposed().shape == shape)
        let strided = x.transposed()
        #expect(strided.reshaped(-1).reshaped(to: strided.shape).scalars == strided.scalars)
        #expect(strided.contiguous().scalars == strided.scalars)
    }
}
