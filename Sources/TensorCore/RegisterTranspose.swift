/// A 16x16 block of floats transposed in SIMD16 registers: four rounds of sixteen two-source shuffles
/// (32-bit and 64-bit interleaves within 128-bit lanes, then two rounds of 128-bit lane shuffles), the
/// transpose AVX-512 packing routines use (oneDNN's, BLIS's): 64 shuffles for 256 floats where an
/// element-by-element copy takes 256 strided scalar loads.
///
/// Each shuffle is an element-wise SIMD16 initialiser with constant indices, which LLVM lowers to one
/// vunpcklps / vunpckhps / vunpcklpd / vunpckhpd / vshuff64x2. Each round is a function of its own, never
/// inlined, its sixteen vectors passed through a 1 KB scratch block: with two rounds in one function LLVM folds
/// the element initialisers through each other and rebuilds every output from all sixteen rows (136
/// two-source permutes and 33 blends in the assembly, against 16 shuffles a round apart).
enum RegisterTranspose {
    typealias V = SIMD16<Float>

    /// target[i·targetStride + r] = source[r·sourceStride + i] for r, i < 16; source rows from `rows` on are not
    /// read (taken as zero). Target rows are written in order, sixteen floats each: with a `targetStride` under 16
    /// each row's tail is overwritten by the next row, and the last row writes 16 − targetStride floats past
    /// row 15's end.
    @inline(__always)
    static func transpose16(_ source: UnsafePointer<Float>, sourceStride: Int, rows: Int = 16,
                            into target: UnsafeMutablePointer<Float>, targetStride: Int) {
        // 1 KB, so it stays on the stack (a 2 KB temporary allocation was a malloc per call: 7% of a training step).
        withUnsafeTemporaryAllocation(of: V.self, capacity: 16) { scratch in
            let vectors = scratch.baseAddress!
            interleaveRows(source, stride: sourceStride, rows: rows, into: vectors)
            interleavePairs(vectors)
            gatherLanes(vectors)
            finishLanes(vectors, into: target, stride: targetStride)
        }
    }

    /// Round 1: t[2i], t[2i + 1] = vunpcklps, vunpckhps of rows 2i and 2i + 1.
    @inline(never)
    static func interleaveRows(_ source: UnsafePointer<Float>, stride: Int, rows: Int, into t: UnsafeMutablePointer<V>) {
        @inline(__always) func row(_ r: Int) -> V {
            r < rows ? UnsafeRawPointer(source + r &* stride).loadUnaligned(as: V.self) : V()
        }
        for i in 0..<8 {
            let (a, b) = (row(2 * i), row(2 * i + 1))
            t[2 * i] = V(a[0], b[0], a[1], b[1], a[4], b[4], a[5], b[5], a[8], b[8], a[9], b[9], a[12], b[12], a[13], b[13])
            t[2 * i + 1] = V(a[2], b[2], a[3], b[3], a[6], b[6], a[7], b[7], a[10], b[10], a[11], b[11], a[14], b[14], a[15], b[15])
        }
    }

    /// Round 2, in place: 64-bit interleaves; u[4g + q] then holds, in 128-bit lane L, element 4L + q of rows
    /// 4g ..< 4g + 4.
    @inline(never)
    static func interleavePairs(_ u: UnsafeMutablePointer<V>) {
        @inline(__always) func low(_ a: V, _ b: V) -> V {
            V(a[0], a[1], b[0], b[1], a[4], a[5], b[4], b[5], a[8], a[9], b[8], b[9], a[12], a[13], b[12], b[13])
        }
        @inline(__always) func high(_ a: V, _ b: V) -> V {
            V(a[2], a[3], b[2], b[3], a[6], a[7], b[6], b[7], a[10], a[11], b[10], b[11], a[14], a[15], b[14], b[15])
        }
        for g in 0..<4 {
            let (t0, t1, t2, t3) = (u[4 * g], u[4 * g + 1], u[4 * g + 2], u[4 * g + 3])
            u[4 * g] = low(t0, t2); u[4 * g + 1] = high(t0, t2); u[4 * g + 2] = low(t1, t3); u[4 * g + 3] = high(t1, t3)
        }
    }

    /// Round 3, in place: lanes 0, 2 and 1, 3 of u[q], u[4 + q] (and of u[8 + q], u[12 + q]) side by side.
    @inline(never)
    static func gatherLanes(_ u: UnsafeMutablePointer<V>) {
        for q in 0..<4 {
            let (a, b, c, d) = (u[q], u[4 + q], u[8 + q], u[12 + q])
            u[q] = evenLanes(a, b); u[4 + q] = oddLanes(a, b)
            u[8 + q] = evenLanes(c, d); u[12 + q] = oddLanes(c, d)
        }
    }

    /// Round 4: lane L of u[q], u[4 + q], u[8 + q], u[12 + q] as target row 4L + q, rows stored in order.
    @inline(never)
    static func finishLanes(_ s: UnsafePointer<V>, into target: UnsafeMutablePointer<Float>, stride: Int) {
        @inline(__always) func store(_ i: Int, _ value: V) {
            UnsafeMutableRawPointer(target + i &* stride).storeBytes(of: value, as: V.self)
        }
        let (r0, r8) = (evenLanes(s[0], s[8]), oddLanes(s[0], s[8])), (r4, r12) = (evenLanes(s[4], s[12]), oddLanes(s[4], s[12]))
        let (r1, r9) = (evenLanes(s[1], s[9]), oddLanes(s[1], s[9])), (r5, r13) = (evenLanes(s[5], s[13]), oddLanes(s[5], s[13]))
        let (r2, r10) = (evenLanes(s[2], s[10]), oddLanes(s[2], s[10])), (r6, r14) = (evenLanes(s[6], s[14]), oddLanes(s[6], s[14]))
        let (r3, r11) = (evenLanes(s[3], s[11]), oddLanes(s[3], s[11])), (r7, r15) = (evenLanes(s[7], s[15]), oddLanes(s[7], s[15]))
        store(0, r0); store(1, r1); store(2, r2); store(3, r3); store(4, r4); store(5, r5); store(6, r6); store(7, r7)
        store(8, r8); store(9, r9); store(10, r10); store(11, r11); store(12, r12); store(13, r13); store(14, r14); store(15, r15)
    }

    /// vshuff64x2 0x88: 128-bit lanes 0 and 2 of a, then 0 and 2 of b.
    @inline(__always) static func evenLanes(_ a: V, _ b: V) -> V {
        V(a[0], a[1], a[2], a[3], a[8], a[9], a[10], a[11], b[0], b[1], b[2], b[3], b[8], b[9], b[10], b[11])
    }

    /// vshuff64x2 0xDD: 128-bit lanes 1 and 3 of a, then 1 and 3 of b.
    @inline(__always) static func oddLanes(_ a: V, _ b: V) -> V {
        V(a[4], a[5], a[6], a[7], a[12], a[13], a[14], a[15], b[4], b[5], b[6], b[7], b[12], b[13], b[14], b[15])
    }
}
