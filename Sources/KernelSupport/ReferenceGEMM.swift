/// C = A·B (or C += A·B) by the plain i-p-j loop nest, each matrix given by its strides: for float64 (gradient
/// checks), where speed does not matter. `matmul` and the attention kernel's blocks use it for doubles.
@inlinable
package func referenceGEMM<T: TensorScalar>(
    m: Int, n: Int, k: Int, a: UnsafePointer<T>, aRow: Int, aCol: Int,
    b: UnsafePointer<T>, bRow: Int, bCol: Int, c: UnsafeMutablePointer<T>, ldc: Int, accumulate: Bool
) {
    for i in 0..<m {
        let row = c + i * ldc
        if !accumulate { row.initialize(repeating: 0, count: n) }
        for p in 0..<k {
            let x = a[i * aRow + p * aCol]
            let bp = b + p * bRow
            for j in 0..<n { row[j] += x * bp[j * bCol] }
        }
    }
}
