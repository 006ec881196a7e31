import COpenBLAS

/// Matrix products through OpenBLAS sgemm: batched matmul (torch.matmul for
/// [..., M, K] x [..., K, N] with equal batches, or a shared right matrix) and
/// linear layers (torch.nn.functional.linear: x W^T + b).
public enum BLAS {
    /// C[M,N] = alpha * op(A) op(B) + beta * C, row-major.
    static func gemm(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                     m: Int, n: Int, k: Int, transposeA: Bool = false, transposeB: Bool = false, alpha: Float = 1, beta: Float = 0) {
        if m == 1 && !transposeA {
            // One row (decoding a token): a matrix-vector product; sgemm would repack all of B every call.
            if transposeB {
                TeamGemm.sgemv(transposed: false, rows: n, columns: k, alpha: alpha, b, lda: k, a, beta: beta, c)
            } else {
                TeamGemm.sgemv(transposed: true, rows: k, columns: n, alpha: alpha, b, lda: n, a, beta: beta, c)
            }
            return
        }
        TeamGemm.sgemm(a, lda: transposeA ? m : k, b, ldb: transposeB ? k : n, c, ldc: n, m: m, n: n, k: k,
                       transposeA: transposeA, transposeB: transposeB, alpha: alpha, beta: beta)
    }

    /// Sets OpenBLAS's thread count (it defaults to every core).
    public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }

    /// Runs `body` with OpenBLAS on one thread, for work we split over the
    /// cores ourselves: OpenBLAS's idle threads spin and would steal the cores.
    /// (With the thread team on, OpenBLAS is always on one thread; asking first also keeps this block from
    /// restoring two threads after the team's first product set one.)
    static func singleThreaded<T>(_ body: () -> T) -> T {
        if TeamGemm.enabled { return body() }
        let previous = openblas_get_num_threads()
        if previous == 1 { return body() }
        openblas_set_num_threads(1)
        defer { openblas_set_num_threads(previous) }
        return body()
    }
}

extension Tensor {
    /// Batched matrix product. `self` is [..., M, K]; `other` is [..., K, N]
    /// with the same leading dimensions, or a plain [K, N] shared by every batch.
    public func matmul(_ other: Tensor) -> Tensor {
        precondition(rank >= 2 && other.rank >= 2, "matmul needs matrices, got \(shape) and \(other.shape)")
        let m = shape[rank - 2], k = shape[rank - 1], n = other.shape[other.rank - 1]
        precondition(other.shape[other.rank - 2] == k, "matmul inner dimensions differ: \(shape) x \(other.shape)")
        let shared = other.rank == 2
        precondition(shared || Array(shape.dropLast(2)) == Array(other.shape.dropLast(2)), "matmul batch dimensions differ: \(shape) x \(other.shape)")
        let batch = shape.dropLast(2).reduce(1, *)
        if shared {
            // One big product: [batch*M, K] x [K, N].
            let out = Self.product(scalars, other.scalars, m: batch * m, n: n, k: k)
            let a = self, b = other
            return .result(shape: Array(shape.dropLast()) + [n], scalars: out, inputs: [self, other]) { grad in
                [a.node == nil ? nil : Self.product(grad, b.scalars, m: batch * m, n: k, k: n, transposeB: true),
                 b.node == nil ? nil : Self.product(a.scalars, grad, m: k, n: n, k: batch * m, transposeA: true)]
            }
        }
        var out = [Float](repeating: 0, count: batch * m * n)
        Self.batched(scalars, other.scalars, &out, batch: batch, m: m, n: n, k: k)
        let a = self, b = other
        return .result(shape: Array(shape.dropLast()) + [n], scalars: out, inputs: [self, other]) { grad in
            var ga: [Float]? = nil, gb: [Float]? = nil
            if a.node != nil {
                var g = [Float](repeating: 0, count: batch * m * k)
                Self.batched(grad, b.scalars, &g, batch: batch, m: m, n: k, k: n, transposeB: true)
                ga = g
            }
            if b.node != nil {
                var g = [Float](repeating: 0, count: batch * k * n)
                Self.batched(a.scalars, grad, &g, batch: batch, m: k, n: n, k: m, transposeA: true)
                gb = g
            }
            return [ga, gb]
        }
    }

