/// Layer norm (torch.nn.functional.layer_norm over the last axis), RMS norm
/// (transformers LlamaRMSNorm) and group norm (torch.nn.functional.group_norm,
/// NCHW), with gradients for input, weight and bias.
extension Tensor {
    public func layerNorm(weight: Tensor?, bias: Tensor?, epsilon: Float = 1e-5) -> Tensor {
        let n = shape.last!
        return Self.normalize(self, groups: count / n, groupSize: n, channels: n, channelStride: 1, weight: weight, bias: bias,
                              epsilon: epsilon, channelOf: { $0 % n })
    }

    /// Group norm of [N, C, ...]: statistics over each group of C/groups channels and all positions.
    public func groupNorm(groups: Int, weight: Tensor?, bias: Tensor?, epsilon: Float = 1e-5) -> Tensor {
        precondition(rank >= 2 && shape[1] % groups == 0, "group norm: \(shape[1]) channels do not split into \(groups) groups")
        let channels = shape[1], spatial = shape[2...].reduce(1, *)
        if spatial >= 64 {
            return Self.groupNormPlanes(self, groups: groups, weight: weight, bias: bias, epsilon: epsilon)
        }
        return Self.normalize(self, groups: shape[0] * groups, groupSize: channels / groups * spatial, channels: channels,
                              channelStride: spatial, weight: weight, bias: bias, epsilon: epsilon,
                              channelOf: { ($0 / spatial) % channels })
    }

