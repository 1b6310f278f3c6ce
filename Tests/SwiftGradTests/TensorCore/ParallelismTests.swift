import Testing
@testable import TensorCore

/// Work split over the thread pool: every element exactly once, and the same bits as on one thread.
@Suite(.serialized) struct ParallelismTests {
    /// Runs `body` with each thread count, scoped to this test (suites running beside it keep theirs).
    static func forEachThreadCount(_ counts: [Int] = [1, 2, 3], _ body: (Int) -> Void) {
        for threads in counts {
            Parallelism.withThreadCount(threads) { body(threads) }
        }
    }

    /// Runs each case on 1 thread and then on the others, expecting the same elements; returns the 1-thread ones.
    @discardableResult
    static func expectSameBitsOnAnyThreadCount(_ cases: [(String, () -> Tensor)],
                                               threadCounts: [Int] = [1, 2, 3]) -> [[Float]] {
        var expected: [[Float]] = []
        forEachThreadCount(threadCounts) { threads in
            for (i, (name, op)) in cases.enumerated() {
                let values = op().scalars
                if threads == threadCounts[0] {
                    expected.append(values)
                } else {
                    #expect(values == expected[i], "\(name), \(threads) threads")
                }
            }
        }
        return expected
    }

    @Test(arguments: [0, 1, 100, 65_535, 65_536, 100_003])
    func piecesCoverTheRangeOnceOnWholeCacheLines(_ count: Int) {
        Self.forEachThreadCount { threads in
            let pieces = Locked<[Range<Int>]>([])
            Parallelism.forEachPiece(of: count) { range in pieces.withLock { $0.append(range) } }
            let sorted = pieces.withLock { $0 }.sorted { $0.lowerBound < $1.lowerBound }
            #expect(sorted.map(\.count).reduce(0, +) == count, "count \(count), threads \(threads)")
            #expect(zip(sorted, sorted.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
            #expect(sorted.first?.lowerBound ?? 0 == 0)
            #expect(sorted.dropLast().allSatisfy { $0.upperBound % 16 == 0 })
            #expect(sorted.count <= Swift.max(1, count / Parallelism.minimumElementsPerThread))
        }
    }

    /// 300 × 257 = 77,100 elements: large enough to split over two and three threads, in rows that are not
    /// a multiple of anything.
    @Test func largeElementwiseOpsGiveTheSameBitsOnAnyThreadCount() {
        let g = RandomGenerator(seed: 11)
        let a = Tensor.randn([300, 257], generator: g), b = Tensor.randn([300, 257], generator: g)
        let column = Tensor.randn([300, 1], generator: g), row = Tensor.randn([257], generator: g)
        let transposed = Tensor.randn([257, 300], generator: g).transposed()
        let everyOtherColumn = Tensor.randn([300, 520], generator: g)[.all, .step(2)]
        let cases: [(String, () -> Tensor)] = [
            ("add", { a + b }), ("exp", { a.exp() }), ("relu of a transposed view", { transposed.relu() }),
            ("broadcast column and row", { column * row }), ("strided with contiguous", { transposed - a }),
            ("every other column", { everyOtherColumn.exp() }),
        ]
        Self.expectSameBitsOnAnyThreadCount(cases)
        #expect((a + b).scalars[76_999] == a.scalars[76_999] + b.scalars[76_999])
    }

    /// Sums and extremes of 77,100 and 1,000,003 elements, split over rows, over columns, and (one long sum)
    /// over the top of the pairwise tree: the same bits on any thread count, and the long sum close to float64.
    @Test func largeReductionsGiveTheSameBitsOnAnyThreadCount() {
        let g = RandomGenerator(seed: 12)
        let a = Tensor.randn([300, 257], generator: g), long = Tensor.randn([1_000_003], generator: g)
        let cases: [(String, () -> Tensor)] = [
            ("sum of everything", { long.sum() }), ("sum over rows", { a.sum(axis: 0) }),
            ("sum over columns", { a.sum(axis: 1) }), ("max over rows", { a.max(axis: 0) }),
            ("min over columns", { a.min(axis: 1) }), ("mean of a transposed view", { a.transposed().mean(axis: 1) }),
        ]
        let sums = Self.expectSameBitsOnAnyThreadCount(cases, threadCounts: [1, 2, 3, 4])
        let exact = long.to(.float64).sum().item()
        #expect(Swift.abs(sums[0][0] - exact) <= 1e-5 * Swift.max(1, Swift.abs(exact)) + 1e-3)
    }
}

/// Scoped settings: a task's thread count and GEMM family are its own, whatever the tasks beside it set.
@Suite struct ScopedSettingsTests {
    @Test func tasksRunningAtOnceKeepTheirOwnThreadCountAndKernel() async {
        let processWide = (Parallelism.threadCount, KernelSettings.family)
        let kernels = KernelFamily.runnable
        await withTaskGroup(of: Bool.self) { group in
            for task in 0..<8 {
                group.addTask {
                    let (threads, kernel) = (task % 4 + 1, kernels[task % kernels.count])
                    return Parallelism.withThreadCount(threads) {
                        KernelSettings.withFamily(kernel) {
                            (0..<2_000).allSatisfy { _ in
                                Parallelism.threadCount == threads && KernelSettings.family == kernel
                            }
                        }
                    }
                }
            }
            for await keptItsOwn in group { #expect(keptItsOwn) }
        }
        #expect(Parallelism.threadCount == processWide.0 && KernelSettings.family == processWide.1)
    }

    @Test func scopesNestAndEnd() {
        let outside = Parallelism.threadCount
        Parallelism.withThreadCount(3) {
            #expect(Parallelism.threadCount == 3)
            Parallelism.withThreadCount(1) { #expect(Parallelism.threadCount == 1) }
            #expect(Parallelism.threadCount == 3)
        }
        #expect(Parallelism.threadCount == outside)
    }
}
