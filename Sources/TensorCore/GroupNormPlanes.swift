/// Group norm over NCHW image planes (torch.nn.functional.group_norm): each
/// channel's plane is contiguous, so statistics, the per-channel affine map
/// and the backward pass are streaming SIMD loops with several independent
/// accumulators (one accumulator would wait on its own add every step), and
/// the groups split over the cores.
extension Tensor {
    static func groupNormPlanes(_ x: Tensor, groups: Int, weight: Tensor?, bias: Tensor?, epsilon: Float) -> Tensor {
        let (n, channels) = (x.shape[0], x.shape[1]), spatial = x.shape[2...].reduce(1, *)
        let perGroup = channels / groups, groupSize = perGroup * spatial
        if let weight { precondition(weight.count == channels, "norm weight has \(weight.count) values for \(channels) channels") }
        if let bias { precondition(bias.count == channels, "norm bias has \(bias.count) values for \(channels) channels") }
        let w = weight?.scalars ?? [Float](repeating: 1, count: channels), b = bias?.scalars ?? [Float](repeating: 0, count: channels)
        // Every element is written below: skip zero-filling a buffer this size.
        var out = [Float](unsafeUninitializedCapacity: x.count) { _, count in count = x.count }
        var means = [Float](repeating: 0, count: n * groups), rstds = means
        x.scalars.withUnsafeBufferPointer { px in
            out.withUnsafeMutableBufferPointer { po in
                means.withUnsafeMutableBufferPointer { pm in
                    rstds.withUnsafeMutableBufferPointer { pr in
                        nonisolated(unsafe) let (px, po, pm, pr) = (px.baseAddress!, po.baseAddress!, pm.baseAddress!, pr.baseAddress!)
                        Parallel.chunks(n * groups, minimumPerChunk: max(1, 32_768 / groupSize)) { range in
                            for g in range {
                                let base = px + g * groupSize
                                // One pass for both moments, shifted by the first value so a large
                                // common offset does not cancel away the variance.
                                let shift = base[0]
                                let (sum, squares) = GroupNormKernels.shiftedMoments(base, count: groupSize, shift: shift)
                                let meanShifted = sum / Float(groupSize)
                                let mean = shift + meanShifted
                                let variance = max(0, squares / Float(groupSize) - meanShifted * meanShifted)
                                let rstd = 1 / (variance + epsilon).squareRoot()
                                pm[g] = mean
                                pr[g] = rstd
                                for k in 0..<perGroup {
                                    let c = (g % groups) * perGroup + k
                                    let scale = rstd * w[c]
                                    GroupNormKernels.affine(base + k * spatial, po + g * groupSize + k * spatial, count: spatial,
                                                            scale: scale, shift: b[c] - mean * scale)
                                }
                            }
                        }
                    }
                }
            }
        }
        let inputs = [x] + (weight.map { [$0] } ?? []) + (bias.map { [$0] } ?? [])
        let (mu, rs) = (means, rstds)
        return .result(shape: x.shape, scalars: out, inputs: inputs) { grad in
            var gx = [Float](unsafeUninitializedCapacity: x.count) { _, count in count = x.count }
            var gw = [Float](repeating: 0, count: channels), gb = [Float](repeating: 0, count: channels)
            x.scalars.withUnsafeBufferPointer { px in
                grad.withUnsafeBufferPointer { pg in
                    gx.withUnsafeMutableBufferPointer { pgx in
                        gw.withUnsafeMutableBufferPointer { pgw in
                            gb.withUnsafeMutableBufferPointer { pgb in
                                nonisolated(unsafe) let (px, pg, pgx, pgw, pgb) = (px.baseAddress!, pg.baseAddress!, pgx.baseAddress!,
                                                                                   pgw.baseAddress!, pgb.baseAddress!)
                                // Split by group within a sample: a task owns its channels' weight and bias gradients.
                                Parallel.chunks(groups, minimumPerChunk: max(1, 32_768 / max(1, n * groupSize))) { range in
                                    for j in range {
                                        for sampleIndex in 0..<n {
                                            let g = sampleIndex * groups + j
                                            let (mean, rstd) = (mu[g], rs[g])
                                            var sumDy: Float = 0, sumDyXhat: Float = 0
                                            for k in 0..<perGroup {
                                                let offset = g * groupSize + k * spatial
                                                let (sg, sgd) = GroupNormKernels.gradientMoments(pg + offset, px + offset, count: spatial, mean: mean)
                                                let c = j * perGroup + k
                                                let sgx = sgd * rstd
                                                pgw[c] += sgx
                                                pgb[c] += sg
                                                sumDy += sg * w[c]
                                                sumDyXhat += sgx * w[c]
                                            }
                                            let meanDy = sumDy / Float(groupSize), meanDyXhat = sumDyXhat / Float(groupSize)
                                            // gx = rstd (dy w - meanDy - xhat meanDyXhat), xhat = (x - mean) rstd: one FMA chain per element.
                                            let xScale = -rstd * rstd * meanDyXhat
                                            for k in 0..<perGroup {
                                                let offset = g * groupSize + k * spatial
                                                let c = j * perGroup + k
                                                GroupNormKernels.inputGradient(pg + offset, px + offset, pgx + offset, count: spatial,
                                                                               gradScale: rstd * w[c], xScale: xScale,
                                                                               shift: -rstd * meanDy - mean * xScale)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            var grads: [[Float]?] = [gx]
            if weight != nil { grads.append(gw) }
            if bias != nil { grads.append(gb) }
            return grads
        }
    }
}

/// The streaming loops of `groupNormPlanes`, 32 floats per step in four independent SIMD8 accumulators.
enum GroupNormKernels {
    typealias V = SIMD8<Float>

    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
    @inline(__always) static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self) }

    /// Σ (x - shift) and Σ (x - shift)².
    static func shiftedMoments(_ x: UnsafePointer<Float>, count: Int, shift: Float) -> (Float, Float) {
        let k = V(repeating: shift)
        var (s0, s1, s2, s3) = (V(), V(), V(), V())
        var (q0, q1, q2, q3) = (V(), V(), V(), V())
        var i = 0
        while i + 32 <= count {
            let d0 = load(x + i) - k, d1 = load(x + i + 8) - k, d2 = load(x + i + 16) - k, d3 = load(x + i + 24) - k
            s0 += d0; s1 += d1; s2 += d2; s3 += d3
            q0 += d0 * d0; q1 += d1 * d1; q2 += d2 * d2; q3 += d3 * d3
            i += 32
        }
        while i + 8 <= count {
            let d = load(x + i) - k
            s0 += d; q0 += d * d
            i += 8
        }
        var sum = ((s0 + s1) + (s2 + s3)).sum(), squares = ((q0 + q1) + (q2 + q3)).sum()
        while i < count { let d = x[i] - shift; sum += d; squares += d * d; i += 1 }
        return (sum, squares)
    }

    /// out = x · scale + shift.
    static func affine(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int, scale: Float, shift: Float) {
        let (a, c) = (V(repeating: scale), V(repeating: shift))
        var i = 0
        while i + 16 <= count {
            store(load(x + i) * a + c, out + i)
            store(load(x + i + 8) * a + c, out + i + 8)
            i += 16
        }
        while i < count { out[i] = x[i] * scale + shift; i += 1 }
    }

    /// Σ dy and Σ dy (x - mean).
    static func gradientMoments(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, count: Int, mean: Float) -> (Float, Float) {
        let m = V(repeating: mean)
        var (s0, s1, s2, s3) = (V(), V(), V(), V())
        var (p0, p1, p2, p3) = (V(), V(), V(), V())
        var i = 0
        while i + 32 <= count {
            let g0 = load(dy + i), g1 = load(dy + i + 8), g2 = load(dy + i + 16), g3 = load(dy + i + 24)
            s0 += g0; s1 += g1; s2 += g2; s3 += g3
            p0 += g0 * (load(x + i) - m); p1 += g1 * (load(x + i + 8) - m)
            p2 += g2 * (load(x + i + 16) - m); p3 += g3 * (load(x + i + 24) - m)
            i += 32
        }
        while i + 8 <= count {
            let g = load(dy + i)
            s0 += g; p0 += g * (load(x + i) - m)
            i += 8
        }
        var sum = ((s0 + s1) + (s2 + s3)).sum(), products = ((p0 + p1) + (p2 + p3)).sum()
        while i < count { sum += dy[i]; products += dy[i] * (x[i] - mean); i += 1 }
        return (sum, products)
    }

    /// dx = dy · gradScale + x · xScale + shift.
    static func inputGradient(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, count: Int,
                              gradScale: Float, xScale: Float, shift: Float) {
        let (a, bx, c) = (V(repeating: gradScale), V(repeating: xScale), V(repeating: shift))
        var i = 0
        while i + 8 <= count {
            store(load(dy + i) * a + load(x + i) * bx + c, dx + i)
            i += 8
        }
        while i < count { dx[i] = dy[i] * gradScale + x[i] * xScale + shift; i += 1 }
    }
}
