import Dispatch
import Foundation
import Synchronization

/// The helper threads behind `Parallel.chunks`, kept awake between loops the
/// way OpenMP's runtime (PyTorch's) keeps its team: a worker spins for a short
/// while after each job, so the next loop starts at once instead of paying a
/// thread wake-up (tens of microseconds on this machine: a 2 MB group norm
/// took 0.053 ms on one thread and 0.074 ms split in two through Dispatch),
/// then sleeps on a semaphore. One job at a time; a loop started inside a
/// job, or while another thread's job runs, runs on its caller's thread.
///
/// Parts are handed out with affinity, as OpenMP's static schedule plus work
/// stealing: the caller owns the first contiguous share of a job's parts and
/// worker i the (i+1)-th, each runs its own share in order, then takes what
/// is left of the others'. Consecutive loops over the same tensor then find
/// their data in the cache of the core that wrote it, where handing every
/// part to whichever thread came first moved it between the cores on every
/// loop (AMD EPYC Zen 5, 2 threads, 40 alternating pairs: the stack's
/// forward+backward faster in 35, median 4.47 -> 4.34 ms).
final class SpinningWorkers: @unchecked Sendable {
    static let shared = SpinningWorkers(threads: Parallel.workers - 1)

    let threads: Int
    private let generation = Atomic<Int>(0)
    /// Per participant (the caller, then each worker), the next part of its share to hand out; `closed` between
    /// jobs, so a late worker takes nothing from a job that is being set up.
    private let nextParts: [PartCounter]
    private static let closed = Int.max / 2
    private let finished = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    /// Workers inside `runParts` (holding a reference to the job).
    private let active = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    private let wake = DispatchSemaphore(value: 0)
    /// The job's part count: atomic, since a worker that woke late may read it while the next job is set up.
    private let parts = Atomic<Int>(0)
    private nonisolated(unsafe) var job: ((Int) -> Void)?
    /// Polls of the job counter (most with a yield between) before a worker goes to sleep.
    private let spinLimit = Int(ProcessInfo.processInfo.environment["GLYPHPOSTER_SPIN"] ?? "") ?? 200

    private static let workerKey = "glyphposter.spinning-worker"

    init(threads: Int) {
        self.threads = max(0, threads)
        nextParts = (0...self.threads).map { _ in PartCounter() }
        for worker in 0..<self.threads {
            let thread = Thread { [unowned self] in self.workerLoop(participant: worker + 1, seen: 0) }
            thread.threadDictionary[Self.workerKey] = true
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    /// Whether `run` would decline on this thread now: the pool is taken, or this is one of its workers. A hint
    /// for callers that set up before running (the answer can go stale, only `run` decides), so a product started
    /// inside a parallel job does not allocate and plan for a team it cannot have.
    var isTaken: Bool {
        threads == 0 || busy.load(ordering: .sequentiallyConsistent) || Thread.current.threadDictionary[Self.workerKey] != nil
    }

    /// Runs `body(part)` for every part in `0..<parts`, on the caller and the workers; returns when all are done.
    /// False when the pool is taken (another thread's job, or a job calling in): the caller then runs them itself.
    func run(parts count: Int, _ body: (Int) -> Void) -> Bool {
        guard threads > 0, count > 1, Thread.current.threadDictionary[Self.workerKey] == nil,
              busy.compareExchange(expected: false, desired: true, ordering: .sequentiallyConsistent).exchanged else { return false }
        defer { busy.store(false, ordering: .sequentiallyConsistent) }
        withoutActuallyEscaping(body) { body in
            job = body
            parts.store(count, ordering: .sequentiallyConsistent)
            finished.store(0, ordering: .sequentiallyConsistent)
            for (participant, next) in nextParts.enumerated() {
                next.value.store(Self.share(of: participant, parts: count, participants: threads + 1).lowerBound,
                                 ordering: .sequentiallyConsistent)
            }
            generation.add(1, ordering: .sequentiallyConsistent)
            let asleep = sleepers.load(ordering: .sequentiallyConsistent)
            for _ in 0..<min(asleep, threads) { wake.signal() }
            runParts(participant: 0)
            while finished.load(ordering: .sequentiallyConsistent) < count {}
            // The closure must not outlive this call: wait until no worker still holds it.
            for next in nextParts { next.value.store(Self.closed, ordering: .sequentiallyConsistent) }
            while active.load(ordering: .sequentiallyConsistent) > 0 {}
            job = nil
        }
        return true
    }

    /// The parts participant `participant` owns: the `participant`-th of `participants` contiguous, near-equal shares.
    static func share(of participant: Int, parts: Int, participants: Int) -> Range<Int> {
        (parts * participant / participants)..<(parts * (participant + 1) / participants)
    }

    /// Runs the participant's own share of the parts in order, then what is left of the others' shares.
    /// The job's size is read after each claim: the claim synchronises with the setup of the job it came from, so a
    /// worker that woke for one job and finds the next one set up judges the part by that job (reading the size
    /// first, a late worker dropped a claimed part of a larger job as out of range, and the caller waited forever).
    @inline(never) private func runParts(participant: Int) {
        let participants = nextParts.count
        for offset in 0..<participants {
            let owner = (participant + offset) % participants
            while true {
                let part = nextParts[owner].value.add(1, ordering: .sequentiallyConsistent).oldValue
                let count = parts.load(ordering: .relaxed)
                guard part < Self.share(of: owner, parts: count, participants: participants).upperBound, let job else { break }
                job(part)
                finished.add(1, ordering: .sequentiallyConsistent)
            }
        }
    }

    /// `seen` is the generation before any job (0), not the one when the thread first runs: a job started
    /// while the thread was still starting is then joined, not missed (`TeamPackedGemm`'s parts need every thread).
    private func workerLoop(participant: Int, seen initial: Int) {
        var seen = initial
        while true {
            var spins = 0
            while generation.load(ordering: .sequentiallyConsistent) == seen {
                spins += 1
                // Past the first polls, let a runnable thread (OpenBLAS's, the caller's) have the core.
                if spins > 64 { sched_yield() }
                if spins >= spinLimit {
                    sleepers.add(1, ordering: .sequentiallyConsistent)
                    if generation.load(ordering: .sequentiallyConsistent) == seen { wake.wait() }
                    sleepers.subtract(1, ordering: .sequentiallyConsistent)
                    spins = 0
                }
            }
            seen = generation.load(ordering: .sequentiallyConsistent)
            active.add(1, ordering: .sequentiallyConsistent)
            runParts(participant: participant)
            active.subtract(1, ordering: .sequentiallyConsistent)
        }
    }
}

/// One participant's next part, padded so that no two participants' counters share a cache line (they are written
/// by different cores): 56 bytes of padding put the next object's counter at least 64 bytes on.
final class PartCounter: @unchecked Sendable {
    let value = Atomic<Int>(Int.max / 2)
    private let padding: (Int, Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0, 0)
}
