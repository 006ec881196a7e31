import Foundation
/// 3x3, stride-1, padding-1 convolution by Winograd's minimal filtering
/// F(4x4, 3x3) (Lavin & Gray, "Fast Algorithms for Convolutional Neural
/// Networks", 2016, the transforms oneDNN and NNPACK use): each 6x6 input
/// tile and 3x3 filter are transformed, 36 independent [O, C] x [C, tiles]
/// products (one sgemm each) replace the 9 taps' products, and the inverse
/// transform gives a 4x4 output tile: 4x fewer multiplications than the
/// direct form, the only way past OpenBLAS's own rate on this machine.
/// The transforms run eight tiles per SIMD vector: a row of tiles is padded
/// to a multiple of eight (outputs past the width are dropped), used where
/// that at most doubles the work (`supports`: widths from 16); an image at
/// most four tiles wide (16 pixels) puts two tile rows of four in a vector
/// instead (`pairedRows`: a 16x16 image has 16 tiles, not 32 with half of
/// them padding). Other shapes use `ShiftedConvolution`.
struct WinogradConvolution {
    let n, c, h, w, o: Int
    /// Whether a vector of eight tiles holds two tile rows of four (images at most 16 pixels wide).
    var pairedRows: Bool { Self.pairsRows(width: w) }
    static func pairsRows(width w: Int) -> Bool { (w + 3) / 4 <= 4 }
    /// Tile rows, rounded up to an even count where vectors hold two.
    var tilesY: Int { pairedRows ? ((h + 3) / 4 + 1) / 2 * 2 : (h + 3) / 4 }
    /// Tile rows one vector covers.
    var rowsPerVector: Int { pairedRows ? 2 : 1 }
    /// Tiles per row, rounded up to whole vectors of eight (four where vectors hold two rows).
    var tilesX: Int { Self.paddedTiles(width: w) }
    static func paddedTiles(width w: Int) -> Int { pairsRows(width: w) ? 4 : ((w + 3) / 4 + 7) / 8 * 8 }
    var tiles: Int { n * tilesY * tilesX }
    /// Padded planes: one zero row/column before, enough after for the last tile's 6x6 window and 36-wide loads.
    var paddedHeight: Int { 4 * tilesY + 2 }
    var paddedWidth: Int { 4 * tilesX + 4 }
    var paddedPlane: Int { paddedHeight * paddedWidth }

    typealias V8 = SIMD8<Float>

    /// Widths the SIMD transforms cover, and sizes where the transforms pay for themselves.
    static func supports(channels c: Int, outputs o: Int, height h: Int, width w: Int) -> Bool {
        enabled && w >= 16 && 2 * ((w + 3) / 4) >= paddedTiles(width: w) && h >= 4 && c >= 16 && o >= 16
    }
    /// Off with GLYPHPOSTER_WINOGRAD=0 (A/B benchmarks); tests switch it to compare with the direct path.
    nonisolated(unsafe) static var enabled = ProcessInfo.processInfo.environment["GLYPHPOSTER_WINOGRAD"] != "0"

    /// out [N, O, H, W] = conv(x [N, C, H, W], weight [O, C, 3, 3], padding 1).
    func forward(_ x: UnsafePointer<Float>, transformedWeights u: [Float], out: UnsafeMutablePointer<Float>) {
        var v = [Float](unsafeUninitializedCapacity: 36 * c * tiles) { _, count in count = 36 * c * tiles }
        var m = [Float](unsafeUninitializedCapacity: 36 * o * tiles) { _, count in count = 36 * o * tiles }
        v.withUnsafeMutableBufferPointer { pv in transformInput(x, into: pv.baseAddress!) }
        u.withUnsafeBufferPointer { pu in
            v.withUnsafeBufferPointer { pv in
                m.withUnsafeMutableBufferPointer { pm in
                    let matrices = pu.baseAddress! + Self.matrixOffset(pu.baseAddress!)
                    nonisolated(unsafe) let (pu, pv, pm) = (matrices, pv.baseAddress!, pm.baseAddress!)
                    let (o, c, tiles, stride) = (o, c, tiles, weightStride)
                    // 36 independent products: split them over the cores, each on a single-threaded sgemm, so the
                    // transforms and the products share one set of threads (no OpenBLAS team spinning beside ours).
                    BLAS.singleThreaded {
                        Parallel.chunks(36, minimumPerChunk: 1) { range in
                            for xi in range {
                                cblasGemm(pu + xi * stride, lda: c, pv + xi * tiles, ldb: 36 * tiles,
                                          pm + xi * tiles, ldc: 36 * tiles, m: o, n: tiles, kk: c, beta: 0)
                            }
                        }
                    }
                }
            }
        }
        m.withUnsafeBufferPointer { pm in transformOutput(pm.baseAddress!, into: out) }
    }

