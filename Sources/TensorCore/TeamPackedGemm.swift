import Foundation
import Synchronization

/// `PackedGemm` run by the whole thread team on one product, the way BLIS and
/// MKL thread theirs: each block of B is packed once, its panels shared out
/// among the threads, into a buffer they all read; A's rows are then handed
/// out in small chunks, as threads free up. Cutting the product in two fixed
/// halves instead made each thread pack all of B, and left the faster thread
/// idle whenever the host slowed the other vCPU. Scratch harness (C port,
/// 2 threads, alternating, medians of 11): 2048³ 113-118 -> 133-140 GFLOP/s,
/// 4096x1280x320 97-129 -> 135-139 GFLOP/s.
///
/// B's blocks alternate between two buffers, so a thread that finishes its
/// rows of block t packs panels of block t+1 at once: one barrier a block.
enum TeamPackedGemm {
    /// Off with GLYPHPOSTER_PACKED_TEAM=0 (products then split in fixed halves, for A/B benchmarks).
    static let enabled = ProcessInfo.processInfo.environment["GLYPHPOSTER_PACKED_TEAM"] != "0"

    /// Whether the team runs a product of m rows: enough rows for a few chunks a thread.
    static func suits(m: Int, workers: Int) -> Bool { enabled && workers > 1 && m >= 4 * workers * PackedGemm.tileRows }

    /// The team: the caller and `SpinningWorkers`' threads (every part of a job must have a thread of its own,
    /// since each waits at the barriers for all the others).
    static var workers: Int { SpinningWorkers.shared.threads + 1 }

    /// Rows of A a thread takes at a time: several chunks a thread, at most 96 rows (8 panels).
    static func chunkRows(m: Int, workers: Int) -> Int {
        min(96, max(PackedGemm.tileRows, PackedGemm.roundUp(m / (workers * 4), PackedGemm.tileRows)))
    }

    /// C = alpha·op(A)·op(B) + beta·C on every thread of `SpinningWorkers` (cblas_sgemm's contract).
    /// False when the team is busy (a product started inside a parallel job): the caller runs it another way.
    static func sgemm(_ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
                      _ c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int, k: Int,
                      transposeA: Bool, transposeB: Bool, alpha: Float, beta: Float) -> Bool {
        let workers = Self.workers
        // Inside a parallel job (the Winograd products, 36 a convolution) the team is taken: decline before
        // allocating B's buffers and planning the blocks.
        guard m > 0, n > 0, k > 0, alpha != 0, suits(m: m, workers: workers), !SpinningWorkers.shared.isTaken else { return false }
        let blocks = PackedGemm.Blocking(m: m, n: n, k: k)
        let chunk = chunkRows(m: m, workers: workers)
        let panelFloats = blocks.columns * blocks.depth
        let threadFloats = chunk * blocks.depth + PackedGemm.tileRows * PackedGemm.tileColumns
        let count = 2 * panelFloats + workers * threadFloats
        let raw = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.size, alignment: 64)
        defer { raw.deallocate() }
        let buffers = raw.bindMemory(to: Float.self, capacity: count)
        // Every block of B, in order; block t is packed into buffer t % 2.
        var list: [(columns: Range<Int>, depth: Range<Int>)] = []
        blocks.forEachBlock(n: n, k: k) { list.append(($0, $1)) }
        let schedule = TeamSchedule(threads: workers)
        let chunks = (m + chunk - 1) / chunk
        return SpinningWorkers.shared.run(parts: workers) { part in
            let packedA = buffers + 2 * panelFloats + part * threadFloats, edge = packedA + chunk * blocks.depth
            func pack(_ t: Int) {
                let block = list[t], bp = buffers + (t % 2) * panelFloats, kb = block.depth.count
                let panels = (block.columns.count + PackedGemm.tileColumns - 1) / PackedGemm.tileColumns
                while true {
                    let panel = schedule.nextPanel()
                    guard panel < panels else { return }
                    let first = block.columns.lowerBound + panel * PackedGemm.tileColumns
                    PackedGemm.packB(b, ldb: ldb, transposed: transposeB, depth: block.depth,
                                     columns: first..<min(block.columns.upperBound, first + PackedGemm.tileColumns),
                                     into: bp + panel * PackedGemm.tileColumns * kb)
                }
            }
            pack(0)
            for t in list.indices {
                schedule.barrier()
                let block = list[t], bp = buffers + (t % 2) * panelFloats
                let blockBeta: Float = block.depth.lowerBound == 0 ? beta : 1
                while true {
                    let index = schedule.nextChunk()
                    guard index < chunks else { break }
                    let rows = (index * chunk)..<min(m, (index + 1) * chunk)
                    PackedGemm.multiplyRows(a, lda: lda, transposeA: transposeA, alpha: alpha, rows: rows, depth: block.depth,
                                            packedB: bp, columns: block.columns, c, ldc: ldc, beta: blockBeta,
                                            packedA: packedA, edge: edge)
                }
                if t + 1 < list.count { pack(t + 1) }
            }
        }
    }
}

/// The rendezvous of one `TeamPackedGemm` product: two task counters (B's panels, A's row chunks) and a
/// spinning barrier whose last arrival resets both; no thread is taking tasks then, since every thread
/// reaches the barrier only after its counters ran out.
final class TeamSchedule: @unchecked Sendable {
    let threads: Int
    private let panels = Atomic<Int>(0)
    private let chunks = Atomic<Int>(0)
    private let arrived = Atomic<Int>(0)
    private let generation = Atomic<Int>(0)

    init(threads: Int) { self.threads = threads }

    func nextPanel() -> Int { panels.add(1, ordering: .sequentiallyConsistent).oldValue }
    func nextChunk() -> Int { chunks.add(1, ordering: .sequentiallyConsistent).oldValue }

    /// Waits until every thread has arrived; spins, yielding the core after the first polls (a vCPU the
    /// host has taken away cannot arrive while its partner holds the other one busy).
    func barrier() {
        let seen = generation.load(ordering: .sequentiallyConsistent)
        if arrived.add(1, ordering: .sequentiallyConsistent).newValue == threads {
            arrived.store(0, ordering: .sequentiallyConsistent)
            panels.store(0, ordering: .sequentiallyConsistent)
            chunks.store(0, ordering: .sequentiallyConsistent)
            generation.add(1, ordering: .sequentiallyConsistent)
            return
        }
        var spins = 0
        while generation.load(ordering: .sequentiallyConsistent) == seen {
            spins += 1
            if spins > 64 { sched_yield() }
        }
    }
}
