import Dispatch
import Synchronization
import XCTest
@testable import TensorCore

/// `Parallel.chunks` over the spinning workers: every index exactly once,
/// several chunks per thread for large loops, back-to-back jobs (where a late worker must not run a part of the next
/// job twice), loops nested in a job, and several threads calling at once.
final class ParallelTests: XCTestCase {
    /// Counts how often each index was visited.
    final class Visits: Sendable {
        let counts: Mutex<[Int]>
        init(_ n: Int) { counts = Mutex([Int](repeating: 0, count: n)) }
        func visit(_ range: Range<Int>) { counts.withLock { for i in range { $0[i] += 1 } } }
        var all: [Int] { counts.withLock { $0 } }
    }

    func testEveryIndexExactlyOnceAcrossManyJobs() {
        for job in 0..<2_000 {
            let n = 1 + job % 97 * 13
            let visits = Visits(n)
            Parallel.chunks(n, minimumPerChunk: 1 + job % 5) { visits.visit($0) }
            XCTAssertEqual(visits.all, [Int](repeating: 1, count: n), "job \(job)")
        }
    }

    /// A large loop is cut into several chunks per thread (a slowed core takes fewer of them), contiguous and
    /// covering every index; a small one into no more chunks than its minimum size allows.
    func testLargeLoopsTakeSeveralChunksPerThread() {
        let chunks = Mutex<[Range<Int>]>([])
        Parallel.chunks(1_000, minimumPerChunk: 1) { range in chunks.withLock { $0.append(range) } }
        let sorted = chunks.withLock { $0 }.sorted { $0.lowerBound < $1.lowerBound }
        XCTAssertEqual(sorted.count, Parallel.workers == 1 ? 1 : Parallel.workers * Parallel.partsPerWorker)
        XCTAssertEqual(sorted.first?.lowerBound, 0)
        XCTAssertEqual(sorted.last?.upperBound, 1_000)
        for (a, b) in zip(sorted, sorted.dropFirst()) { XCTAssertEqual(a.upperBound, b.lowerBound) }
        let small = Mutex(0)
        Parallel.chunks(30, minimumPerChunk: 10) { _ in small.withLock { $0 += 1 } }
        XCTAssertEqual(small.withLock { $0 }, min(3, Parallel.workers == 1 ? 1 : Parallel.workers * Parallel.partsPerWorker))
    }

    func testNestedLoopsRunInline() {
        let visits = Visits(64 * 16)
        Parallel.chunks(64, minimumPerChunk: 1) { outer in
            for i in outer {
                Parallel.chunks(16, minimumPerChunk: 1) { inner in visits.visit((i * 16 + inner.lowerBound)..<(i * 16 + inner.upperBound)) }
            }
        }
        XCTAssertEqual(visits.all, [Int](repeating: 1, count: 64 * 16))
    }

    func testSeveralCallingThreads() {
        let visits = Visits(4 * 50 * 300)
        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            for job in 0..<50 {
                let base = (thread * 50 + job) * 300
                Parallel.chunks(300, minimumPerChunk: 7) { visits.visit((base + $0.lowerBound)..<(base + $0.upperBound)) }
            }
        }
        XCTAssertEqual(visits.all, [Int](repeating: 1, count: 4 * 50 * 300))
    }
}
