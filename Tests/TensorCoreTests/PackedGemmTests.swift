import XCTest
@testable import TensorCore

/// `PackedGemm`, GlyphPoster's AVX-512 sgemm: cblas_sgemm's contract checked against a double-precision
/// triple loop at shapes that cross every block and tile edge, and when it takes the products over.
final class PackedGemmTests: XCTestCase {
    /// Runs one product both ways; checks the result and that C's padding columns are untouched.
    func check(m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, alpha: Float, beta: Float, seed: UInt64,
               file: StaticString = #filePath, line: UInt = #line) {
        var random = TensorRandom(seed: seed)
        let lda = (transposeA ? m : k) + 3, ldb = (transposeB ? k : n) + 5, ldc = n + 7
        let a = random.normal(shape: [max(1, (transposeA ? k : m) * lda)]).scalars
        let b = random.normal(shape: [max(1, (transposeB ? n : k) * ldb)]).scalars
        var c0 = random.normal(shape: [m * ldc]).scalars
        // beta 0 must not read C: NaNs there must not come through.
        if beta == 0 { for i in stride(from: 0, to: c0.count, by: 3) { c0[i] = .nan } }
        var c = c0
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    PackedGemm.sgemm(pa.baseAddress!, lda: lda, pb.baseAddress!, ldb: ldb, pc.baseAddress!, ldc: ldc,
                                     m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB, alpha: alpha, beta: beta)
                }
            }
        }
        let expected = referenceProduct(a, lda: lda, b, ldb: ldb, c0, ldc: ldc, m: m, n: n, k: k,
                             transposeA: transposeA, transposeB: transposeB, alpha: alpha, beta: beta)
        let label = "\(m)x\(n)x\(k) tA \(transposeA) tB \(transposeB) alpha \(alpha) beta \(beta)"
        var got = [Float](), want = [Float]()
        for i in 0..<m {
            got += c[(i * ldc)..<(i * ldc + n)]
            want += expected[(i * ldc)..<(i * ldc + n)]
            for j in n..<ldc where !(c[i * ldc + j].isNaN && c0[i * ldc + j].isNaN) {
                XCTAssertEqual(c[i * ldc + j], c0[i * ldc + j], "padding changed, \(label)", file: file, line: line)
            }
        }
        XCTAssertFalse(got.contains { $0.isNaN }, label, file: file, line: line)
        XCTAssertLessThan(relativeError(got, want), 1e-5, label, file: file, line: line)
    }

    /// Tile edges (m not a multiple of 12, n not of 32), every transpose, beta 0, 1 and 0.5.
    func testEdgeTilesEveryTransposeAndBeta() {
        var seed: UInt64 = 40
        // 48 and 16 columns end on a half tile (the 12x16 kernel writes C directly when the rows are whole).
        for (m, n, k) in [(12, 32, 16), (13, 33, 17), (1, 1, 16), (25, 70, 64), (7, 100, 30), (24, 48, 20), (13, 16, 9)] {
            for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
                for beta: Float in [0, 1, 0.5] {
                    seed += 1
                    check(m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB, alpha: 0.75, beta: beta, seed: seed)
                }
            }
        }
    }

    /// Products that cross the depth blocks (k = 1100: three blocks of 368, the later ones adding to the first),
    /// the row blocks (m = 500 > 480) and the column blocks (B's block held to 8K floats: 1100 columns at
    /// depth 20 are three blocks of 384, 384 and 332 columns).
    func testProductsCrossingBlocks() {
        XCTAssertEqual(PackedGemm.Blocking(m: 30, n: 70, k: 1100).depth, 368)
        check(m: 30, n: 70, k: 1100, transposeA: false, transposeB: true, alpha: 1, beta: 0.5, seed: 60)
        check(m: 30, n: 70, k: 1100, transposeA: true, transposeB: false, alpha: -2, beta: 0, seed: 61)
        check(m: 500, n: 40, k: 24, transposeA: false, transposeB: false, alpha: 1, beta: 1, seed: 62)
        let blockFloats = PackedGemm.blockFloats
        defer { PackedGemm.blockFloats = blockFloats }
        PackedGemm.blockFloats = 8 * 1024
        XCTAssertEqual(PackedGemm.Blocking(m: 13, n: 1100, k: 20).columns, 384)
        check(m: 13, n: 1100, k: 20, transposeA: true, transposeB: true, alpha: 1, beta: 0, seed: 63)
    }

    /// Products at most four panels wide with alpha 1 and A not transposed read A where it lies (a last
    /// panel of fewer than 12 rows packed, so nothing past A's end is read); 129 columns pack A as before.
    func testRowsOfAReadInPlace() {
        var seed: UInt64 = 80
        for (m, n, k) in [(25, 70, 30), (24, 16, 9), (37, 128, 50), (12, 129, 20)] {
            for beta: Float in [0, 0.5] {
                seed += 1
                check(m: m, n: n, k: k, transposeA: false, transposeB: seed % 2 == 0, alpha: 1, beta: beta, seed: seed)
            }
        }
    }

    /// Packing through register transposes: A (alpha 1, not transposed, more than four panels of B) sixteen steps
    /// at a time up to its last group, which the step-by-step copy finishes (50, 48 and 17 deep); a transposed B's
    /// whole 32-column panels sixteen steps at a time, a last partial panel step by step.
    func testPackingThroughRegisterTransposes() {
        var seed: UInt64 = 90
        for (m, n, k) in [(37, 200, 50), (24, 160, 48), (12, 300, 17), (49, 140, 16), (13, 70, 64)] {
            for transposeB in [false, true] {
                seed += 1
                check(m: m, n: n, k: k, transposeA: false, transposeB: transposeB, alpha: 1, beta: seed % 2 == 0 ? 0 : 0.5, seed: seed)
            }
        }
    }

    /// Column blocks cut equally within the block budget: 2048 columns at depth 516 in two blocks of 1024, 1280 at
    /// depth 320 in one (A is packed once per column block).
    func testColumnBlocksAreEqual() {
        XCTAssertEqual(PackedGemm.Blocking(m: 2048, n: 2048, k: 2048).depth, 516)
        XCTAssertEqual(PackedGemm.Blocking(m: 2048, n: 2048, k: 2048).columns, 1024)
        XCTAssertEqual(PackedGemm.Blocking(m: 4096, n: 1280, k: 320).columns, 1280)
        XCTAssertEqual(PackedGemm.Blocking(m: 12, n: 20, k: 16).columns, 32)
    }

    /// k = 0 or alpha = 0 leave beta·C, as BLAS does (beta 0: zeros).
    func testEmptyDepthScalesC() {
        var c: [Float] = [1, 2, 3, 4, 5, 6]
        let a: [Float] = [1], b: [Float] = [1]
        PackedGemm.sgemm(a, lda: 1, b, ldb: 3, &c, ldc: 3, m: 2, n: 3, k: 0, transposeA: false, transposeB: false, alpha: 1, beta: 0.5)
        XCTAssertEqual(c, [0.5, 1, 1.5, 2, 2.5, 3])
        PackedGemm.sgemm(a, lda: 1, b, ldb: 3, &c, ldc: 3, m: 2, n: 3, k: 1, transposeA: false, transposeB: false, alpha: 0, beta: 0)
        XCTAssertEqual(c, [0, 0, 0, 0, 0, 0])
    }

    /// Every product where OpenBLAS's kernel lacks AVX-512, the team's products where it has it, on optimised
    /// AVX-512 builds, unless GLYPHPOSTER_GEMM says.
    func testWhenItTakesTheProducts() {
        func use(_ core: String, _ environment: [String: String] = [:], avx512: Bool = true, optimised: Bool = true) -> PackedGemm.Use {
            PackedGemm.use(avx512Build: avx512, optimisedBuild: optimised, openBLASCore: core, environment: environment)
        }
        XCTAssertEqual(use("Haswell"), .everyProduct)
        XCTAssertEqual(use("Prescott"), .everyProduct)
        XCTAssertEqual(use("SkylakeX"), .teamProducts)
        XCTAssertEqual(use("Cooperlake"), .teamProducts)
        XCTAssertEqual(use("Haswell", optimised: false), .never)
        XCTAssertEqual(use("SkylakeX", optimised: false), .never)
        XCTAssertEqual(use("Haswell", ["GLYPHPOSTER_GEMM": "packed"], optimised: false), .everyProduct)
        XCTAssertEqual(use("Haswell", ["GLYPHPOSTER_GEMM": "openblas"]), .never)
        XCTAssertEqual(use("SkylakeX", ["GLYPHPOSTER_GEMM": "openblas"]), .never)
        XCTAssertEqual(use("SkylakeX", ["GLYPHPOSTER_GEMM": "packed"]), .everyProduct)
        XCTAssertEqual(use("Haswell", ["GLYPHPOSTER_GEMM": "packed"], avx512: false), .never)
    }
}
