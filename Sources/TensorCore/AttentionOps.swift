import Dispatch
import Foundation

/// Scaled dot-product attention (torch.nn.functional.scaled_dot_product_attention):
/// softmax(Q Kᵀ · scale [+ causal mask]) V over [B, H, L, D] tensors. The
/// forward is `FusedAttentionKernel` (flash attention: query blocks, key
/// blocks, an online softmax, one small scores tile per worker); the backward
/// recomputes each query block's probabilities with single-threaded sgemm.
/// Heads are split over the cores.
extension Tensor {
    public static let attentionBlock = 256

    /// Score rows (already scaled, by sgemm's alpha) to softmax rows in
    /// place, for the backward pass: the future masked (row r keeps columns
    /// below causalLimit + r), then each row's softmax (`softmaxRow`).
    static func softmaxRows(_ scores: UnsafeMutablePointer<Float>, rows: Int, columns: Int, causalLimit: Int?) {
        for r in 0..<rows {
            let row = scores + r * columns
            let limit = causalLimit.map { min(columns, max(0, $0 + r)) } ?? columns
            for j in limit..<columns { row[j] = -.infinity }
            Tensor.softmaxRow(row, row, columns)
        }
    }

    /// Query rows per block: at least `attentionBlock`, more when the keys are
    /// few (cross-attention over 77 tokens), so each sgemm is large while one
    /// block's scores stay within `scoreBudget` floats per worker.
    static func queryBlock(queries: Int, keys: Int) -> Int {
        min(max(1, queries), max(attentionBlock, scoreBudget / max(1, keys)))
    }

    public static let scoreBudget = 1 << 20

    /// Calls `body(head, scratch)` for every head, heads split over the
    /// cores, each part with its own `buffers` scratch buffers of `scratch` floats.
    /// On the spinning workers (`SpinningWorkers`), not Dispatch: a Dispatch
    /// loop wakes a thread each time, tens of microseconds against a small
    /// model's whole attention (the block stack's four heads of 256 tokens).
    static func forEachHead(_ heads: Int, scratch: Int, buffers: Int,
                            _ body: (Int, [UnsafeMutablePointer<Float>]) -> Void) {
        let workers = min(Parallel.workers, heads)
        func part(_ worker: Int) {
            let space = UnsafeMutablePointer<Float>.allocate(capacity: scratch * buffers)
            defer { space.deallocate() }
            let parts = (0..<buffers).map { space + $0 * scratch }
            var head = worker
            while head < heads { body(head, parts); head += workers }
        }
        BLAS.singleThreaded {
            // Inside another job (or with one worker) the heads run here, one part after another.
            if !SpinningWorkers.shared.run(parts: workers, part) { for worker in 0..<workers { part(worker) } }
        }
    }

    public static func attention(query q: Tensor, key k: Tensor, value v: Tensor, causal: Bool = false, scale: Float? = nil) -> Tensor {
        precondition(q.rank == 4 && k.rank == 4 && v.rank == 4, "attention needs [B, H, L, D] tensors")
        let (b, h, lq, d) = (q.shape[0], q.shape[1], q.shape[2], q.shape[3])
        let lk = k.shape[2], dv = v.shape[3]
        precondition(k.shape == [b, h, lk, d] && v.shape[0...2] == [b, h, lk], "attention shapes differ: q \(q.shape) k \(k.shape) v \(v.shape)")
        let scale = scale ?? 1 / Float(d).squareRoot()
        let heads = b * h, block = queryBlock(queries: lq, keys: lk)
        // Every element is written by the kernel: no zeroing pass (8 MB at UNet sizes, serial, ~8% of a cross-attention call).
        var out = [Float](unsafeUninitializedCapacity: heads * lq * dv) { _, count in count = heads * lq * dv }
        // Causal masks align the last query with the last key, as torch's is_causal does for Lq == Lk.
        let offset = lk - lq
        q.scalars.withUnsafeBufferPointer { pq in
            k.scalars.withUnsafeBufferPointer { pk in
                v.scalars.withUnsafeBufferPointer { pv in
                    out.withUnsafeMutableBufferPointer { po in
                        nonisolated(unsafe) let (pq, pk, pv, po) = (pq.baseAddress!, pk.baseAddress!, pv.baseAddress!, po.baseAddress!)
                        let scratch = FusedAttentionKernel.scratchCount(keys: lk, depth: d, valueDepth: dv)
                        forEachHead(heads, scratch: scratch, buffers: 1) { head, buffers in
                            FusedAttentionKernel.head(q: pq + head * lq * d, k: pk + head * lk * d, v: pv + head * lk * dv,
                                                      out: po + head * lq * dv, queries: lq, keys: lk, depth: d, valueDepth: dv,
                                                      scale: scale, causalOffset: causal ? offset : nil, scratch: buffers[0])
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
                                        forEachHead(heads, scratch: block * lk, buffers: 2) { head, scratch in
                                            let P = scratch[0], dP = scratch[1]
                                            let kh = pk + head * lk * d, vh = pv + head * lk * dv
                                            var start = 0
                                            while start < lq {
                                                let rows = min(block, lq - start)
                                                let qb = pq + (head * lq + start) * d, gob = pg + (head * lq + start) * dv
                                                BLAS.gemm(qb, kh, P, m: rows, n: lk, k: d, transposeB: true, alpha: scale)
                                                softmaxRows(P, rows: rows, columns: lk, causalLimit: causal ? start + offset + 1 : nil)
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
