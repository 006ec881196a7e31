import COpenBLAS
import Foundation

/// sgemm and sgemv split over `Parallel`'s threads, with OpenBLAS itself on
/// one thread: one thread team for the whole engine, as PyTorch runs MKL on
/// its own OpenMP team. With two teams, OpenBLAS's idle threads spin (and
/// yield) for up to 2^28 cycles after every threaded product, on the cores our
/// workers need next: in a training-step profile 11% of the samples were
/// `sched_yield`, and the caller spent 13% waiting for a worker to finish.
///
/// A product on `PackedGemm` with rows for every thread runs on the whole team
/// at once (`TeamPackedGemm`: B packed once, rows handed out in chunks). Any
/// other is cut along the longer of M and N into one part per thread (each
/// part packs the shared operand itself, so more parts would pack it more
/// often); products under 4 MFLOP, and products started inside a parallel job
/// (the Winograd transforms' 36 products), run on the calling thread.
enum TeamGemm {
    /// Off with GLYPHPOSTER_BLAS_TEAM=0 (OpenBLAS threads its own products, for A/B benchmarks).
    static let enabled: Bool = {
        let on = Parallel.workers > 1 && ProcessInfo.processInfo.environment["GLYPHPOSTER_BLAS_TEAM"] != "0"
        if on { openblas_set_num_threads(1) }
        return on
    }()

    /// Below this many multiply-adds a product runs on the calling thread.
    static let minimumSplitWork = 1 << 21

    /// C = alpha·op(A)·op(B) + beta·C, row-major, explicit leading dimensions. Each part runs on
    /// `PackedGemm` when `packed` (and the product is at least `PackedGemm.minimumDepth` deep), else OpenBLAS;
    /// products the whole team can share run on `TeamPackedGemm` when `packed` or `PackedGemm.mode` says so.
    static func sgemm(_ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
                      _ c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int, k: Int,
                      transposeA: Bool, transposeB: Bool, alpha: Float, beta: Float, packed: Bool = PackedGemm.engaged) {
        func run(rows: Range<Int>, columns: Range<Int>) {
            guard !rows.isEmpty, !columns.isEmpty else { return }
            let partA = transposeA ? a + rows.lowerBound : a + rows.lowerBound * lda
            let partB = transposeB ? b + columns.lowerBound * ldb : b + columns.lowerBound
            if packed && k >= PackedGemm.minimumDepth {
                PackedGemm.sgemm(partA, lda: lda, partB, ldb: ldb, c + rows.lowerBound * ldc + columns.lowerBound, ldc: ldc,
                                 m: rows.count, n: columns.count, k: k, transposeA: transposeA, transposeB: transposeB,
                                 alpha: alpha, beta: beta)
                return
            }
            cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                        Int32(rows.count), Int32(columns.count), Int32(k), alpha, partA, Int32(lda), partB, Int32(ldb),
                        beta, c + rows.lowerBound * ldc + columns.lowerBound, Int32(ldc))
        }
        let alongRows = m >= n
        guard let parts = parts(length: alongRows ? m : n, work: m * n * k) else { run(rows: 0..<m, columns: 0..<n); return }
        // On PackedGemm, products with rows enough for every thread run on the team together (B packed once).
        if (packed || PackedGemm.mode == .teamProducts) && k >= PackedGemm.minimumDepth,
           TeamPackedGemm.sgemm(a, lda: lda, b, ldb: ldb, c, ldc: ldc, m: m, n: n, k: k, transposeA: transposeA,
                                transposeB: transposeB, alpha: alpha, beta: beta) { return }
        let split = { (part: Int) in
            let range = bounds(part, of: parts, length: alongRows ? m : n)
            if alongRows { run(rows: range, columns: 0..<n) } else { run(rows: 0..<m, columns: range) }
        }
        if !SpinningWorkers.shared.run(parts: parts, split) { run(rows: 0..<m, columns: 0..<n) }
    }

    /// y = alpha·op(A)·x + beta·y for row-major A [rows, columns], split over the output.
    static func sgemv(transposed: Bool, rows: Int, columns: Int, alpha: Float, _ a: UnsafePointer<Float>, lda: Int,
                      _ x: UnsafePointer<Float>, beta: Float, _ y: UnsafeMutablePointer<Float>) {
        let outputs = transposed ? columns : rows
        func run(_ range: Range<Int>) {
            guard !range.isEmpty else { return }
            if transposed {
                cblas_sgemv(CblasRowMajor, CblasTrans, Int32(rows), Int32(range.count), alpha, a + range.lowerBound, Int32(lda),
                            x, 1, beta, y + range.lowerBound, 1)
            } else {
                cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(range.count), Int32(columns), alpha, a + range.lowerBound * lda,
                            Int32(lda), x, 1, beta, y + range.lowerBound, 1)
            }
        }
        // A matrix-vector product streams its matrix once, memory-bound: worth splitting from 64K weights (a
        // 256x688 layer of the shipped planner decoded 15-20% slower on one thread than on OpenBLAS's two).
        guard let parts = parts(length: outputs, work: rows * columns * (minimumSplitWork >> 16)) else { run(0..<outputs); return }
        if !SpinningWorkers.shared.run(parts: parts, { run(bounds($0, of: parts, length: outputs)) }) { run(0..<outputs) }
    }

    /// One part per thread when the product is worth splitting and each part gets at least 16 rows or columns.
    static func parts(length: Int, work: Int) -> Int? {
        let workers = Parallel.workers
        guard enabled, work >= minimumSplitWork, length >= 16 * workers else { return nil }
        return workers
    }

    /// Part `part` of `0..<length` cut into `parts`, at multiples of 16 (sgemm's register tiles) but the last.
    static func bounds(_ part: Int, of parts: Int, length: Int) -> Range<Int> {
        func edge(_ p: Int) -> Int { p == parts ? length : length * p / parts / 16 * 16 }
        return edge(part)..<edge(part + 1)
    }
}
