import Foundation

/// Softmax over the last axis (torch.softmax(x, dim=-1)), computed stably.
extension Tensor {
    public func softmax() -> Tensor {
        let n = shape.last ?? 1, rows = count / max(1, n)
        var out = [Float](repeating: 0, count: count)
        scalars.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { y in
                Parallel.chunks(rows, minimumPerChunk: max(1, 16_384 / max(1, n))) { range in
                    for r in range { Self.softmaxRow(x.baseAddress! + r * n, y.baseAddress! + r * n, n) }
                }
            }
        }
        let y = out
        return .result(shape: shape, scalars: out, inputs: [self]) { grad in
            var g = [Float](repeating: 0, count: y.count)
            for r in 0..<rows {
                var dot: Float = 0
                for j in 0..<n { dot += grad[r * n + j] * y[r * n + j] }
                for j in 0..<n { g[r * n + j] = y[r * n + j] * (grad[r * n + j] - dot) }
            }
            return [g]
        }
    }

    /// One row's softmax into y (x and y may be the same buffer); a row of
    /// -inf comes out all zeros.
    @inline(__always)
    static func softmaxRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        let m = FastMath.maximum(x, n)
        if m == -.infinity { for j in 0..<n { y[j] = 0 }; return }
        let inv = 1 / FastMath.expShifted(x, y, n, shift: m)
        for j in 0..<n { y[j] *= inv }
    }
}
