/// C = alpha·op(A)·op(B) + beta·C in Double, row-major with leading dimensions: the reference the sgemm tests
/// (`TeamGemmTests`, `PackedGemmTests`) check against. Beta 0 does not read C, as in BLAS (NaNs there vanish).
func referenceProduct(_ a: [Float], lda: Int, _ b: [Float], ldb: Int, _ c: [Float], ldc: Int, m: Int, n: Int, k: Int,
                      transposeA: Bool, transposeB: Bool, alpha: Float, beta: Float) -> [Float] {
    var out = c
    for i in 0..<m {
        for j in 0..<n {
            var sum: Double = 0
            for p in 0..<k {
                let x = transposeA ? a[p * lda + i] : a[i * lda + p]
                let y = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                sum += Double(x) * Double(y)
            }
            out[i * ldc + j] = Float(Double(alpha) * sum + (beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])))
        }
    }
    return out
}