    /// Group norm over image planes: each channel's plane is contiguous, so the
    /// statistics and the per-channel affine map run as plain vectorisable
    /// loops, groups split over the cores.
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
                                var s1 = SIMD8<Float>(repeating: 0), s2 = SIMD8<Float>(repeating: 0)
                                let k8 = SIMD8<Float>(repeating: shift)
                                var j = 0
                                while j + 8 <= groupSize {
                                    let d = UnsafeRawPointer(base + j).loadUnaligned(as: SIMD8<Float>.self) - k8
                                    s1 += d
                                    s2 += d * d
                                    j += 8
                                }
                                var sum = s1.sum(), squares = s2.sum()
                                while j < groupSize { let d = base[j] - shift; sum += d; squares += d * d; j += 1 }
                                let meanShifted = sum / Float(groupSize)
                                let mean = shift + meanShifted
                                let variance = max(0, squares / Float(groupSize) - meanShifted * meanShifted) * Float(groupSize)
                                let rstd = 1 / (variance / Float(groupSize) + epsilon).squareRoot()
                                pm[g] = mean
                                pr[g] = rstd
                                for k in 0..<perGroup {
                                    let c = (g % groups) * perGroup + k
                                    let scale = rstd * w[c], shift = b[c] - mean * rstd * w[c]
                                    let src = base + k * spatial, dst = po + g * groupSize + k * spatial
                                    for i in 0..<spatial { dst[i] = src[i] * scale + shift }
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
            var gx = [Float](repeating: 0, count: x.count)
            var gw = [Float](repeating: 0, count: channels), gb = [Float](repeating: 0, count: channels)
            let xs = x.scalars
            for g in 0..<(n * groups) {
                let base = g * groupSize
                var sumDy: Float = 0, sumDyXhat: Float = 0
                for k in 0..<perGroup {
                    let c = (g % groups) * perGroup + k
                    var sg: Float = 0, sgx: Float = 0
                    for i in 0..<spatial {
                        let idx = base + k * spatial + i
                        let xhat = (xs[idx] - mu[g]) * rs[g]
                        sg += grad[idx]
                        sgx += grad[idx] * xhat
                    }
                    gw[c] += sgx
                    gb[c] += sg
                    sumDy += sg * w[c]
                    sumDyXhat += sgx * w[c]
                }
                let meanDy = sumDy / Float(groupSize), meanDyXhat = sumDyXhat / Float(groupSize)
                for k in 0..<perGroup {
                    let c = (g % groups) * perGroup + k
                    for i in 0..<spatial {
                        let idx = base + k * spatial + i
                        let xhat = (xs[idx] - mu[g]) * rs[g]
                        gx[idx] = rs[g] * (grad[idx] * w[c] - meanDy - xhat * meanDyXhat)
                    }
                }
            }
            var grads: [[Float]?] = [gx]
            if weight != nil { grads.append(gw) }
            if bias != nil { grads.append(gb) }
            return grads
        }
    }

    /// Shared by layer and group norm: groups of `groupSize` consecutive
    /// values normalised to zero mean and unit variance (biased), then scaled
    /// and shifted per channel.
    static func normalize(_ x: Tensor, groups: Int, groupSize: Int, channels: Int, channelStride: Int, weight: Tensor?, bias: Tensor?,
                          epsilon: Float, channelOf: @escaping (Int) -> Int) -> Tensor {
        if let weight { precondition(weight.count == channels, "norm weight has \(weight.count) values for \(channels) channels") }
        if let bias { precondition(bias.count == channels, "norm bias has \(bias.count) values for \(channels) channels") }
        let count = x.count
        var xhat = [Float](repeating: 0, count: count)
        var rstd = [Float](repeating: 0, count: groups)
        x.scalars.withUnsafeBufferPointer { src in
            xhat.withUnsafeMutableBufferPointer { dst in
                rstd.withUnsafeMutableBufferPointer { r in
                    Parallel.chunks(groups, minimumPerChunk: max(1, 16_384 / max(1, groupSize))) { range in
                        for g in range {
                            let base = g * groupSize
                            var mean: Double = 0
                            for i in 0..<groupSize { mean += Double(src[base + i]) }
                            mean /= Double(groupSize)
                            var variance: Double = 0
                            for i in 0..<groupSize { let d = Double(src[base + i]) - mean; variance += d * d }
                            variance /= Double(groupSize)
                            let inv = Float(1 / (variance + Double(epsilon)).squareRoot())
                            r[g] = inv
                            let m = Float(mean)
                            for i in 0..<groupSize { dst[base + i] = (src[base + i] - m) * inv }
                        }
                    }
                }
            }
        }
        var out = xhat
        let w = weight?.scalars, b = bias?.scalars
        if w != nil || b != nil {
            for i in 0..<count {
                let c = channelOf(i)
                out[i] = out[i] * (w?[c] ?? 1) + (b?[c] ?? 0)
            }
        }
        let normalized = xhat, inv = rstd
        let inputs = [x] + (weight.map { [$0] } ?? []) + (bias.map { [$0] } ?? [])
        return .result(shape: x.shape, scalars: out, inputs: inputs) { grad in
            var gx = [Float](repeating: 0, count: count)
            var gw = [Float](repeating: 0, count: channels), gb = [Float](repeating: 0, count: channels)
            for g in 0..<groups {
                let base = g * groupSize
                var sumDy: Double = 0, sumDyXhat: Double = 0
                for i in 0..<groupSize {
                    let c = channelOf(base + i)
                    let dy = grad[base + i] * (w?[c] ?? 1)
                    sumDy += Double(dy)
                    sumDyXhat += Double(dy * normalized[base + i])
                    gw[c] += grad[base + i] * normalized[base + i]
                    gb[c] += grad[base + i]
                }
                let meanDy = Float(sumDy / Double(groupSize)), meanDyXhat = Float(sumDyXhat / Double(groupSize))
                for i in 0..<groupSize {
                    let c = channelOf(base + i)
                    let dy = grad[base + i] * (w?[c] ?? 1)
                    gx[base + i] = inv[g] * (dy - meanDy - normalized[base + i] * meanDyXhat)
                }
            }
            var grads: [[Float]?] = [gx]
            if weight != nil { grads.append(gw) }
            if bias != nil { grads.append(gb) }
            return grads
        }
    }

    /// RMS norm over the last axis: x / sqrt(mean(x²) + eps) * weight (Llama).
    public func rmsNorm(weight: Tensor, epsilon: Float = 1e-6) -> Tensor {
        let n = shape.last!, rows = count / n
        precondition(weight.count == n, "RMS norm weight has \(weight.count) values for \(n) features")
        var out = [Float](repeating: 0, count: count)
        var rms = [Float](repeating: 0, count: rows)
        let x = scalars, w = weight.scalars
        for r in 0..<rows {
            var ms: Float = 0
            for j in 0..<n { ms += x[r * n + j] * x[r * n + j] }
            let inv = 1 / (ms / Float(n) + epsilon).squareRoot()
            rms[r] = inv
            for j in 0..<n { out[r * n + j] = x[r * n + j] * inv * w[j] }
        }
        let inv = rms
        return .result(shape: shape, scalars: out, inputs: [self, weight]) { grad in
            var gx = [Float](repeating: 0, count: x.count), gw = [Float](repeating: 0, count: n)
            for r in 0..<rows {
                var dot: Float = 0
                for j in 0..<n {
                    let gy = grad[r * n + j] * w[j]
                    dot += gy * x[r * n + j]
                    gw[j] += grad[r * n + j] * x[r * n + j] * inv[r]
                }
                let k = inv[r] * inv[r] * inv[r] * dot / Float(n)
                for j in 0..<n { gx[r * n + j] = grad[r * n + j] * w[j] * inv[r] - x[r * n + j] * k }
            }
            return [gx, gw]
        }
    }
}
