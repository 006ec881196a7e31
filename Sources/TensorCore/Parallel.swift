import Dispatch
import Foundation

/// Loops split over the machine's cores for elementwise, norm and im2col work
/// (OpenBLAS has its own threads for matrix products).
public enum Parallel {
    /// Chunks per thread for large loops (`chunks`).
    static let partsPerWorker = 4

    /// Worker count: every core, unless GLYPHPOSTER_THREADS says otherwise.
    public static let workers: Int = {
        if let text = ProcessInfo.processInfo.environment["GLYPHPOSTER_THREADS"], let n = Int(text), n > 0 { return n }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// Calls `body(range)` over `0..<count` in contiguous chunks, in parallel
    /// when the work is large enough to pay for the threads. Large loops are cut
    /// into up to `partsPerWorker` chunks a thread; each thread runs its own share
    /// of them (`SpinningWorkers`' affinity) and then takes over what is left of the
    /// others', so a core the host slows down ends up with fewer instead of holding
    /// up the loop (on a shared 2-vCPU machine one vCPU is at times worth almost nothing).
    public static func chunks(_ count: Int, minimumPerChunk: Int = 16_384, _ body: (Range<Int>) -> Void) {
        let parts = min(workers == 1 ? 1 : workers * partsPerWorker, max(1, count / max(1, minimumPerChunk)))
        if parts <= 1 { if count > 0 { body(0..<count) }; return }
        let part = { (part: Int) in
            let start = count * part / parts, end = count * (part + 1) / parts
            if start < end { body(start..<end) }
        }
        if SpinningWorkers.shared.run(parts: parts, part) { return }
        withoutActuallyEscaping(part) { part in
            nonisolated(unsafe) let part = part
            DispatchQueue.concurrentPerform(iterations: parts) { part($0) }
        }
    }
}
