import Dispatch
import Foundation

/// Scaled dot-product attention (torch.nn.functional.scaled_dot_product_attention):
/// softmax(Q Kᵀ · scale [+ causal mask]) V over [B, H, L, D] tensors. Queries
/// are processed in blocks, so memory holds one block x Lk score matrix per
/// worker instead of B·H·Lq·Lk; the backward pass recomputes each block.
/// Heads are split over the cores, each worker running single-threaded sgemm.
extension Tensor {
    public static let attentionBlock = 256

    /// Score rows (already scaled, by sgemm's alpha) to softmax numerators in
    /// place: the future masked (row r keeps columns below causalLimit + r),
    /// each row's maximum subtracted, exponentiated (`softmaxRow`); each row's
    /// 1 / sum goes to `inverseSums`, so the caller normalises the
    /// rows of P·V (Dv wide) instead of P's rows (Lk wide); with
    /// `normalise`, P's rows are normalised here too (the backward pass needs P).
    static func softmaxNumerators(_ scores: UnsafeMutablePointer<Float>, rows: Int, columns: Int, causalLimit: Int?,
                                  inverseSums: UnsafeMutablePointer<Float>, normalise: Bool) {
        for r in 0..<rows {
            let row = scores + r * columns
            let limit = causalLimit.map { min(columns, max(0, $0 + r)) } ?? columns
            for j in limit..<columns { row[j] = -.infinity }
            inverseSums[r] = Tensor.softmaxRow(row, row, columns, normalise: normalise)
        }
    }

    /// Query rows per block: at least `attentionBlock`, more when the keys are
    /// few (cross-attention over 77 tokens), so each sgemm is large while one
    /// block's scores stay within `scoreBudget` floats per worker.
    static func queryBlock(queries: Int, keys: Int) -> Int {
        min(max(1, queries), max(attentionBlock, scoreBudget / max(1, keys)))
    }

    public static let scoreBudget = 1 << 20

    /// Calls `body(head, scratch, extra)` for every head, heads split over the
    /// cores, each worker with its own `buffers` scratch buffers of `scratch`
    /// floats and one of `extra` floats.
    static func forEachHead(_ heads: Int, scratch: Int, buffers: Int, extra: Int,
                            _ body: (Int, [UnsafeMutablePointer<Float>], UnsafeMutablePointer<Float>) -> Void) {
        let workers = min(Parallel.workers, heads)
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let body = body
            BLAS.singleThreaded {
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    let space = UnsafeMutablePointer<Float>.allocate(capacity: scratch * buffers + extra)
                    defer { space.deallocate() }
                    let parts = (0..<buffers).map { space + $0 * scratch }
                    var head = worker
                    while head < heads { body(head, parts, space + scratch * buffers); head += workers }
                }
            }
        }
    }

    public static func attention(query q: Tensor, key k: Tensor, value v: Tensor, causal: Bool = false, scale: Float? = nil) -> Tensor {
        precondition(q.rank == 4 && k.rank == 4 && v.rank == 4, "attention needs [B, H, L, D] tensors")
        let (b, h, lq, d) = (q.shape[0], q.shape[1], q.shape[2], q.shape[3])
        let lk = k.shape[2], dv = v.shape[3]
        precondition(k.shape == [b, h, lk, d] && v.shape[0...2] == [b, h, lk], "attention shapes differ: q \(q.shape) k \(k.shape) v \(v.shape)")
        let scale = scale ?? 1 / Float(d).squareRoot()
        let heads = b * h, block = queryBlock(queries: lq, keys: lk)
        var out = [Float](repeating: 0, count: heads * lq * dv)
        // Causal masks align the last query with the last key, as torch's is_causal does for Lq == Lk.
        let offset = lk - lq
        q.scalars.withUnsafeBufferPointer { pq in
            k.scalars.withUnsafeBufferPointer { pk in
                v.scalars.withUnsafeBufferPointer { pv in
                    out.withUnsafeMutableBufferPointer { po in
                        nonisolated(unsafe) let (pq, pk, pv, po) = (pq.baseAddress!, pk.baseAddress!, pv.baseAddress!, po.baseAddress!)
                        forEachHead(heads, scratch: block * lk, buffers: 1, extra: block) { head, scratch, inverseSums in
                            let s = scratch[0]
                            var start = 0
                            while start < lq {
                                let rows = min(block, lq - start)
                                BLAS.gemm(pq + (head * lq + start) * d, pk + head * lk * d, s, m: rows, n: lk, k: d, transposeB: true, alpha: scale)
                                softmaxNumerators(s, rows: rows, columns: lk, causalLimit: causal ? start + offset + 1 : nil,
                                                  inverseSums: inverseSums, normalise: false)
                                let o = po + (head * lq + start) * dv
                                BLAS.gemm(s, pv + head * lk * dv, o, m: rows, n: dv, k: lk)
                                for r in 0..<rows {
                                    let inverse = inverseSums[r]
                                    for j in 0..<dv { o[r * dv + j] *= inverse }
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
            q.scalars.withUnsafeBufferPointer { pq in
                k.scalars.withUnsafeBufferPointer { pk in
                    v.scalars.withUnsafeBufferPointer { pv in
                        grad.withUnsafeBufferPointer { pg in
                            gq.withUnsafeMutableBufferPointer { pgq in
                                gk.withUnsafeMutableBufferPointer { pgk in
                                    gv.withUnsafeMutableBufferPointer { pgv in
                                        nonisolated(unsafe) let (pq, pk, pv, pg) = (pq.baseAddress!, pk.baseAddress!, pv.baseAddress!, pg.baseAddress!)
                                        nonisolated(unsafe) let (pgq, pgk, pgv) = (pgq.baseAddress!, pgk.baseAddress!, pgv.baseAddress!)
                                        forEachHead(heads, scratch: block * lk, buffers: 2, extra: block) { head, scratch, inverseSums in
                                            let P = scratch[0], dP = scratch[1]
                                            let kh = pk + head * lk * d, vh = pv + head * lk * dv
                                            var start = 0
                                            while start < lq {
                                                let rows = min(block, lq - start)
                                                let qb = pq + (head * lq + start) * d, gob = pg + (head * lq + start) * dv
                                                BLAS.gemm(qb, kh, P, m: rows, n: lk, k: d, transposeB: true, alpha: scale)
                                                softmaxNumerators(P, rows: rows, columns: lk, causalLimit: causal ? start + offset + 1 : nil,
                                                                  inverseSums: inverseSums, normalise: true)
                                                // dV += Pᵀ dO ; dP = dO Vᵀ
                                                BLAS.gemm(P, gob, pgv + head * lk * dv, m: lk, n: dv, k: rows, transposeA: true, beta: 1)
                                                BLAS.gemm(gob, vh, dP, m: rows, n: lk, k: dv, transposeB: true)
                                                // dS = P ∘ (dP − rowsum(dP ∘ P)) · scale
                                                for r in 0..<rows {
                                                    var dot: Float = 0
                                                    for j in 0..<lk { dot += dP[r * lk + j] * P[r * lk + j] }
                                                    for j in 0..<lk { dP[r * lk + j] = P[r * lk + j] * (dP[r * lk + j] - dot) * scale }
                                                }
                                                BLAS.gemm(dP, kh, pgq + (head * lq + start) * d, m: rows, n: d, k: lk)
                                                BLAS.gemm(dP, qb, pgk + head * lk * d, m: lk, n: d, k: rows, transposeA: true, beta: 1)
                                                start += rows
                                            }
                                        }
                                    }
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
