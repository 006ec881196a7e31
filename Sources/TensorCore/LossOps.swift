import Foundation

/// Training losses and dropout: mean squared error (torch.nn.functional.mse_loss),
/// cross-entropy over the last axis with ignored targets
/// (torch.nn.functional.cross_entropy, ignore_index), dropout with a seeded mask.
extension Tensor {
    public static func meanSquaredError(_ prediction: Tensor, _ target: Tensor) -> Tensor {
        precondition(prediction.shape == target.shape, "MSE shapes differ: \(prediction.shape) vs \(target.shape)")
        return (prediction - target).squared().mean()
    }

    /// Mean cross-entropy of `self` [..., V] logits against `targets` (one per
    /// row); rows whose target is `ignoreIndex` count for nothing.
    public func crossEntropy(targets: [Int], ignoreIndex: Int = -100) -> Tensor {
        let v = shape.last!, rows = count / v
        precondition(targets.count == rows, "cross-entropy: \(targets.count) targets for \(rows) rows")
        var probabilities = [Float](repeating: 0, count: count)
        var total: Double = 0
        var counted = 0
        scalars.withUnsafeBufferPointer { x in
            probabilities.withUnsafeMutableBufferPointer { p in
                for r in 0..<rows {
                    Tensor.softmaxRow(x.baseAddress! + r * v, p.baseAddress! + r * v, v)
                    let t = targets[r]
                    if t == ignoreIndex { continue }
                    precondition(t >= 0 && t < v, "cross-entropy target \(t) outside 0..<\(v)")
                    // log-softmax directly, stable for tiny probabilities.
                    var m = -Float.infinity
                    for j in 0..<v { m = max(m, x[r * v + j]) }
                    var s: Double = 0
                    for j in 0..<v { s += Foundation.exp(Double(x[r * v + j] - m)) }
                    total -= Double(x[r * v + t] - m) - Foundation.log(s)
                    counted += 1
                }
            }
        }
        let loss = counted > 0 ? Float(total / Double(counted)) : 0
        let p = probabilities
        return .result(shape: [], scalars: [loss], inputs: [self]) { grad in
            var g = [Float](repeating: 0, count: p.count)
            guard counted > 0 else { return [g] }
            let scale = grad[0] / Float(counted)
            for r in 0..<rows where targets[r] != ignoreIndex {
                for j in 0..<v { g[r * v + j] = p[r * v + j] * scale }
                g[r * v + targets[r]] -= scale
            }
            return [g]
        }
    }

    /// Zeroes each element with probability `p` and scales the rest by 1/(1−p).
    public func dropout(_ p: Float, random: inout TensorRandom) -> Tensor {
        precondition((0..<1).contains(p), "dropout probability must be in [0, 1)")
        if p == 0 { return self }
        let keep = 1 / (1 - p)
        var mask = [Float](repeating: 0, count: count)
        for i in 0..<count { mask[i] = random.uniform() >= p ? keep : 0 }
        return self * Tensor(shape: shape, scalars: mask)
    }
}
