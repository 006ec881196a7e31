import COpenBLAS
import Synchronization
import XCTest
@testable import TensorCore

/// `TeamPackedGemm`: one product on the whole thread team (B's blocks packed
/// once into shared, alternating buffers; A's rows handed out in chunks)
/// gives OpenBLAS's product, across column and depth blocks (so
/// both buffers and every barrier are used), row chunks with a ragged end,
/// every transpose and beta; inside a parallel job it declines.
final class TeamPackedGemmTests: XCTestCase {
    func testTeamProductsMatchTheReference() {
        var random = TensorRandom(seed: 31)
        // Depth 600: two depth blocks of 304; B's block held to 20K floats: 1060 columns in 17 blocks of 64 (or
        // fewer), so both buffers take turns; 110 rows: chunks of 24, the last of 14.
        let (m, n, k) = (110, 1060, 600)
        let blockFloats = PackedGemm.blockFloats
        defer { PackedGemm.blockFloats = blockFloats }
        PackedGemm.blockFloats = 20 * 1024
        XCTAssertEqual(PackedGemm.Blocking(m: m, n: n, k: k).depth, 304)
        XCTAssertEqual(PackedGemm.Blocking(m: m, n: n, k: k).columns, 64)
        XCTAssertEqual(TeamPackedGemm.chunkRows(m: m, workers: 2), 24)
        // Every transpose once, each beta twice (an unoptimised build's kernel is slow at this size).
        for (transposeA, transposeB, beta) in [(false, false, Float(0)), (true, false, 0.5), (false, true, 0.5), (true, true, 0)] {
            let lda = (transposeA ? m : k) + 1, ldb = (transposeB ? k : n) + 2, ldc = n + 3
            let a = random.normal(shape: [(transposeA ? k : m) * lda]).scalars
            let b = random.normal(shape: [(transposeB ? n : k) * ldb]).scalars
            let c0 = random.normal(shape: [m * ldc]).scalars
            do {
                var c = c0
                if beta == 0 { c[5 * ldc + 7] = .nan }  // beta 0 never reads C
                let ran = a.withUnsafeBufferPointer { pa in
                    b.withUnsafeBufferPointer { pb in
                        c.withUnsafeMutableBufferPointer { pc in
                            TeamPackedGemm.sgemm(pa.baseAddress!, lda: lda, pb.baseAddress!, ldb: ldb, pc.baseAddress!, ldc: ldc,
                                                 m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB,
                                                 alpha: -1.25, beta: beta)
                        }
                    }
                }
                guard TeamPackedGemm.workers > 1 else { XCTAssertFalse(ran); return }
                XCTAssertTrue(ran)
                // OpenBLAS's product as the reference (the double-precision loop takes seconds at this size unoptimised).
                var expected = c0
                cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                            Int32(m), Int32(n), Int32(k), -1.25, a, Int32(lda), b, Int32(ldb), beta, &expected, Int32(ldc))
                XCTAssertLessThan(relativeError(c, expected), 1e-6, "tA \(transposeA) tB \(transposeB) beta \(beta)")
                for i in 0..<m { XCTAssertEqual(Array(c[(i * ldc + n)..<(i * ldc + ldc)]), Array(c0[(i * ldc + n)..<(i * ldc + ldc)])) }
            }
        }
    }

    /// Too few rows for a chunk a thread, or a product started inside a parallel job: the caller's other path runs it.
    func testDeclinesWhereTheTeamCannotRun() {
        var a = [Float](repeating: 1, count: 64 * 64), c = [Float](repeating: 0, count: 64 * 64)
        let b = a
        XCTAssertFalse(TeamPackedGemm.suits(m: 95, workers: 2))
        XCTAssertTrue(TeamPackedGemm.suits(m: 96, workers: 2) == TeamPackedGemm.enabled)
        XCTAssertFalse(TeamPackedGemm.suits(m: 4096, workers: 1))
        a = [Float](repeating: 1, count: 200 * 64)
        c = [Float](repeating: 0, count: 200 * 64)
        let ran = RunCounter()
        Parallel.chunks(4, minimumPerChunk: 1) { range in
            for part in range {
                var local = c
                let teamRan = local.withUnsafeMutableBufferPointer { pc in
                    TeamPackedGemm.sgemm(a, lda: 64, b, ldb: 64, pc.baseAddress!, ldc: 64, m: 200, n: 64, k: 64,
                                         transposeA: false, transposeB: false, alpha: 1, beta: 0)
                }
                if teamRan { ran.count.add(1, ordering: .sequentiallyConsistent) }
                _ = part
            }
        }
        XCTAssertEqual(ran.count.load(ordering: .sequentiallyConsistent), 0)
    }
}

/// Parts of a parallel job that ran a team product.
private final class RunCounter: Sendable {
    let count = Atomic<Int>(0)
}