    /// Floats from one of the 36 transformed kernel matrices ([O, C] each) to the next: O·C plus a cache line, so
    /// the 36 values of one channel pair are not a power of two apart (O·C is one for every model here) and do
    /// not all fall in the same L1 set when the weight gradient reads them back.
    var weightStride: Int { o * c + 16 }

    /// Floats a transformed-weights array (U, or the weight gradient's dU) holds: the 36 matrices, and room to
    /// start them on a 64-byte line.
    var transformedCount: Int { 36 * weightStride + 15 }

    /// Floats from the start of a transformed-weights array to its first matrix, the array's first 64-byte line:
    /// Swift arrays start 16 bytes into one, and the kernel transform's 64-byte stores across line boundaries
    /// took 150 ns a 16-pair call against 100 ns aligned. The storage of a `let` array never moves, so every
    /// reader finds the same offset.
    static func matrixOffset(_ base: UnsafePointer<Float>) -> Int { (64 - Int(bitPattern: base) % 64) % 64 / 4 }

    /// Bᵀ · (d0 ... d5) for Bᵀ = [[4,0,-5,0,1,0], [0,-4,-4,1,1,0], [0,4,-4,-1,1,0], [0,-2,-1,2,1,0], [0,2,-1,-2,1,0], [0,4,0,-5,0,1]].
    @inline(__always) static func dataColumn(_ d0: V8, _ d1: V8, _ d2: V8, _ d3: V8, _ d4: V8, _ d5: V8)
        -> (V8, V8, V8, V8, V8, V8) {
        let four: Float = 4, five: Float = 5, two: Float = 2
        let p = d4 - four * d2, q = d3 - four * d1
        let r = d4 - d2, s = two * (d3 - d1)
        return (four * d0 - five * d2 + d4, p + q, p - q, r + s, r - s, four * d1 - five * d3 + d5)
    }

