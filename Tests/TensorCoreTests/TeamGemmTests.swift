import XCTest
@testable import TensorCore

/// `TeamGemm`: products split over the thread team give what one product
/// gives (checked against a double-precision triple loop), for every
/// transpose, both split directions, strided views, beta, and sgemv.
final class TeamGemmTests: XCTestCase {
    func testSplitProductsMatchOneProduct() {
        checkSplitProducts(packed: false)
    }

    /// The same split products with every part on `PackedGemm` (release AVX-512 builds on a machine whose
    /// OpenBLAS core lacks AVX-512 run every product this way; other builds compute the same, only slower).
    func testSplitProductsOnPackedGemm() {
        checkSplitProducts(packed: true)
    }

    func checkSplitProducts(packed: Bool) {
        var random = TensorRandom(seed: 21)
        // (m, n, k): tall (split along M), wide (split along N), and one under the split threshold.
        for (m, n, k) in [(300, 72, 128), (40, 530, 112), (24, 20, 16)] {
            for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
                // Strided views: leading dimensions wider than the rows.
                let lda = (transposeA ? m : k) + 3, ldb = (transposeB ? k : n) + 5, ldc = n + 7
                let a = random.normal(shape: [(transposeA ? k : m) * lda]).scalars
                let b = random.normal(shape: [(transposeB ? n : k) * ldb]).scalars
                let c0 = random.normal(shape: [m * ldc]).scalars
                for beta: Float in [0, 0.5] {
                    var c = c0
                    a.withUnsafeBufferPointer { pa in
                        b.withUnsafeBufferPointer { pb in
                            c.withUnsafeMutableBufferPointer { pc in
                                TeamGemm.sgemm(pa.baseAddress!, lda: lda, pb.baseAddress!, ldb: ldb, pc.baseAddress!, ldc: ldc,
                                               m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB, alpha: 0.75, beta: beta,
                                               packed: packed)
                            }
                        }
                    }
                    let expected = referenceProduct(a, lda: lda, b, ldb: ldb, c0, ldc: ldc, m: m, n: n, k: k,
                                         transposeA: transposeA, transposeB: transposeB, alpha: 0.75, beta: beta)
                    XCTAssertLessThan(relativeError(c, expected), 1e-6, "\(m)x\(n)x\(k) tA \(transposeA) tB \(transposeB) beta \(beta) packed \(packed)")
                    // The padding between rows is left alone.
                    for i in 0..<m { XCTAssertEqual(Array(c[(i * ldc + n)..<(i * ldc + ldc)]), Array(c0[(i * ldc + n)..<(i * ldc + ldc)])) }
                }
            }
        }
    }

    func testSplitMatrixVectorProducts() {
        var random = TensorRandom(seed: 22)
        let (rows, columns, lda) = (700, 300, 310)
        let a = random.normal(shape: [rows * lda]).scalars
        for transposed in [false, true] {
            let x = random.normal(shape: [transposed ? rows : columns]).scalars
            let outputs = transposed ? columns : rows
            let y0 = random.normal(shape: [outputs]).scalars
            var y = y0
            a.withUnsafeBufferPointer { pa in
                x.withUnsafeBufferPointer { px in
                    y.withUnsafeMutableBufferPointer { py in
                        TeamGemm.sgemv(transposed: transposed, rows: rows, columns: columns, alpha: 2, pa.baseAddress!, lda: lda,
                                       px.baseAddress!, beta: 0.25, py.baseAddress!)
                    }
                }
            }
            // y = 2·op(A)·x + 0.25·y, as a product with one column.
            let expected = transposed
                ? referenceProduct(a, lda: lda, x, ldb: 1, y0, ldc: 1, m: columns, n: 1, k: rows, transposeA: true, transposeB: false, alpha: 2, beta: 0.25)
                : referenceProduct(a, lda: lda, x, ldb: 1, y0, ldc: 1, m: rows, n: 1, k: columns, transposeA: false, transposeB: false, alpha: 2, beta: 0.25)
            XCTAssertLessThan(relativeError(y, expected), 1e-6, "transposed \(transposed)")
        }
    }

    /// The parts tile the range exactly, cut at multiples of 16 but the end.
    func testPartsCoverTheRangeOnce() {
        for length in [32, 33, 100, 513, 2048] {
            for parts in [2, 3, 4] where length >= 16 * parts {
                let ranges = (0..<parts).map { TeamGemm.bounds($0, of: parts, length: length) }
                XCTAssertEqual(ranges.first?.lowerBound, 0)
                XCTAssertEqual(ranges.last?.upperBound, length)
                for (left, right) in zip(ranges, ranges.dropFirst()) {
                    XCTAssertEqual(left.upperBound, right.lowerBound, "length \(length), \(parts) parts")
                    XCTAssertEqual(left.upperBound % 16, 0)
                    XCTAssertFalse(left.isEmpty)
                }
            }
        }
        XCTAssertNil(TeamGemm.parts(length: 1024, work: TeamGemm.minimumSplitWork - 1), "small products run on the caller")
    }
}
