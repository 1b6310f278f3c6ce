import CPUFeatures
import Synchronization

/// A float32 matrix in memory: element (i, j) at `base[i·rowStride + j·colStride]`. Transposed and strided
/// views are just other strides; nothing is copied before packing.
struct MatrixView {
    let base: UnsafePointer<Float>
    let rowStride: Int
    let colStride: Int

    /// The matrix from row `start` on.
    func rows(from start: Int) -> MatrixView {
        MatrixView(base: base + start * rowStride, rowStride: rowStride, colStride: colStride)
    }

    /// The matrix from column `start` on.
    func columns(from start: Int) -> MatrixView {
        MatrixView(base: base + start * colStride, rowStride: rowStride, colStride: colStride)
    }
}

/// A family of GEMM microkernels, each compiled from the same Swift source for one register width.
public enum GEMMKernel: String, CaseIterable, Sendable, CustomStringConvertible {
    /// 6×64 tiles of `SIMD16<Float>` with fused multiply-add: AVX-512 builds (`-Xcc -march=native` on an
    /// AVX-512 CPU, or `-Xcc -march=x86-64-v4`).
    case avx512
    /// 6×16 tiles of `SIMD8<Float>` with fused multiply-add: AVX2+FMA builds (`-Xcc -march=x86-64-v3`) and arm64.
    case fma
    /// 6×8 tiles of `SIMD4<Float>` with a separate multiply and add: correct on any CPU, the only safe choice
    /// for a baseline x86-64 build, where a fused multiply-add becomes a library call per lane.
    case portable

    public var description: String { rawValue }

    /// Whether this build compiled the family for the instructions it needs.
    public var isBuilt: Bool {
        switch self {
        case .avx512: return swiftgrad_build_has_avx512f() == 1
        case .fma: return swiftgrad_build_has_fma() == 1
        case .portable: return true
        }
    }

    /// Whether the CPU running the program has the instructions this family needs.
    public var isSupportedByCPU: Bool {
        switch self {
        case .avx512: return swiftgrad_cpu_has_avx512f() == 1
        case .fma: return swiftgrad_cpu_has_fma() == 1
        case .portable: return true
        }
    }

    /// The fastest family that this build contains and this CPU runs.
    public static let best: GEMMKernel = allCases.first { $0.isBuilt && $0.isSupportedByCPU } ?? .portable

    /// The fastest family the CPU could run if the build targeted it.
    public static let fastestForCPU: GEMMKernel = allCases.first { $0.isSupportedByCPU } ?? .portable

    /// The families this process can run: built and supported. Tests force each one.
    public static var runnable: [GEMMKernel] { allCases.filter { $0.isBuilt && $0.isSupportedByCPU } }

    /// A one-line warning when the build runs a slower family than the CPU supports, else nil.
    public static var buildWarning: String? {
        guard best != fastestForCPU else { return nil }
        return "warning: this build runs the '\(best)' GEMM kernels but the CPU supports '\(fastestForCPU)'; rebuild with -Xcc -march=native for several times the speed"
    }
}

/// Settings of the matrix multiply.
public enum MatmulSettings {
    private static let forced = Atomic<Int>(-1)
    private static let scoped = ScopedOverride<GEMMKernel>()

    /// The kernel family `matmul` uses: ``GEMMKernel/best`` unless set. Setting it changes the whole process;
    /// inside ``withKernel(_:_:)`` it reads that call's family.
    public static var kernel: GEMMKernel {
        get {
            if let kernel = scoped.current { return kernel }
            let index = forced.load(ordering: .relaxed)
            return index < 0 ? GEMMKernel.best : GEMMKernel.allCases[index]
        }
        set {
            requireRunnable(newValue, "MatmulSettings.kernel")
            forced.store(GEMMKernel.allCases.firstIndex(of: newValue)!, ordering: .relaxed)
        }
    }

    /// Runs `body` with ``kernel`` equal to `kernel` in this task (and the child tasks it creates), while every
    /// other task and thread keeps its own (tests run each family this way, beside other tests).
    public static func withKernel<Result>(_ kernel: GEMMKernel, _ body: () throws -> Result) rethrows -> Result {
        requireRunnable(kernel, "MatmulSettings.withKernel")
        return try scoped.withValue(kernel, body)
    }

    private static func requireRunnable(_ kernel: GEMMKernel, _ op: String) {
        require(kernel.isBuilt && kernel.isSupportedByCPU,
                "\(op): '\(kernel)' is not built into this binary or not supported by this CPU")
    }
}


/// C = A·B (or C += A·B) for float32 matrices: C is m×n, contiguous with row stride `ldc`.
enum GEMM {
    static func multiply(
        m: Int, n: Int, k: Int, a: MatrixView, b: MatrixView,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool,
        kernel: GEMMKernel = MatmulSettings.kernel, threads: Int = Parallelism.threadCount
    ) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            if !accumulate { for i in 0..<m { (c + i * ldc).initialize(repeating: 0, count: n) } }
            return
        }
        switch kernel {
        case .avx512:
            GEMMDriver<4, SIMD16<Float>, FusedMultiplyAdd>.multiply(
                m: m, n: n, k: k, a: a, b: b, c: c, ldc: ldc, accumulate: accumulate, threads: threads)
        case .fma:
            GEMMDriver<2, SIMD8<Float>, FusedMultiplyAdd>.multiply(
                m: m, n: n, k: k, a: a, b: b, c: c, ldc: ldc, accumulate: accumulate, threads: threads)
        case .portable:
            GEMMDriver<2, SIMD4<Float>, SeparateMultiplyAdd>.multiply(
                m: m, n: n, k: k, a: a, b: b, c: c, ldc: ldc, accumulate: accumulate, threads: threads)
        }
    }
}
