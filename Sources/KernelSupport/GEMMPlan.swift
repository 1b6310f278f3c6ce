/// How the GEMM runs one product: how the threads share it and how each share multiplies. One function per kernel
/// family maps a product's shape, its operands' layouts and the thread count to a plan
/// (``KernelSet/gemmPlan(m:n:k:a:b:threads:)``), and the product runs it; `swiftgrad bench gemm` prints it.
package struct GEMMPlan: Sendable, Equatable, CustomStringConvertible {
    /// How the threads share the product.
    package enum Split: Sendable, Equatable {
        /// All of it on the calling thread.
        case none
        /// C cut into `parts` blocks of whole tiles, along its rows or its columns, each multiplied on its own
        /// thread (B, or A, read by every thread).
        case rows, columns
        /// Threads take blocks of B's columns from a shared counter, two blocks per thread, and multiply all of A
        /// by each.
        case columnBlocks
        /// Threads pack each block of B together and multiply chunks of A's rows against it.
        case sharedPackedB
    }

    /// How each thread's share multiplies.
    package enum Kernel: Sendable, Equatable {
        /// Dot products along the depth, A's rows against B's columns (both contiguous).
        case dotProducts
        /// Register tiles reading B's rows where they lie.
        case bInPlace
        /// Register tiles over strips of B packed first, A read where it lies.
        case packedB
        /// Register tiles over packed strips of B and packed panels of A (an A whose layout thrashes L1).
        case packedAB
    }

    package var split: Split
    /// Threads (1 for ``Split/none``).
    package var parts: Int
    /// What each share runs; for a split, the first share's (a last, smaller block may read B in place where the
    /// others pack it).
    package var kernel: Kernel
    /// Whether the depth is multiplied in cache-sized blocks (always when the product may be split, so that its
    /// parts sum in one order whatever the thread count).
    package var blocksDepth: Bool
    /// Whether the product runs as Cᵀ = Bᵀ · Aᵀ, the rest of the plan being that product's.
    package var transposed = false

    package init(split: Split, parts: Int, kernel: Kernel, blocksDepth: Bool) {
        (self.split, self.parts, self.kernel, self.blocksDepth) = (split, parts, kernel, blocksDepth)
    }

    /// The plan in words: `B packed, 2 threads by rows of C`; a transposed one starts `as Cᵀ = Bᵀ·Aᵀ: `.
    package var description: String {
        let kernelText = switch kernel {
        case .dotProducts: "dot products"
        case .bInPlace: "B read in place"
        case .packedB: "B packed"
        case .packedAB: "A and B packed"
        }
        let splitText = switch split {
        case .none: "1 thread"
        case .rows: "\(parts) threads by rows of C"
        case .columns: "\(parts) threads by columns of C"
        case .columnBlocks: "\(parts) threads taking blocks of B's columns"
        case .sharedPackedB: "\(parts) threads sharing each packed block of B"
        }
        return (transposed ? "as Cᵀ = Bᵀ·Aᵀ: " : "") + "\(kernelText), \(splitText)"
    }
}