    /// A·B (either transposed) into a new buffer. With `rowBias`, every row of
    /// the result starts as that bias and the product is added to it (sgemm's
    /// beta 1), so a linear layer's bias costs no pass of its own; without it
    /// the buffer is left uninitialised for sgemm (beta 0) to write, not zeroed
    /// first.
    static func product(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, transposeA: Bool = false, transposeB: Bool = false,
                        rowBias: [Float]? = nil) -> [Float] {
        if m == 0 || n == 0 { return [] }
        return [Float](unsafeUninitializedCapacity: m * n) { pc, initialised in
            let c = pc.baseAddress!
            if rowBias == nil && (k == 0 || m == 1) {
                // Nothing to add up, or a single row for sgemv, whose beta-0 handling of y differs across OpenBLAS versions.
                c.initialize(repeating: 0, count: m * n)
            }
            if let rowBias {
                precondition(rowBias.count == n, "row bias has \(rowBias.count) values for \(n) columns")
                rowBias.withUnsafeBufferPointer { bias in
                    nonisolated(unsafe) let (c, bias) = (c, bias.baseAddress!)
                    Parallel.chunks(m, minimumPerChunk: max(1, 65_536 / n)) { rows in
                        for r in rows { (c + r * n).update(from: bias, count: n) }
                    }
                }
            }
            if k > 0 {
                a.withUnsafeBufferPointer { pa in
                    b.withUnsafeBufferPointer { pb in
                        BLAS.gemm(pa.baseAddress!, pb.baseAddress!, c, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB,
                                  beta: rowBias == nil ? 0 : 1)
                    }
                }
            }
            initialised = m * n
        }
    }

    static func batched(_ a: [Float], _ b: [Float], _ c: inout [Float], batch: Int, m: Int, n: Int, k: Int,
                        transposeA: Bool = false, transposeB: Bool = false) {
        if m == 0 || n == 0 || k == 0 { return }
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    for i in 0..<batch {
                        BLAS.gemm(pa.baseAddress! + i * m * k, pb.baseAddress! + i * k * n, pc.baseAddress! + i * m * n,
                                  m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB)
                    }
                }
            }
        }
    }

    /// x W^T + b with W [out, in] as checkpoints store it (torch.nn.Linear).
    public func linear(weight: Tensor, bias: Tensor? = nil) -> Tensor {
        precondition(weight.rank == 2 && shape.last == weight.shape[1], "linear: input \(shape) does not match weight \(weight.shape)")
        let rows = count / weight.shape[1], outFeatures = weight.shape[0], inFeatures = weight.shape[1]
        if let bias { precondition(bias.shape == [outFeatures], "linear: bias \(bias.shape) does not match \(outFeatures) outputs") }
        let out = Self.product(scalars, weight.scalars, m: rows, n: outFeatures, k: inFeatures, transposeB: true, rowBias: bias?.scalars)
        let x = self, w = weight
        let inputs = bias.map { [self, weight, $0] } ?? [self, weight]
        return .result(shape: Array(shape.dropLast()) + [outFeatures], scalars: out, inputs: inputs) { grad in
            var grads: [[Float]?] = [
                x.node == nil ? nil : Self.product(grad, w.scalars, m: rows, n: inFeatures, k: outFeatures),
                w.node == nil ? nil : Self.product(grad, x.scalars, m: outFeatures, n: inFeatures, k: rows, transposeA: true),
            ]
            if bias != nil {
                var gb = [Float](repeating: 0, count: outFeatures)
                for r in 0..<rows { for j in 0..<outFeatures { gb[j] += grad[r * outFeatures + j] } }
                grads.append(gb)
            }
            return grads
        }
    }
}
