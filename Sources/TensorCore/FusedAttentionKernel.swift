import Foundation

/// The attention forward of one head as a single fused kernel, in
/// FlashAttention-2's loop order (query blocks outside, key blocks inside,
/// an online softmax), on a 6x16 register-tile FMA microkernel (the shape of
/// BLIS's Haswell sgemm kernel) instead of two sgemm calls per block. Why:
/// with a head dimension of 64 the two products are thin, and around
/// OpenBLAS's kernel a third of the time went to zeroing the scores matrix
/// (sgemm's beta pass), packing it for the second product and streaming it
/// through L2; here six query rows' scores stay in L1. Keys and values are
/// packed once per head into `tileColumns`-wide zero-padded panels.
/// Built for AVX-512 (`GLYPHPOSTER_AVX512`, Package.swift), the tile is 12x32 on
/// 32 512-bit registers, the shape of BLIS's SkylakeX kernel.
enum FusedAttentionKernel {
    #if GLYPHPOSTER_AVX512
    static let tileRows = 12
    static let tileColumns = 32
    #else
    static let tileRows = 6
    static let tileColumns = 16
    #endif
    /// Query rows whose output accumulators stay in cache while a key block streams past (a multiple of `tileRows`).
    static let queryBlock = 96
    /// Keys per block of the online softmax (a multiple of `tileColumns`).
    static let keyBlock = 512

    static func padded(_ n: Int) -> Int { (n + tileColumns - 1) / tileColumns * tileColumns }
    #if GLYPHPOSTER_AVX512
    /// Score rows are padded to 16: a last key panel with at most 16 keys takes the half-width tile (77 keys: 80, not 96).
    static func scoreColumns(_ n: Int) -> Int { (n + 15) / 16 * 16 }
    #else
    static func scoreColumns(_ n: Int) -> Int { padded(n) }
    #endif

    /// Scratch floats one worker needs for heads of these sizes.
    static func scratchCount(keys lk: Int, depth d: Int, valueDepth dv: Int) -> Int {
        padded(lk) * d + padded(dv) * lk + queryBlock * d + tileRows * min(keyBlock, padded(lk)) + queryBlock * padded(dv) + 2 * queryBlock + tileRows
    }

    /// out[lq, dv] = softmax(q kᵀ · scale [+ causal mask]) v for one head, row-major operands.
    /// `causalOffset` (Lk − Lq) aligns the last query with the last key, as torch's is_causal does.
    static func head(q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
                     queries lq: Int, keys lk: Int, depth d: Int, valueDepth dv: Int, scale: Float, causalOffset: Int?,
                     scratch: UnsafeMutablePointer<Float>) {
        let lkPad = padded(lk), dvPad = padded(dv), scoresWidth = min(keyBlock, lkPad)
        let kp = scratch, vp = kp + lkPad * d, qb = vp + dvPad * lk, st = qb + queryBlock * d
        let ob = st + tileRows * scoresWidth, maxima = ob + queryBlock * dvPad, sums = maxima + queryBlock
        let newMaxima = sums + queryBlock
        packKeys(k, into: kp, keys: lk, depth: d)
        // Scores in base 2: softmax(s) = 2^(s·log2 e − max) / sum, so exp2 needs no range reduction by ln 2.
        let log2Scale = scale * 1.442_695_04
        packValues(v, into: vp, keys: lk, valueDepth: dv)
        var queryStart = 0
        while queryStart < lq {
            let blockRows = min(queryBlock, lq - queryStart)
            ob.update(repeating: 0, count: queryBlock * dvPad)
            for r in 0..<blockRows { maxima[r] = -.infinity; sums[r] = 0 }
            let visible = causalOffset.map { min(lk, queryStart + $0 + blockRows) } ?? lk
            // The block's queries, pre-scaled, once for all its key blocks (per tile and key block, this scalar
            // copy was 6% of self-attention's samples); rows past the end up to a whole tile zero (their scores
            // are zero and never read).
            let tiledRows = (blockRows + tileRows - 1) / tileRows * tileRows
            for r in 0..<tiledRows {
                let target = qb + r &* d
                if r < blockRows {
                    let source = q + (queryStart + r) &* d
                    for p in 0..<d { target[p] = source[p] * log2Scale }
                } else {
                    target.update(repeating: 0, count: d)
                }
            }
            var keyStart = 0
            while keyStart < visible {
                let n = min(keyBlock, visible - keyStart), nPad = scoreColumns(n)
                var tileStart = 0
                while tileStart < blockRows {
                    let rows = min(tileRows, blockRows - tileStart), qt = qb + tileStart * d
                    var panel = 0
                    while panel < nPad {
                        #if GLYPHPOSTER_AVX512
                        if nPad - panel < tileColumns {
                            halfMicrokernel(qt, lda: d, kp + (keyStart + panel) * d, depth: d, st + panel, ldc: nPad)
                            break
                        }
                        #endif
                        microkernel(qt, lda: d, kp + (keyStart + panel) * d, depth: d, st + panel, ldc: nPad, accumulate: false)
                        panel += tileColumns
                    }
                    // Keys row tileStart + r sees: all n, or up to the causal diagonal.
                    func limit(_ r: Int) -> Int {
                        causalOffset.map { min(n, max(0, queryStart + tileStart + r + $0 + 1 - keyStart)) } ?? n
                    }
                    // The online softmax in two passes over the tile's rows, every row's maximum and then every
                    // row's exponentials: each pass's rows are independent, so the core overlaps one row's lane
                    // reductions with the next row's work (row by row, each row's maximum -> shift -> exp ->
                    // sum chain ran alone).
                    for r in 0..<rows {
                        newMaxima[r] = Swift.max(maxima[tileStart + r], rowMaximum(st + r * nPad, limit: limit(r)))
                    }
                    for r in 0..<rows {
                        let correction = exponentiateRow(st + r * nPad, n, limit: limit(r), newMaximum: newMaxima[r],
                                                         maximum: &maxima[tileStart + r], sum: &sums[tileStart + r])
                        if keyStart > 0 && correction != 1 {
                            let o = ob + (tileStart + r) * dvPad
                            for j in 0..<dvPad { o[j] *= correction }
                        }
                    }
                    var column = 0
                    while column < dvPad {
                        microkernel(st, lda: nPad, vp + (column * lk + keyStart * tileColumns), depth: n,
                                    ob + tileStart * dvPad + column, ldc: dvPad, accumulate: true)
                        column += tileColumns
                    }
                    tileStart += tileRows
                }
                keyStart += n
            }
            for r in 0..<blockRows {
                let inverse = sums[r] > 0 ? 1 / sums[r] : 0
                let o = ob + r * dvPad, target = out + (queryStart + r) * dv
                for j in 0..<dv { target[j] = o[j] * inverse }
            }
            queryStart += blockRows
        }
    }

