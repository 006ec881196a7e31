/// Stride-1 convolution without im2col: the input is zero-padded once and
/// each kernel tap (ky, kx) becomes one sgemm, W[:, :, ky, kx] (O x C) times
/// the padded planes read from offset ky·Wp + kx with the planes' own stride,
/// accumulated into an output laid out with the padded width (the extra
/// kw−1 columns per row are discarded). Same FLOPs as im2col + sgemm, none of
/// its memory traffic. The backward pass runs the same taps transposed.
struct ShiftedConvolution {
    let c, h, w, o, k, padding: Int
    var hp: Int { h + 2 * padding }
    var wp: Int { w + 2 * padding }
    var ho: Int { hp - k + 1 }
    var wo: Int { wp - k + 1 }
    /// Padded plane size plus a tail, so the last tap's read of ho·wp values stays inside.
    var plane: Int { hp * wp + k }
    var columns: Int { ho * wp }

    /// Weights [O, C, k, k] as k·k contiguous [O, C] matrices.
    func taps(_ weight: [Float]) -> [Float] {
        var out = [Float](repeating: 0, count: k * k * o * c)
        for oc in 0..<o { for ic in 0..<c { for t in 0..<(k * k) { out[(t * o + oc) * c + ic] = weight[(oc * c + ic) * k * k + t] } } }
        return out
    }

    func pad(_ image: UnsafePointer<Float>, into padded: UnsafeMutablePointer<Float>) {
        let (c, h, w, wp, plane, padding) = (c, h, w, wp, plane, padding)
        nonisolated(unsafe) let (image, padded) = (image, padded)
        Parallel.chunks(c, minimumPerChunk: max(1, 32_768 / plane)) { range in
            for ch in range {
                let dst = padded + ch * plane
                dst.initialize(repeating: 0, count: plane)
                for y in 0..<h { (dst + (y + padding) * wp + padding).update(from: image + (ch * h + y) * w, count: w) }
            }
        }
    }

    /// out [O, ho, wo] for one image.
    func forward(padded: UnsafePointer<Float>, taps: UnsafePointer<Float>, wide: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>) {
        for t in 0..<(k * k) {
            let offset = (t / k) * wp + t % k
            cblasGemm(taps + t * o * c, lda: c, padded + offset, ldb: plane, wide, ldc: columns,
                      m: o, n: columns, kk: c, beta: t == 0 ? 0 : 1)
        }
        for oc in 0..<o { for y in 0..<ho { (out + (oc * ho + y) * wo).update(from: wide + oc * columns + y * wp, count: wo) } }
    }

    /// Widens a gradient [O, ho, wo] to the padded-width layout with zeros in the extra columns.
    func widen(_ grad: UnsafePointer<Float>, into wide: UnsafeMutablePointer<Float>) {
        wide.initialize(repeating: 0, count: o * columns)
        for oc in 0..<o { for y in 0..<ho { (wide + oc * columns + y * wp).update(from: grad + (oc * ho + y) * wo, count: wo) } }
    }

    /// Weight-tap gradients += gradWide · paddedᵀ per tap ([O, C] each).
    func weightGrad(padded: UnsafePointer<Float>, wide: UnsafePointer<Float>, tapGrads: UnsafeMutablePointer<Float>) {
        for t in 0..<(k * k) {
            let offset = (t / k) * wp + t % k
            cblasGemm(wide, lda: columns, padded + offset, ldb: plane, tapGrads + t * o * c, ldc: c,
                      m: o, n: c, kk: columns, transposeB: true, beta: 1)
        }
    }

    /// Padded input gradient: += tapᵀ · gradWide into each tap's shifted window.
    func inputGrad(taps: UnsafePointer<Float>, wide: UnsafePointer<Float>, paddedGrad: UnsafeMutablePointer<Float>) {
        for t in 0..<(k * k) {
            let offset = (t / k) * wp + t % k
            cblasGemm(taps + t * o * c, lda: c, wide, ldb: columns, paddedGrad + offset, ldc: plane,
                      m: c, n: columns, kk: o, transposeA: true, beta: 1)
        }
    }

    func unpad(_ padded: UnsafePointer<Float>, into image: UnsafeMutablePointer<Float>) {
        for ch in 0..<c { for y in 0..<h { (image + (ch * h + y) * w).update(from: padded + ch * plane + (y + padding) * wp + padding, count: w) } }
    }
}


/// sgemm with explicit leading dimensions (row-major), on the thread team (`TeamGemm`).
@inline(__always)
func cblasGemm(_ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int, _ c: UnsafeMutablePointer<Float>, ldc: Int,
               m: Int, n: Int, kk: Int, transposeA: Bool = false, transposeB: Bool = false, beta: Float) {
    TeamGemm.sgemm(a, lda: lda, b, ldb: ldb, c, ldc: ldc, m: m, n: n, k: kk, transposeA: transposeA, transposeB: transposeB,
                   alpha: 1, beta: beta)
}
