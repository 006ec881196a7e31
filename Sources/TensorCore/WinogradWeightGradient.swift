/// The weight gradient of a Winograd F(4x4, 3x3) convolution, taken in the
/// Winograd domain (Lavin & Gray 2016, section 4's backward pass; oneDNN's
/// `wino_reduction` weight update): with Y = Aᵀ[Σ_c U ⊙ V]A per tile,
/// dM = A dY Aᵀ, dU = Σ_tiles dM ⊙ V, and dg = Gᵀ dU G. The 9 tap products
/// over every output position (k = H·W each) become 36 products over tiles
/// (k = H·W/16 each): 4x fewer multiplications, the same as the forward.
extension WinogradConvolution {
    /// A · (y0 ... y3), Aᵀ's transpose (the output transform run backward).
    @inline(__always) static func gradientColumn(_ y0: V8, _ y1: V8, _ y2: V8, _ y3: V8) -> (V8, V8, V8, V8, V8, V8) {
        let even = y0 + y2, odd = y1 + y3
        let two: Float = 2, four: Float = 4, eight: Float = 8
        let evenWide = y0 + four * y2, oddWide = two * y1 + eight * y3
        return (y0, even + odd, even - odd, evenWide + oddWide, evenWide - oddWide, y3)
    }

    /// dM = A dY Aᵀ for every output tile, laid out [O][36][tiles] like M; outputs past the
    /// image (the padded tiles' extra rows and columns) have no gradient and read as zero.
    func transformGradient(_ dy: UnsafePointer<Float>, into dm: UnsafeMutablePointer<Float>) {
        let (o, h, w, tilesX, tilesY, tiles) = (o, h, w, tilesX, tilesY, tiles)
        let (paired, rowStep) = (pairedRows, rowsPerVector)
        nonisolated(unsafe) let (dy, dm) = (dy, dm)
        Parallel.chunks(n * o, minimumPerChunk: 1) { range in
            withUnsafeTemporaryAllocation(of: V8.self, capacity: 24) { rows in
            for job in range {
                let (b, k) = (job / o, job % o)
                for ty in stride(from: 0, to: tilesY, by: rowStep) {
                    var tx = 0
                    while tx < tilesX {
                        // Along x: each of the tile's four gradient rows, eight tiles per vector.
                        for i in 0..<4 {
                            var row = SIMD32<Float>()
                            if 4 * ty + i < h {
                                let source = dy + ((b * o + k) * h + 4 * ty + i) * w + 4 * tx, valid = w - 4 * tx
                                if paired {
                                    // This row of tile row ty in the first sixteen, that of ty + 1 in the next.
                                    let below = 4 * (ty + 1) + i < h
                                    if valid == 16 {
                                        row.lowHalf = UnsafeRawPointer(source).loadUnaligned(as: SIMD16<Float>.self)
                                        if below { row.highHalf = UnsafeRawPointer(source + 4 * w).loadUnaligned(as: SIMD16<Float>.self) }
                                    } else {
                                        for e in 0..<valid { row[e] = source[e] }
                                        if below { for e in 0..<valid { row[16 + e] = source[4 * w + e] } }
                                    }
                                } else if valid >= 32 { row = UnsafeRawPointer(source).loadUnaligned(as: SIMD32<Float>.self) } else {
                                    for e in 0..<max(0, valid) { row[e] = source[e] }
                                }
                            }
                            let (e, od) = (row.evenHalf, row.oddHalf)
                            let t = Self.gradientColumn(e.evenHalf, od.evenHalf, e.oddHalf, od.oddHalf)
                            rows[i * 6] = t.0; rows[i * 6 + 1] = t.1; rows[i * 6 + 2] = t.2
                            rows[i * 6 + 3] = t.3; rows[i * 6 + 4] = t.4; rows[i * 6 + 5] = t.5
                        }
                        // Along y, one column at a time.
                        let tile = (b * tilesY + ty) * tilesX + tx
                        for j in 0..<6 {
                            let t = Self.gradientColumn(rows[j], rows[6 + j], rows[12 + j], rows[18 + j])
                            func store(_ r: Int, _ value: V8) {
                                UnsafeMutableRawPointer(dm + (k * 36 + r * 6 + j) * tiles + tile).storeBytes(of: value, as: V8.self)
                            }
                            store(0, t.0); store(1, t.1); store(2, t.2); store(3, t.3); store(4, t.4); store(5, t.5)
                        }
                        tx += 8
                    }
                }
            }
            }
        }
    }

    /// The gradient of conv(x, weight, padding 1) with respect to weight [O, C, 3, 3], given x [N, C, H, W]
    /// and the output's gradient [N, O, H, W]. V is transformed again rather than kept from the forward: it is
    /// 2.25x the input or more, and a training step would hold one for every convolution until its backward.
    func weightGradient(_ x: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>) -> [Float] {
        var v = [Float](unsafeUninitializedCapacity: 36 * c * tiles) { _, count in count = 36 * c * tiles }
        var dm = [Float](unsafeUninitializedCapacity: 36 * o * tiles) { _, count in count = 36 * o * tiles }
        var du = [Float](unsafeUninitializedCapacity: transformedCount) { _, count in count = transformedCount }
        v.withUnsafeMutableBufferPointer { transformInput(x, into: $0.baseAddress!) }
        dm.withUnsafeMutableBufferPointer { transformGradient(dy, into: $0.baseAddress!) }
        v.withUnsafeBufferPointer { pv in
            dm.withUnsafeBufferPointer { pm in
                du.withUnsafeMutableBufferPointer { pu in
                    let matrices = pu.baseAddress! + Self.matrixOffset(pu.baseAddress!)
                    nonisolated(unsafe) let (pv, pm, pu) = (pv.baseAddress!, pm.baseAddress!, matrices)
                    let (o, c, tiles, stride) = (o, c, tiles, weightStride)
                    // dU[ξ] = dM[ξ] V[ξ]ᵀ: 36 independent [O, tiles] x [tiles, C] products over the cores, as in the forward.
                    BLAS.singleThreaded {
                        Parallel.chunks(36, minimumPerChunk: 1) { range in
                            for xi in range {
                                cblasGemm(pm + xi * tiles, lda: 36 * tiles, pv + xi * tiles, ldb: 36 * tiles,
                                          pu + xi * stride, ldc: c, m: o, n: c, kk: tiles, transposeB: true, beta: 0)
                            }
                        }
                    }
                }
            }
        }
        var weightGrad = [Float](unsafeUninitializedCapacity: o * c * 9) { _, count in count = o * c * 9 }
        du.withUnsafeBufferPointer { pu in
            let matrices = pu.baseAddress! + Self.matrixOffset(pu.baseAddress!)
            weightGrad.withUnsafeMutableBufferPointer { filterGradient(matrices, into: $0.baseAddress!) }
        }
        return weightGrad
    }

    /// conv(x, weight)'s weight gradient for x of `shape` [N, C, H, W] and the output gradient `grad` [N, O, H, W].
    static func weightGradient(_ x: [Float], shape: [Int], outputGradient grad: [Float], outputs o: Int) -> [Float] {
        let geometry = WinogradConvolution(n: shape[0], c: shape[1], h: shape[2], w: shape[3], o: o)
        return x.withUnsafeBufferPointer { px in
            grad.withUnsafeBufferPointer { geometry.weightGradient(px.baseAddress!, outputGradient: $0.baseAddress!) }
        }
    }
}
