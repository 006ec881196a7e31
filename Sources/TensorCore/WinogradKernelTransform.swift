/// The kernel side of Winograd's F(4x4, 3x3): U = G g Gᵀ for every (output, input) channel pair, and its
/// transpose dg = Gᵀ dU G for the weight gradient (Lavin & Gray 2016, the transforms oneDNN and NNPACK use),
/// sixteen channel pairs per SIMD16 vector. A pair's nine taps lie together in the weights, so sixteen
/// kernels are read as sixteen rows and turned into nine tap vectors by `RegisterTranspose` (and back for
/// the gradient). This replaced a [36, 9] x [9, O·C] product whose transposed operand was packed one float
/// at a time: 90 ns a kernel in a one-thread training step, 12% of the block stack's forward+backward.
extension WinogradConvolution {
    typealias V16 = SIMD16<Float>

    /// G · (g0, g1, g2) for G = [[1/4,0,0], [-1/6,-1/6,-1/6], [-1/6,1/6,-1/6], [1/24,1/12,1/6], [1/24,-1/12,1/6], [0,0,1]].
    @inline(__always) static func kernelColumn(_ g0: V16, _ g1: V16, _ g2: V16) -> (V16, V16, V16, V16, V16, V16) {
        let sixth: Float = 1 / 6, twelfth: Float = 1 / 12, quarter: Float = 1 / 4, twentyFourth: Float = 1 / 24
        let outer = g0 + g2, wide = g0 * twentyFourth + g2 * sixth, middle = g1 * twelfth
        return (g0 * quarter, (outer + g1) * -sixth, (outer - g1) * -sixth, wide + middle, wide - middle, g2)
    }

    /// Gᵀ · (u0 ... u5), the filter transform run backward.
    @inline(__always) static func filterGradientColumn(_ u0: V16, _ u1: V16, _ u2: V16, _ u3: V16, _ u4: V16, _ u5: V16)
        -> (V16, V16, V16) {
        let sixth: Float = 1 / 6, twelfth: Float = 1 / 12, quarter: Float = 1 / 4, twentyFourth: Float = 1 / 24
        let outer = u1 + u2, inner = u3 + u4, outerDiff = u2 - u1, innerDiff = u3 - u4
        return (u0 * quarter - outer * sixth + inner * twentyFourth,
                outerDiff * sixth + innerDiff * twelfth,
                (inner - outer) * sixth + u5)
    }

