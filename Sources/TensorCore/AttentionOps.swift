import Foundation

/// Scaled dot-product attention (torch.nn.functional.scaled_dot_product_attention):
/// softmax(Q Kᵀ · scale [+ causal mask]) V over [B, H, L, D] tensors. Queries
/// are processed in blocks, so memory holds one block x Lk score matrix at a
/// time instead of B·H·Lq·Lk; the backward pass recomputes each block.
extension Tensor {
    public static let attentionBlock = 256

    public static func attention(query q: Tensor, key k: Tensor, value v: Tensor, causal: Bool = false, scale: Float? = nil) -> Tensor {
        precondition(q.rank == 4 && k.rank == 4 && v.rank == 4, "attention needs [B, H, L, D] tensors")
        let (b, h, lq, d) = (q.shape[0], q.shape[1], q.shape[2], q.shape[3])
        let lk = k.shape[2], dv = v.shape[3]
        precondition(k.shape == [b, h, lk, d] && v.shape[0...2] == [b, h, lk], "attention shapes differ: q \(q.shape) k \(k.shape) v \(v.shape)")
        let scale = scale ?? 1 / Float(d).squareRoot()
        let heads = b * h, block = attentionBlock
        var out = [Float](repeating: 0, count: heads * lq * dv)
        // Causal masks align the last query with the last key, as torch's is_causal does for Lq == Lk.
        let offset = lk - lq
        q.scalars.withUnsafeBufferPointer { pq in
            k.scalars.withUnsafeBufferPointer { pk in
                v.scalars.withUnsafeBufferPointer { pv in
                    out.withUnsafeMutableBufferPointer { po in
                        var scores = [Float](repeating: 0, count: block * lk)
                        for head in 0..<heads {
                            var start = 0
                            while start < lq {
                                let rows = min(block, lq - start)
                                let qb = pq.baseAddress! + (head * lq + start) * d
                                scores.withUnsafeMutableBufferPointer { ps in
                                    let s = ps.baseAddress!
                                    BLAS.gemm(qb, pk.baseAddress! + head * lk * d, s, m: rows, n: lk, k: d, transposeB: true)
                                    for r in 0..<rows {
                                        let row = s + r * lk
                                        let limit = causal ? start + r + offset + 1 : lk
                                        for j in 0..<lk { row[j] = j < limit ? row[j] * scale : -.infinity }
                                        Tensor.softmaxRow(row, row, lk)
                                    }
                                    BLAS.gemm(s, pv.baseAddress! + head * lk * dv, po.baseAddress! + (head * lq + start) * dv, m: rows, n: dv, k: lk)
                                }
                                start += rows
                            }
                        }
                    }
                }
            }
        }
        return .result(shape: [b, h, lq, dv], scalars: out, inputs: [q, k, v]) { grad in
            var gq = [Float](repeating: 0, count: q.count), gk = [Float](repeating: 0, count: k.count), gv = [Float](repeating: 0, count: v.count)
            var p = [Float](repeating: 0, count: block * lk), dp = [Float](repeating: 0, count: block * lk)
            q.scalars.withUnsafeBufferPointer { pq in
                k.scalars.withUnsafeBufferPointer { pk in
                    v.scalars.withUnsafeBufferPointer { pv in
                        grad.withUnsafeBufferPointer { pg in
                            for head in 0..<heads {
                                var start = 0
                                while start < lq {
                                    let rows = min(block, lq - start)
                                    let qb = pq.baseAddress! + (head * lq + start) * d
                                    let gob = pg.baseAddress! + (head * lq + start) * dv
                                    let kh = pk.baseAddress! + head * lk * d, vh = pv.baseAddress! + head * lk * dv
                                    p.withUnsafeMutableBufferPointer { pp in
                                        dp.withUnsafeMutableBufferPointer { pdp in
                                            let P = pp.baseAddress!, dP = pdp.baseAddress!
                                            BLAS.gemm(qb, kh, P, m: rows, n: lk, k: d, transposeB: true)
                                            for r in 0..<rows {
                                                let row = P + r * lk
                                                let limit = causal ? start + r + offset + 1 : lk
                                                for j in 0..<lk { row[j] = j < limit ? row[j] * scale : -.infinity }
                                                Tensor.softmaxRow(row, row, lk)
                                            }
                                            // dV += Pᵀ dO ; dP = dO Vᵀ
                                            gv.withUnsafeMutableBufferPointer { BLAS.gemm(P, gob, $0.baseAddress! + head * lk * dv, m: lk, n: dv, k: rows, transposeA: true, beta: 1) }
                                            BLAS.gemm(gob, vh, dP, m: rows, n: lk, k: dv, transposeB: true)
                                            // dS = P ∘ (dP − rowsum(dP ∘ P)) · scale
                                            for r in 0..<rows {
                                                var dot: Float = 0
                                                for j in 0..<lk { dot += dP[r * lk + j] * P[r * lk + j] }
                                                for j in 0..<lk { dP[r * lk + j] = P[r * lk + j] * (dP[r * lk + j] - dot) * scale }
                                            }
                                            gq.withUnsafeMutableBufferPointer { BLAS.gemm(dP, kh, $0.baseAddress! + (head * lq + start) * d, m: rows, n: d, k: lk) }
                                            gk.withUnsafeMutableBufferPointer { BLAS.gemm(dP, qb, $0.baseAddress! + head * lk * d, m: lk, n: d, k: rows, transposeA: true, beta: 1) }
                                        }
                                    }
                                    start += rows
                                }
                            }
                        }
                    }
                }
            }
            return [gq, gk, gv]
        }
    }
}
