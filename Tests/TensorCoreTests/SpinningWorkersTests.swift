import Dispatch
import Synchronization
import XCTest
@testable import TensorCore

/// `SpinningWorkers` with affinity: each participant owns a contiguous share of a job's parts and takes what is
/// left of the others' once its own are done. A pool of its own with three workers, so four participants share.
final class SpinningWorkersTests: XCTestCase {
    static let pool = SpinningWorkers(threads: 3)

    func testSharesAreContiguousNearEqualAndCoverEveryPart() {
        for participants in 1...5 {
            for parts in 0...23 {
                let shares = (0..<participants).map { SpinningWorkers.share(of: $0, parts: parts, participants: participants) }
                XCTAssertEqual(shares.first?.lowerBound, 0)
                XCTAssertEqual(shares.last?.upperBound, parts)
                for (a, b) in zip(shares, shares.dropFirst()) { XCTAssertEqual(a.upperBound, b.lowerBound) }
                let sizes = shares.map(\.count)
                XCTAssertLessThanOrEqual(sizes.max()! - sizes.min()!, 1, "\(parts) parts over \(participants)")
            }
        }
    }

    func testEveryPartRunsExactlyOnce() {
        for job in 0..<1_000 {
            let parts = 2 + job % 19
            let counts = Mutex([Int](repeating: 0, count: parts))
            XCTAssertTrue(Self.pool.run(parts: parts) { part in counts.withLock { $0[part] += 1 } })
            XCTAssertEqual(counts.withLock { $0 }, [Int](repeating: 1, count: parts), "job \(job)")
        }
    }

    /// Back-to-back jobs of changing sizes, too small for the workers to keep up: a worker that wakes for one job
    /// often finds the next one set up. It must judge the parts it claims by the job it claimed them from (it once
    /// read the earlier job's size, dropped a claimed part as out of range and left the caller waiting forever:
    /// this test, before the fix, timed out in one run of three).
    /// Run on a thread of its own, so a lost part fails the test instead of hanging it.
    func testLateWorkersNeitherDropNorRepeatParts() {
        let done = DispatchSemaphore(value: 0)
        let wrong = Atomic<Int>(0)
        // More workers than cores, so the host's scheduler leaves some of them behind.
        let pool = SpinningWorkers(threads: 7)
        Thread {
            for job in 0..<100_000 {
                let parts = 2 + (job * 7) % 13
                let counts = Mutex([Int](repeating: 0, count: parts))
                _ = pool.run(parts: parts) { part in counts.withLock { $0[part] += 1 } }
                if counts.withLock({ $0 }) != [Int](repeating: 1, count: parts) { wrong.add(1, ordering: .relaxed) }
            }
            done.signal()
        }.start()
        XCTAssertEqual(done.wait(timeout: .now() + 60), .success, "a job never finished: a part was lost")
        XCTAssertEqual(wrong.load(ordering: .relaxed), 0)
    }

    /// Part 2 waits until part 3 has run. The worker that owns both (participant 1 of 2 with four parts) is held
    /// in part 2, so part 3 only runs if the caller, done with its own share, takes it over.
    func testAnIdleParticipantTakesOverTheRestOfAnotherShare() {
        let pool = SpinningWorkers(threads: 1)
        for _ in 0..<20 {
            let partThreeDone = DispatchSemaphore(value: 0)
            let timedOut = Atomic<Bool>(false)
            XCTAssertTrue(pool.run(parts: 4) { part in
                if part == 2, partThreeDone.wait(timeout: .now() + 10) == .timedOut { timedOut.store(true, ordering: .relaxed) }
                if part == 3 { partThreeDone.signal() }
            })
            XCTAssertFalse(timedOut.load(ordering: .relaxed))
        }
    }

    /// `TeamPackedGemm`'s jobs: as many parts as participants, each waiting at a barrier for all the others.
    func testPartsThatWaitForEachOtherAllGetThreads() {
        for _ in 0..<200 {
            let schedule = TeamSchedule(threads: 4)
            let passed = Atomic<Int>(0)
            XCTAssertTrue(Self.pool.run(parts: 4) { _ in
                schedule.barrier()
                schedule.barrier()
                passed.add(1, ordering: .relaxed)
            })
            XCTAssertEqual(passed.load(ordering: .relaxed), 4)
        }
    }

    func testAJobStartedInsideAJobDeclines() {
        let inner = Atomic<Int>(0)
        XCTAssertTrue(Self.pool.run(parts: 4) { _ in
            if !Self.pool.run(parts: 2, { _ in }) { inner.add(1, ordering: .relaxed) }
        })
        XCTAssertEqual(inner.load(ordering: .relaxed), 4)
    }
}
