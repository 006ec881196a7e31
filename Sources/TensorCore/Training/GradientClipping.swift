/// Gradient clipping by global norm, as torch.nn.utils.clip_grad_norm_:
/// every gradient scaled by maxNorm / (norm + 1e-6) when that is below 1.
public enum GradientClipping {
    /// Returns the total norm before clipping.
    @discardableResult
    public static func clipNorm(_ parameters: [Parameter], maxNorm: Float) -> Float {
        var total: Double = 0
        for p in parameters { if let g = p.value.node?.grad { for v in g { total += Double(v) * Double(v) } } }
        let norm = Float(total.squareRoot())
        let coefficient = maxNorm / (norm + 1e-6)
        if coefficient < 1 {
            for p in parameters {
                guard let node = p.value.node, node.grad != nil else { continue }
                node.grad!.withUnsafeMutableBufferPointer { g in for i in 0..<g.count { g[i] *= coefficient } }
            }
        }
        return norm
    }
}
