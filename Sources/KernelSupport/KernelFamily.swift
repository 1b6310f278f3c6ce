import CPUFeatures
import Foundation
import Synchronization

/// A level of the CPU's instruction set, and the family of kernels SwiftGrad compiles for it. One binary holds
/// every family (each compiled from the same Swift source with its own flags, in the targets
/// `KernelsX86V4`, `KernelsX86V3` and `KernelsBaseline`) and runs the fastest one the CPU supports.
public enum KernelFamily: String, CaseIterable, Sendable, CustomStringConvertible {
    /// x86-64-v4 with AVX512-BF16: the avx512 family's kernels, and products of bfloat16 operands on
    /// `VDPBF16PS` (6×64 tiles of float32 accumulators over pairs of bfloat16), twice the float32 multiply-adds
    /// per cycle. Elsewhere bfloat16 products round their operands and run on the float32 GEMM.
    case avx512bf16
    /// x86-64-v4 (AVX-512): 6×64 GEMM tiles of `SIMD16<Float>` with fused multiply-add.
    case avx512
    /// x86-64-v3 (AVX2 and FMA): 6×16 tiles of `SIMD8<Float>` with fused multiply-add; on arm64, NEON.
    case fma
    /// Baseline x86-64 (SSE2): 6×8 tiles of `SIMD4<Float>` with a separate multiply and add (a fused one is a
    /// library call per lane there). Correct on any CPU.
    case portable

    public var description: String { rawValue }

    /// The instruction-set level in the compiler's words, as the README and `--version` name it.
    public var level: String {
        switch self {
        case .avx512bf16: return "x86-64-v4 + AVX512-BF16"
        case .avx512: return "x86-64-v4"
        case .fma: return isArm64 ? "arm64 NEON" : "x86-64-v3"
        case .portable: return isArm64 ? "arm64" : "x86-64 baseline"
        }
    }

    /// Whether this binary holds the family: all four on x86-64; no AVX-512 elsewhere.
    public var isBuilt: Bool { !(self == .avx512 || self == .avx512bf16) || !isArm64 }

    /// Whether products of bfloat16 operands run on a bfloat16 instruction in this family (else they round
    /// their operands and run on the float32 GEMM).
    public var hasBFloat16Products: Bool { self == .avx512bf16 }

    /// Whether the CPU running the program has every instruction the family's level may use (and, for AVX,
    /// the operating system saves the registers).
    public var isSupportedByCPU: Bool {
        switch self {
        case .avx512bf16: return swiftgrad_cpu_supports_avx512_bf16() == 1
        case .avx512: return swiftgrad_cpu_supports_x86_64_v4() == 1
        case .fma: return swiftgrad_cpu_supports_x86_64_v3() == 1
        case .portable: return true
        }
    }

    /// The family in use unless a program or a test says otherwise (``KernelSettings/family``): the one the
    /// environment variable `SWIFTGRAD_KERNEL` names if this CPU runs it, else the fastest the CPU supports.
    /// A value it cannot honour is reported once, in one line on standard error, naming the families this CPU
    /// runs; it never ends in an illegal instruction.
    public static let best: KernelFamily = {
        let choice = chosen(by: ProcessInfo.processInfo.environment["SWIFTGRAD_KERNEL"])
        if let warning = choice.warning { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
        return choice.kernel
    }()

    /// The fastest family this CPU supports.
    public static let fastestForCPU: KernelFamily = runnable.first ?? .portable

    /// The families this process can run, fastest first. Tests run each one.
    public static var runnable: [KernelFamily] { allCases.filter { $0.isBuilt && $0.isSupportedByCPU } }

    /// The family `SWIFTGRAD_KERNEL=value` asks for (nil or empty: none), and a warning when it cannot be run.
    static func chosen(by value: String?) -> (kernel: KernelFamily, warning: String?) {
        guard let value, !value.isEmpty else { return (fastestForCPU, nil) }
        let names = runnable.map(\.rawValue).joined(separator: ", ")
        guard let kernel = KernelFamily(rawValue: value.lowercased()) else {
            return (fastestForCPU, "swiftgrad: SWIFTGRAD_KERNEL=\(value) is not a kernel family; this CPU runs \(names); using \(fastestForCPU)")
        }
        guard kernel.isBuilt && kernel.isSupportedByCPU else {
            return (fastestForCPU, "swiftgrad: SWIFTGRAD_KERNEL=\(value) needs \(kernel.level), which this CPU lacks; it runs \(names); using \(fastestForCPU)")
        }
        return (kernel, nil)
    }

    private var isArm64: Bool {
        #if arch(arm64)
        return true
        #else
        return false
        #endif
    }
}

/// Which kernel family runs, for the whole process or for one task: it chooses the kernels of every op (matrix
/// products, elementwise functions, reductions, attention, optimizer steps), not only the GEMM's.
public enum KernelSettings {
    private static let forced = Atomic<Int>(-1)
    private static let scoped = ScopedOverride<KernelFamily>()

    /// The kernel family every op uses: ``KernelFamily/best`` unless set. Setting it changes the whole process;
    /// inside ``withFamily(_:_:)`` it reads that call's family.
    public static var family: KernelFamily {
        get {
            if let family = scoped.current { return family }
            let index = forced.load(ordering: .relaxed)
            return index < 0 ? KernelFamily.best : KernelFamily.allCases[index]
        }
        set {
            requireRunnable(newValue, "KernelSettings.family")
            forced.store(KernelFamily.allCases.firstIndex(of: newValue)!, ordering: .relaxed)
        }
    }

    /// Runs `body` with ``family`` equal to `family` in this task (and the child tasks it creates), while every
    /// other task and thread keeps its own (tests run each family this way, beside other tests).
    public static func withFamily<Result>(_ family: KernelFamily, _ body: () throws -> Result) rethrows -> Result {
        requireRunnable(family, "KernelSettings.withFamily")
        return try scoped.withValue(family, body)
    }

    /// The former name of ``family``.
    @available(*, deprecated, renamed: "family")
    public static var kernel: KernelFamily {
        get { family }
        set { family = newValue }
    }

    /// The former name of ``withFamily(_:_:)``.
    @available(*, deprecated, renamed: "withFamily(_:_:)")
    public static func withKernel<Result>(_ kernel: KernelFamily, _ body: () throws -> Result) rethrows -> Result {
        try withFamily(kernel, body)
    }

    private static func requireRunnable(_ family: KernelFamily, _ op: String) {
        require(family.isBuilt && family.isSupportedByCPU,
                "\(op): '\(family)' needs \(family.level), which this CPU lacks (it runs \(KernelFamily.runnable.map(\.rawValue).joined(separator: ", ")))")
    }
}

/// The former name of ``KernelFamily``, from when the family chose only the matrix multiply's kernels.
@available(*, deprecated, renamed: "KernelFamily")
public typealias GEMMKernel = KernelFamily

/// The former name of ``KernelSettings``.
@available(*, deprecated, renamed: "KernelSettings")
public typealias MatmulSettings = KernelSettings
