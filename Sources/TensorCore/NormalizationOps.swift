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
