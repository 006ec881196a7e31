import Foundation

/// Embedding lookup (torch.nn.functional.embedding) and rotary position
/// embeddings as transformers' Llama applies them (rotate_half, cos/sin of
/// position * inv_freq repeated over both halves).
extension Tensor {
    /// Rows of `table` [V, D] for each id; result shape `idsShape + [D]`.
    public static func embedding(ids: [Int], shape idsShape: [Int], table: Tensor) -> Tensor {
        precondition(table.rank == 2, "embedding table must be [V, D], got \(table.shape)")
        precondition(idsShape.reduce(1, *) == ids.count, "ids shape \(idsShape) does not hold \(ids.count) ids")
        let (v, d) = (table.shape[0], table.shape[1])
        var out = [Float](repeating: 0, count: ids.count * d)
        for (i, id) in ids.enumerated() {
            precondition(id >= 0 && id < v, "id \(id) outside the vocabulary of \(v)")
            for j in 0..<d { out[i * d + j] = table.scalars[id * d + j] }
        }
        return .result(shape: idsShape + [d], scalars: out, inputs: [table]) { grad in
            var g = [Float](repeating: 0, count: v * d)
            for (i, id) in ids.enumerated() { for j in 0..<d { g[id * d + j] += grad[i * d + j] } }
            return [g]
        }
    }

    /// cos and sin tables [positions.count, D] for rotary embeddings with base `theta`.
    public static func rotaryTables(positions: [Int], dimension d: Int, theta: Float = 10_000) -> (cos: [Float], sin: [Float]) {
        var cos = [Float](repeating: 0, count: positions.count * d), sin = cos
        for (row, p) in positions.enumerated() {
            for i in 0..<(d / 2) {
                // inv_freq = 1 / theta^(2i/d), computed in Float as transformers does.
                let invFreq = 1 / Foundation.pow(theta, Float(2 * i) / Float(d))
                let angle = Float(p) * invFreq
                cos[row * d + i] = Foundation.cos(angle); cos[row * d + i + d / 2] = cos[row * d + i]
                sin[row * d + i] = Foundation.sin(angle); sin[row * d + i + d / 2] = sin[row * d + i]
            }
        }
        return (cos, sin)
    }

    /// Applies rotary embeddings to [B, H, T, D] with tables for its T positions:
    /// x·cos + rotate_half(x)·sin, rotate_half(x) = [−x₂, x₁].
    public func rotary(cos: [Float], sin: [Float]) -> Tensor {
        precondition(rank == 4, "rotary needs [B, H, T, D], got \(shape)")
        let t = shape[2], d = shape[3], half = d / 2
        precondition(cos.count == t * d && sin.count == t * d, "rotary tables must be [T, D] = [\(t), \(d)]")
        let rows = count / d
        var out = [Float](repeating: 0, count: count)
        for r in 0..<rows {
            let p = r % t, base = r * d
            for i in 0..<half {
                let x1 = scalars[base + i], x2 = scalars[base + i + half]
                out[base + i] = x1 * cos[p * d + i] - x2 * sin[p * d + i]
                out[base + i + half] = x2 * cos[p * d + i + half] + x1 * sin[p * d + i + half]
            }
        }
        let n = count
        return .result(shape: shape, scalars: out, inputs: [self]) { grad in
            var g = [Float](repeating: 0, count: n)
            for r in 0..<rows {
                let p = r % t, base = r * d
                for i in 0..<half {
                    let g1 = grad[base + i], g2 = grad[base + i + half]
                    g[base + i] = g1 * cos[p * d + i] + g2 * sin[p * d + i + half]
                    g[base + i + half] = g2 * cos[p * d + i + half] - g1 * sin[p * d + i]
                }
            }
            return [g]
        }
    }

    /// GEGLU's gating: the last axis split in half, value · gelu(gate) (diffusers GEGLU).
    public func geglu() -> Tensor {
        let parts = chunked(2, axis: -1)
        return parts[0] * parts[1].gelu()
    }

    /// SwiGLU: silu(gate) · up (Llama's MLP before down_proj).
    public static func swiglu(gate: Tensor, up: Tensor) -> Tensor { gate.silu() * up }
}