    /// U = G g Gᵀ per (output, input) channel pair, laid out [36][O·C] (matrices `weightStride` apart, the
    /// floats between them zero) from the array's first 64-byte line (`matrixOffset`). With `transposingFlipped`, `weight` is [C, O, 3, 3], the kernels of the
    /// convolution whose input gradient this one computes, read transposed and turned half round.
    func transformedWeights(_ weight: UnsafePointer<Float>, transposingFlipped flipped: Bool = false) -> [Float] {
        let (o, c, pairs, stride) = (o, c, o * c, weightStride)
        let groups = (c + 15) / 16
        // Floats from one input channel's kernel to the next for a fixed output channel.
        let kernelStride = flipped ? o * 9 : 9
        var u = [Float](unsafeUninitializedCapacity: transformedCount) { _, count in count = transformedCount }
        u.withUnsafeMutableBufferPointer { pu in
            let offset = Self.matrixOffset(pu.baseAddress!)
            pu.baseAddress!.initialize(repeating: 0, count: offset)
            (pu.baseAddress! + offset + 36 * stride).initialize(repeating: 0, count: transformedCount - offset - 36 * stride)
            nonisolated(unsafe) let (pu, weight) = (pu.baseAddress! + offset, weight)
            for xi in 0..<36 { (pu + xi * stride + pairs).initialize(repeating: 0, count: stride - pairs) }
            Parallel.chunks(o * groups, minimumPerChunk: 32) { range in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: 576 + 256) { scratch in
                    // rows: kernels read through scratch, later a partial vector's 36 outputs; taps: nine tap vectors.
                    let rows = scratch.baseAddress!, taps = rows + 576
                    for job in range {
                        // Flipped, consecutive jobs take the next output channel: its kernels lie 36 bytes after
                        // this job's, on the same cache lines (the next sixteen input channels lie 16·O kernels on).
                        let (out, first) = flipped ? (job % o, job / o * 16) : (job / groups, job % groups * 16)
                        let lanes = min(16, c - first)
                        let kernels = flipped ? weight + (first * o + out) * 9 : weight + (out * c + first) * 9
                        // Sixteen floats from each kernel's first tap, where that stays inside the weights;
                        // otherwise (the last kernels, or fewer than sixteen) the nine taps through `rows`.
                        var source = UnsafePointer(kernels), sourceStride = kernelStride
                        if lanes < 16 || (kernels - weight) + 15 * kernelStride + 16 > pairs * 9 {
                            rows.update(repeating: 0, count: 256)
                            for l in 0..<lanes { (rows + l * 16).update(from: kernels + l * kernelStride, count: 9) }
                            (source, sourceStride) = (UnsafePointer(rows), 16)
                        }
                        RegisterTranspose.transpose16(source, sourceStride: sourceStride, into: taps, targetStride: 16)
                        let target = pu + out * c + first
                        if lanes == 16 {
                            Self.transformKernels(taps, flipped: flipped, into: target, stride: stride)
                        } else {
                            Self.transformKernels(taps, flipped: flipped, into: rows, stride: 16)
                            for xi in 0..<36 { (target + xi * stride).update(from: rows + xi * 16, count: lanes) }
                        }
                    }
                }
            }
        }
        return u
    }

    /// U for sixteen kernels: taps[t·16 + l] is tap t (row-major 3x3) of kernel l, target[(r·6 + s)·stride + l]
    /// receives U[r][s]. A function of its own (never inlined) so its 36 vectors stay in registers: inside the
    /// parallel loop's closure LLVM split them into 128-bit pieces and called storeBytes out of line.
    @inline(never)
    static func transformKernels(_ taps: UnsafePointer<Float>, flipped: Bool, into target: UnsafeMutablePointer<Float>, stride: Int) {
        @inline(__always) func tap(_ i: Int, _ j: Int) -> V16 {
            let t = flipped ? 8 - (i * 3 + j) : i * 3 + j
            return UnsafeRawPointer(taps + t &* 16).loadUnaligned(as: V16.self)
        }
        let c0 = kernelColumn(tap(0, 0), tap(1, 0), tap(2, 0))
        let c1 = kernelColumn(tap(0, 1), tap(1, 1), tap(2, 1))
        let c2 = kernelColumn(tap(0, 2), tap(1, 2), tap(2, 2))
        @inline(__always) func row(_ r: Int, _ t0: V16, _ t1: V16, _ t2: V16) {
            let u = kernelColumn(t0, t1, t2), p = target + r &* 6 &* stride
            UnsafeMutableRawPointer(p).storeBytes(of: u.0, as: V16.self)
            UnsafeMutableRawPointer(p + stride).storeBytes(of: u.1, as: V16.self)
            UnsafeMutableRawPointer(p + 2 &* stride).storeBytes(of: u.2, as: V16.self)
            UnsafeMutableRawPointer(p + 3 &* stride).storeBytes(of: u.3, as: V16.self)
            UnsafeMutableRawPointer(p + 4 &* stride).storeBytes(of: u.4, as: V16.self)
            UnsafeMutableRawPointer(p + 5 &* stride).storeBytes(of: u.5, as: V16.self)
        }
        row(0, c0.0, c1.0, c2.0); row(1, c0.1, c1.1, c2.1); row(2, c0.2, c1.2, c2.2)
        row(3, c0.3, c1.3, c2.3); row(4, c0.4, c1.4, c2.4); row(5, c0.5, c1.5, c2.5)
    }

    /// dg = Gᵀ dU G per (output, input) channel pair: dU laid out [36][O·C] like U (`weightStride` apart), dg as [O, C, 3, 3].
    func filterGradient(_ du: UnsafePointer<Float>, into weightGrad: UnsafeMutablePointer<Float>) {
        let (pairs, stride) = (o * c, weightStride)
        nonisolated(unsafe) let (du, weightGrad) = (du, weightGrad)
        Parallel.chunks((pairs + 15) / 16, minimumPerChunk: 32) { range in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 576 + 512) { scratch in
                // partial: a partial vector's dU ([36][16]); taps[t·16 + l]: tap t of lane l (rows 9 ..< 16 zero);
                // kernels[l·16 + t] after the transpose.
                let partial = scratch.baseAddress!, taps = partial + 576, kernels = taps + 256
                taps.initialize(repeating: 0, count: 256)
                for vector in range {
                    let first = vector * 16, lanes = min(16, pairs - first)
                    if lanes == 16 {
                        Self.filterGradientKernels(du + first, stride: stride, into: taps)
                    } else {
                        partial.initialize(repeating: 0, count: 576)
                        for xi in 0..<36 { (partial + xi * 16).update(from: du + xi * stride + first, count: lanes) }
                        Self.filterGradientKernels(partial, stride: 16, into: taps)
                    }
                    RegisterTranspose.transpose16(taps, sourceStride: 16, into: kernels, targetStride: 16)
                    for l in 0..<lanes {
                        let source = kernels + l * 16, target = weightGrad + (first + l) * 9
                        UnsafeMutableRawPointer(target).storeBytes(of: UnsafeRawPointer(source).loadUnaligned(as: SIMD8<Float>.self),
                                                                   as: SIMD8<Float>.self)
                        target[8] = source[8]
                    }
                }
            }
        }
    }

    /// dg for sixteen pairs: du[(r·6 + s)·stride + l] is dU[r][s] of pair l, taps[t·16 + l] receives tap t of its
    /// kernel gradient. Never inlined, like `transformKernels`.
    @inline(never)
    static func filterGradientKernels(_ du: UnsafePointer<Float>, stride: Int, into taps: UnsafeMutablePointer<Float>) {
        @inline(__always) func load(_ i: Int) -> V16 { UnsafeRawPointer(du + i &* stride).loadUnaligned(as: V16.self) }
        @inline(__always) func rowGradient(_ r: Int) -> (V16, V16, V16) {
            filterGradientColumn(load(r * 6), load(r * 6 + 1), load(r * 6 + 2), load(r * 6 + 3), load(r * 6 + 4), load(r * 6 + 5))
        }
        // Along x (s) for each of the six rows r, then along y for each kernel column.
        let (r0, r1, r2, r3, r4, r5) = (rowGradient(0), rowGradient(1), rowGradient(2), rowGradient(3), rowGradient(4), rowGradient(5))
        @inline(__always) func column(_ kx: Int, _ t: (V16, V16, V16)) {
            UnsafeMutableRawPointer(taps + kx * 16).storeBytes(of: t.0, as: V16.self)
            UnsafeMutableRawPointer(taps + (3 + kx) * 16).storeBytes(of: t.1, as: V16.self)
            UnsafeMutableRawPointer(taps + (6 + kx) * 16).storeBytes(of: t.2, as: V16.self)
        }
        column(0, filterGradientColumn(r0.0, r1.0, r2.0, r3.0, r4.0, r5.0))
        column(1, filterGradientColumn(r0.1, r1.1, r2.1, r3.1, r4.1, r5.1))
        column(2, filterGradientColumn(r0.2, r1.2, r2.2, r3.2, r4.2, r5.2))
    }
}