    #if GLYPHPOSTER_AVX512
    /// The softmax's vector: one 512-bit register (score rows are padded to 16 in every build).
    typealias SoftmaxVector = SIMD16<Float>
    /// Each lane's index, for the tail mask.
    @inline(__always) static var laneIndices: SIMD16<Int32> { SIMD16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) }
    #else
    typealias SoftmaxVector = SIMD8<Float>
    @inline(__always) static var laneIndices: SIMD8<Int32> { SIMD8(0, 1, 2, 3, 4, 5, 6, 7) }
    #endif

    /// A score row's entries up to `limit`, as `SoftmaxVector`s: the row is read up to `limit` rounded up to the
    /// vector's lanes (the scores tile is 16-padded), and in the last vector the lanes from `limit` on are replaced by
    /// −∞ in registers, so they drop out of the maximum and come out of exp as 0. (Writing −∞ there with scalar
    /// stores first made the vector load behind them wait for the stores to retire, a failed store-to-load forward
    /// in every row of a 77-key cross-attention.)
    struct MaskedRow {
        typealias V = SoftmaxVector
        let row: UnsafeMutablePointer<Float>
        /// `limit` rounded up to whole vectors, and where the last vector starts.
        let end: Int, last: Int
        let masked: SIMDMask<V.MaskStorage>

        @inline(__always) init(_ row: UnsafeMutablePointer<Float>, limit: Int) {
            let lanes = V.scalarCount
            self.row = row
            end = (limit + lanes - 1) / lanes * lanes
            last = end - lanes
            masked = laneIndices .>= V.MaskStorage(repeating: Int32(clamping: limit - last))
        }

        @inline(__always) subscript(_ j: Int) -> V {
            let x = UnsafeRawPointer(row + j).loadUnaligned(as: V.self)
            return j == last ? x.replacing(with: -.infinity, where: masked) : x
        }
    }

    /// The largest of a score row's first `limit` entries (−∞ when `limit` is 0): the first pass of the online softmax.
    @inline(__always)
    static func rowMaximum(_ row: UnsafeMutablePointer<Float>, limit: Int) -> Float {
        typealias V = SoftmaxVector
        let scores = MaskedRow(row, limit: limit)
        var m = V(repeating: -.infinity)
        var j = 0
        while j < scores.end {
            let x = scores[j]
            m = m.replacing(with: x, where: x .> m)
            j += V.scalarCount
        }
        return laneMaximum(m)
    }

    /// A score row's step of the online softmax, given the running maximum over this block's entries and the earlier
    /// blocks (`newMaximum`, from `rowMaximum`): entries from `limit` on are masked, the rest become
    /// 2^(score − newMaximum) (scores are in base 2: the queries carry log2 e in their scale), the running maximum
    /// and sum are updated, and the factor that rescales what earlier blocks accumulated is returned (1 when the
    /// maximum did not move). A `SoftmaxVector` at a time, exp and sum in one pass.
    @inline(__always)
    static func exponentiateRow(_ row: UnsafeMutablePointer<Float>, _ n: Int, limit: Int, newMaximum: Float,
                                maximum: inout Float, sum: inout Float) -> Float {
        typealias V = SoftmaxVector
        let lanes = V.scalarCount
        let scores = MaskedRow(row, limit: limit), end = scores.end
        if newMaximum == -.infinity {
            for j in 0..<Swift.max(n, end) { row[j] = 0 }
            return 1
        }
        let shift = V(repeating: newMaximum)
        var total = V(), total2 = V()
        var j = 0
        // Four independent exps per iteration: one exp is a chain of dependent FMAs, too long for the core to overlap alone.
        while j + 4 * lanes <= end {
            let e0 = FastMath.exp2NonPositive(scores[j] - shift)
            let e1 = FastMath.exp2NonPositive(scores[j + lanes] - shift)
            let e2 = FastMath.exp2NonPositive(scores[j + 2 * lanes] - shift)
            let e3 = FastMath.exp2NonPositive(scores[j + 3 * lanes] - shift)
            UnsafeMutableRawPointer(row + j).storeBytes(of: e0, as: V.self)
            UnsafeMutableRawPointer(row + j + lanes).storeBytes(of: e1, as: V.self)
            UnsafeMutableRawPointer(row + j + 2 * lanes).storeBytes(of: e2, as: V.self)
            UnsafeMutableRawPointer(row + j + 3 * lanes).storeBytes(of: e3, as: V.self)
            total += e0 + e1
            total2 += e2 + e3
            j += 4 * lanes
        }
        total += total2
        while j < end {
            let e = FastMath.exp2NonPositive(scores[j] - shift)
            UnsafeMutableRawPointer(row + j).storeBytes(of: e, as: V.self)
            total += e
            j += lanes
        }
        for j in end..<Swift.max(end, n) { row[j] = 0 }
        let correction = maximum == -.infinity ? 0 : Foundation.exp2(maximum - newMaximum)
        sum = sum * correction + laneSum(total)
        maximum = newMaximum
        return correction
    }

    /// The largest lane, halving the vector (SIMD's own `max()` is a loop over the lanes).
    @inline(__always) static func laneMaximum(_ v: SIMD16<Float>) -> Float { laneMaximum(v.lowHalf.replacing(with: v.highHalf, where: v.highHalf .> v.lowHalf)) }
    @inline(__always) static func laneMaximum(_ v: SIMD8<Float>) -> Float {
        let m = v.lowHalf.replacing(with: v.highHalf, where: v.highHalf .> v.lowHalf)
        return Swift.max(Swift.max(m[0], m[1]), Swift.max(m[2], m[3]))
    }

    /// The lanes' sum, halving the vector.
    @inline(__always) static func laneSum(_ v: SIMD16<Float>) -> Float { laneSum(v.lowHalf + v.highHalf) }
    @inline(__always) static func laneSum(_ v: SIMD8<Float>) -> Float {
        let t = v.lowHalf + v.highHalf
        return (t[0] + t[1]) + (t[2] + t[3])
    }

    /// Keys as panels of T = `tileColumns`: panel[key / T][p][key % T], missing keys zero, so a score tile is one microkernel call.
    static func packKeys(_ k: UnsafePointer<Float>, into kp: UnsafeMutablePointer<Float>, keys lk: Int, depth d: Int) {
        let lkPad = padded(lk)
        for panel in stride(from: 0, to: lkPad, by: tileColumns) {
            let base = kp + panel * d
            for lane in 0..<tileColumns {
                let key = panel + lane
                if key < lk {
                    let row = k + key * d
                    for p in 0..<d { base[p * tileColumns + lane] = row[p] }
                } else {
                    for p in 0..<d { base[p * tileColumns + lane] = 0 }
                }
            }
        }
    }

    /// Values as panels of T = `tileColumns` columns: panel[column / T][key][column % T], missing columns zero.
    static func packValues(_ v: UnsafePointer<Float>, into vp: UnsafeMutablePointer<Float>, keys lk: Int, valueDepth dv: Int) {
        for column in stride(from: 0, to: padded(dv), by: tileColumns) {
            let base = vp + column * lk
            let width = min(tileColumns, dv - column)
            for key in 0..<lk {
                let row = v + key * dv + column, target = base + key * tileColumns
                for lane in 0..<width { target[lane] = row[lane] }
                for lane in width..<tileColumns { target[lane] = 0 }
            }
        }
    }

    #if GLYPHPOSTER_AVX512
    /// c[12, 32] (+)= a[12, depth] · b[depth, 32]: a row-major with stride `lda`, b a packed panel (32 floats a row).
    /// Twenty-four 16-float accumulators, two panel loads and one broadcast: 27 of AVX-512's 32 registers.
    @inline(__always)
    static func microkernel(_ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, depth: Int,
                            _ c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
        typealias V = SIMD16<Float>
        func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
        var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V(), c30 = V(), c31 = V()
        var c40 = V(), c41 = V(), c50 = V(), c51 = V(), c60 = V(), c61 = V(), c70 = V(), c71 = V()
        var c80 = V(), c81 = V(), c90 = V(), c91 = V(), ca0 = V(), ca1 = V(), cb0 = V(), cb1 = V()
        if accumulate {
            c00 = load(c); c01 = load(c + 16); c10 = load(c + ldc); c11 = load(c + ldc + 16)
            c20 = load(c + 2 * ldc); c21 = load(c + 2 * ldc + 16); c30 = load(c + 3 * ldc); c31 = load(c + 3 * ldc + 16)
            c40 = load(c + 4 * ldc); c41 = load(c + 4 * ldc + 16); c50 = load(c + 5 * ldc); c51 = load(c + 5 * ldc + 16)
            c60 = load(c + 6 * ldc); c61 = load(c + 6 * ldc + 16); c70 = load(c + 7 * ldc); c71 = load(c + 7 * ldc + 16)
            c80 = load(c + 8 * ldc); c81 = load(c + 8 * ldc + 16); c90 = load(c + 9 * ldc); c91 = load(c + 9 * ldc + 16)
            ca0 = load(c + 10 * ldc); ca1 = load(c + 10 * ldc + 16); cb0 = load(c + 11 * ldc); cb1 = load(c + 11 * ldc + 16)
        }
        let a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda, a4 = a + 4 * lda, a5 = a + 5 * lda
        let a6 = a + 6 * lda, a7 = a + 7 * lda, a8 = a + 8 * lda, a9 = a + 9 * lda, aa = a + 10 * lda, ab = a + 11 * lda
        var panel = b
        for p in 0..<depth {
            let b0 = load(panel), b1 = load(panel + 16)
            var s = V(repeating: a[p]); c00.addProduct(s, b0); c01.addProduct(s, b1)
            s = V(repeating: a1[p]); c10.addProduct(s, b0); c11.addProduct(s, b1)
            s = V(repeating: a2[p]); c20.addProduct(s, b0); c21.addProduct(s, b1)
            s = V(repeating: a3[p]); c30.addProduct(s, b0); c31.addProduct(s, b1)
            s = V(repeating: a4[p]); c40.addProduct(s, b0); c41.addProduct(s, b1)
            s = V(repeating: a5[p]); c50.addProduct(s, b0); c51.addProduct(s, b1)
            s = V(repeating: a6[p]); c60.addProduct(s, b0); c61.addProduct(s, b1)
            s = V(repeating: a7[p]); c70.addProduct(s, b0); c71.addProduct(s, b1)
            s = V(repeating: a8[p]); c80.addProduct(s, b0); c81.addProduct(s, b1)
            s = V(repeating: a9[p]); c90.addProduct(s, b0); c91.addProduct(s, b1)
            s = V(repeating: aa[p]); ca0.addProduct(s, b0); ca1.addProduct(s, b1)
            s = V(repeating: ab[p]); cb0.addProduct(s, b0); cb1.addProduct(s, b1)
            panel += tileColumns
        }
        func store(_ row: Int, _ x: V, _ y: V) {
            UnsafeMutableRawPointer(c + row * ldc).storeBytes(of: x, as: V.self)
            UnsafeMutableRawPointer(c + row * ldc + 16).storeBytes(of: y, as: V.self)
        }
        store(0, c00, c01); store(1, c10, c11); store(2, c20, c21); store(3, c30, c31)
        store(4, c40, c41); store(5, c50, c51); store(6, c60, c61); store(7, c70, c71)
        store(8, c80, c81); store(9, c90, c91); store(10, ca0, ca1); store(11, cb0, cb1)
    }

    /// c[12, 16] = a[12, depth] · b[depth, 16]: the first 16 columns of a packed 32-wide panel, for a last key
    /// panel with at most 16 keys. Twelve 16-float accumulators.
    @inline(__always)
    static func halfMicrokernel(_ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, depth: Int,
                                _ c: UnsafeMutablePointer<Float>, ldc: Int) {
        typealias V = SIMD16<Float>
        var c0 = V(), c1 = V(), c2 = V(), c3 = V(), c4 = V(), c5 = V(), c6 = V(), c7 = V(), c8 = V(), c9 = V(), ca = V(), cb = V()
        let a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda, a4 = a + 4 * lda, a5 = a + 5 * lda
        let a6 = a + 6 * lda, a7 = a + 7 * lda, a8 = a + 8 * lda, a9 = a + 9 * lda, aa = a + 10 * lda, ab = a + 11 * lda
        var panel = b
        for p in 0..<depth {
            let b0 = UnsafeRawPointer(panel).loadUnaligned(as: V.self)
            c0.addProduct(V(repeating: a[p]), b0); c1.addProduct(V(repeating: a1[p]), b0)
            c2.addProduct(V(repeating: a2[p]), b0); c3.addProduct(V(repeating: a3[p]), b0)
            c4.addProduct(V(repeating: a4[p]), b0); c5.addProduct(V(repeating: a5[p]), b0)
            c6.addProduct(V(repeating: a6[p]), b0); c7.addProduct(V(repeating: a7[p]), b0)
            c8.addProduct(V(repeating: a8[p]), b0); c9.addProduct(V(repeating: a9[p]), b0)
            ca.addProduct(V(repeating: aa[p]), b0); cb.addProduct(V(repeating: ab[p]), b0)
            panel += tileColumns
        }
        func store(_ row: Int, _ x: V) { UnsafeMutableRawPointer(c + row * ldc).storeBytes(of: x, as: V.self) }
        store(0, c0); store(1, c1); store(2, c2); store(3, c3); store(4, c4); store(5, c5)
        store(6, c6); store(7, c7); store(8, c8); store(9, c9); store(10, ca); store(11, cb)
    }
    #else
    /// c[6, 16] (+)= a[6, depth] · b[depth, 16]: a row-major with stride `lda`, b a packed panel (16 floats a row).
    /// Twelve 8-float accumulators, two panel loads and one broadcast: the 15 AVX2 registers BLIS's kernel uses.
    @inline(__always)
    static func microkernel(_ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, depth: Int,
                            _ c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
        typealias V = SIMD8<Float>
        func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
        var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V()
        var c30 = V(), c31 = V(), c40 = V(), c41 = V(), c50 = V(), c51 = V()
        if accumulate {
            c00 = load(c); c01 = load(c + 8)
            c10 = load(c + ldc); c11 = load(c + ldc + 8)
            c20 = load(c + 2 * ldc); c21 = load(c + 2 * ldc + 8)
            c30 = load(c + 3 * ldc); c31 = load(c + 3 * ldc + 8)
            c40 = load(c + 4 * ldc); c41 = load(c + 4 * ldc + 8)
            c50 = load(c + 5 * ldc); c51 = load(c + 5 * ldc + 8)
        }
        let a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda, a4 = a + 4 * lda, a5 = a + 5 * lda
        var panel = b
        for p in 0..<depth {
            let b0 = load(panel), b1 = load(panel + 8)
            var s = V(repeating: a[p])
            c00.addProduct(s, b0); c01.addProduct(s, b1)
            s = V(repeating: a1[p]); c10.addProduct(s, b0); c11.addProduct(s, b1)
            s = V(repeating: a2[p]); c20.addProduct(s, b0); c21.addProduct(s, b1)
            s = V(repeating: a3[p]); c30.addProduct(s, b0); c31.addProduct(s, b1)
            s = V(repeating: a4[p]); c40.addProduct(s, b0); c41.addProduct(s, b1)
            s = V(repeating: a5[p]); c50.addProduct(s, b0); c51.addProduct(s, b1)
            panel += tileColumns
        }
        func store(_ row: Int, _ x: V, _ y: V) {
            UnsafeMutableRawPointer(c + row * ldc).storeBytes(of: x, as: V.self)
            UnsafeMutableRawPointer(c + row * ldc + 8).storeBytes(of: y, as: V.self)
        }
        store(0, c00, c01); store(1, c10, c11); store(2, c20, c21)
        store(3, c30, c31); store(4, c40, c41); store(5, c50, c51)
    }
    #endif
}