    /// V = Bᵀ d B for every 6x6 input tile, laid out [C][36][tiles]: a channel's 36 rows lie together (laid out
    /// [36][C][tiles], the 36 stores of one tile land a power-of-two stride apart and fight over cache sets), and
    /// each sgemm reads its [C, tiles] slice with a leading dimension of 36·tiles.
    func transformInput(_ x: UnsafePointer<Float>, into v: UnsafeMutablePointer<Float>) {
        let (c, h, w, tilesX, tilesY, tiles, pw, plane) = (c, h, w, tilesX, tilesY, tiles, paddedWidth, paddedPlane)
        let (paired, rowStep) = (pairedRows, rowsPerVector)
        nonisolated(unsafe) let (x, v) = (x, v)
        Parallel.chunks(n * c, minimumPerChunk: 1) { range in
            var padded = [Float](repeating: 0, count: plane)
            withUnsafeTemporaryAllocation(of: V8.self, capacity: 36) { rowT in
            padded.withUnsafeMutableBufferPointer { pp in
                let p = pp.baseAddress!
                for job in range {
                    let (b, ch) = (job / c, job % c)
                    for y in 0..<h { (p + (y + 1) * pw + 1).update(from: x + ((b * c + ch) * h + y) * w, count: w) }
                    for ty in stride(from: 0, to: tilesY, by: rowStep) {
                        var tx = 0
                        while tx < tilesX {
                            // Rows: Bᵀ along x for each of the six input rows, eight tiles per vector.
                            for r in 0..<6 {
                                let row = p + (4 * ty + r) * pw + 4 * tx
                                @inline(__always) func load(_ offset: Int) -> SIMD32<Float> {
                                    if !paired { return UnsafeRawPointer(row + offset).loadUnaligned(as: SIMD32<Float>.self) }
                                    // Two tile rows of four: this row of tile row ty, then the same row of ty + 1.
                                    return SIMD32(lowHalf: UnsafeRawPointer(row + offset).loadUnaligned(as: SIMD16<Float>.self),
                                                  highHalf: UnsafeRawPointer(row + 4 * pw + offset).loadUnaligned(as: SIMD16<Float>.self))
                                }
                                let first = load(0), next = load(4)
                                let (e, o) = (first.evenHalf, first.oddHalf)
                                let (ne, no) = (next.evenHalf, next.oddHalf)
                                let t = Self.dataColumn(e.evenHalf, o.evenHalf, e.oddHalf, o.oddHalf, ne.evenHalf, no.evenHalf)
                                rowT[r * 6] = t.0; rowT[r * 6 + 1] = t.1; rowT[r * 6 + 2] = t.2
                                rowT[r * 6 + 3] = t.3; rowT[r * 6 + 4] = t.4; rowT[r * 6 + 5] = t.5
                            }
                            let tile = (b * tilesY + ty) * tilesX + tx
                            for j in 0..<6 {
                                let t = Self.dataColumn(rowT[j], rowT[6 + j], rowT[12 + j], rowT[18 + j], rowT[24 + j], rowT[30 + j])
                                func store(_ i: Int, _ value: V8) {
                                    UnsafeMutableRawPointer(v + (ch * 36 + i * 6 + j) * tiles + tile).storeBytes(of: value, as: V8.self)
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
    }

    /// Aᵀ · (m0 ... m5) for Aᵀ = [[1,1,1,1,1,0], [0,1,-1,2,-2,0], [0,1,1,4,4,0], [0,1,-1,8,-8,1]].
    @inline(__always) static func outputColumn(_ m0: V8, _ m1: V8, _ m2: V8, _ m3: V8, _ m4: V8, _ m5: V8) -> (V8, V8, V8, V8) {
        let a = m1 + m2, b = m1 - m2, c = m3 + m4, d = m3 - m4
        let two: Float = 2, four: Float = 4, eight: Float = 8
        return (m0 + a + c, b + two * d, a + four * c, b + eight * d + m5)
    }

    /// Y = Aᵀ M A for every tile (M laid out [O][36][tiles], like V), into out [N, O, H, W].
    func transformOutput(_ m: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        let (o, h, w, tilesX, tilesY, tiles) = (o, h, w, tilesX, tilesY, tiles)
        let (paired, rowStep) = (pairedRows, rowsPerVector)
        nonisolated(unsafe) let (m, out) = (m, out)
        Parallel.chunks(n * o, minimumPerChunk: 1) { range in
            withUnsafeTemporaryAllocation(of: V8.self, capacity: 24) { columns in
            for job in range {
                let (b, k) = (job / o, job % o)
                for ty in stride(from: 0, to: tilesY, by: rowStep) {
                    var tx = 0
                    while tx < tilesX {
                        let tile = (b * tilesY + ty) * tilesX + tx
                        for j in 0..<6 {
                            func load(_ i: Int) -> V8 { UnsafeRawPointer(m + (k * 36 + i * 6 + j) * tiles + tile).loadUnaligned(as: V8.self) }
                            let t = Self.outputColumn(load(0), load(1), load(2), load(3), load(4), load(5))
                            columns[j] = t.0; columns[6 + j] = t.1; columns[12 + j] = t.2; columns[18 + j] = t.3
                        }
                        for i in 0..<4 where 4 * ty + i < h {
                            let r = i * 6
                            let y = Self.outputColumn(columns[r], columns[r + 1], columns[r + 2], columns[r + 3], columns[r + 4], columns[r + 5])
                            var low = SIMD16<Float>(), high = SIMD16<Float>(), row = SIMD32<Float>()
                            low.evenHalf = y.0; low.oddHalf = y.2
                            high.evenHalf = y.1; high.oddHalf = y.3
                            row.evenHalf = low; row.oddHalf = high
                            let destination = out + ((b * o + k) * h + 4 * ty + i) * w + 4 * tx, valid = w - 4 * tx
                            if paired {
                                // The first sixteen outputs are this row of tile row ty, the next sixteen that of ty + 1.
                                let below = 4 * (ty + 1) + i < h
                                if valid == 16 {
                                    UnsafeMutableRawPointer(destination).storeBytes(of: row.lowHalf, as: SIMD16<Float>.self)
                                    if below { UnsafeMutableRawPointer(destination + 4 * w).storeBytes(of: row.highHalf, as: SIMD16<Float>.self) }
                                } else {
                                    for e in 0..<valid { destination[e] = row[e] }
                                    if below { for e in 0..<valid { destination[4 * w + e] = row[16 + e] } }
                                }
                            } else if valid >= 32 {
                                UnsafeMutableRawPointer(destination).storeBytes(of: row, as: SIMD32<Float>.self)
                            } else {
                                for e in 0..<valid { destination[e] = row[e] }
                            }
                        }
                        tx += 8
                    }
                }
            }
            }
        }
    }

    /// conv(x, weight) with padding 1 as a fresh array; `cacheWeights` keeps
    /// the kernels' transform for the next call (`WinogradWeightCache`).
    /// `transposingFlipped` convolves with the transposed, half-turned kernels of `weight` [C, O, 3, 3] (conv's
    /// transpose as a convolution: a forward's input gradient) without making them.
    static func convolve(_ x: [Float], shape: [Int], weight: [Float], outputs o: Int, cacheWeights: Bool = false,
                         transposingFlipped: Bool = false) -> [Float] {
        let geometry = WinogradConvolution(n: shape[0], c: shape[1], h: shape[2], w: shape[3], o: o)
        func transform() -> [Float] {
            weight.withUnsafeBufferPointer { geometry.transformedWeights($0.baseAddress!, transposingFlipped: transposingFlipped) }
        }
        let u = cacheWeights && !transposingFlipped ? WinogradWeightCache.shared.transformed(weight, outputs: o, make: transform) : transform()
        var out = [Float](unsafeUninitializedCapacity: shape[0] * o * shape[2] * shape[3]) { _, count in count = shape[0] * o * shape[2] * shape[3] }
        x.withUnsafeBufferPointer { px in
            out.withUnsafeMutableBufferPointer { po in geometry.forward(px.baseAddress!, transformedWeights: u, out: po.baseAddress!) }
        }
        return out
    }
}
