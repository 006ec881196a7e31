import Foundation

/// AdamW with decoupled weight decay, step for step as torch.optim.AdamW
/// (weight decay applied first, bias-corrected moments, eps added after the
/// square root). Moments are kept per parameter in declaration order, so they
/// save and resume by parameter name.
public final class AdamW: @unchecked Sendable {
    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var weightDecay: Float
    public private(set) var step = 0
    public let parameters: [(String, Parameter)]
    var firstMoments: [[Float]]
    var secondMoments: [[Float]]
    /// Each parameter's multiple of `learningRate` (torch's parameter groups with their own lr); 1 unless set.
    public private(set) var learningRateScales: [Float]

    public init(_ parameters: [(String, Parameter)], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0.01) {
        self.parameters = parameters.filter { $0.1.isTrainable }
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        firstMoments = self.parameters.map { [Float](repeating: 0, count: $0.1.value.count) }
        secondMoments = firstMoments
        learningRateScales = [Float](repeating: 1, count: self.parameters.count)
    }

    /// Gives the parameters whose names match `scale` times the learning rate
    /// (and weight decay in proportion), as a torch parameter group would:
    /// freshly added layers can learn faster than a trained model around them.
    public func setLearningRateScale(_ scale: Float, where matches: (String) -> Bool) {
        for (index, (name, _)) in parameters.enumerated() where matches(name) { learningRateScales[index] = scale }
    }

    /// One update from the gradients `backward()` collected; parameters
    /// without a gradient are left alone. Clears the gradients.
    public func update() {
        step += 1
        let correction1 = 1 - Foundation.pow(beta1, Float(step))
        let correction2Root = (1 - Foundation.pow(beta2, Float(step))).squareRoot()
        for (index, (_, parameter)) in parameters.enumerated() {
            guard let grad = parameter.value.node?.grad else { continue }
            let rate = learningRate * learningRateScales[index]
            let stepSize = rate / correction1
            let decay = 1 - rate * weightDecay
            var values = parameter.value.scalars
            let (b1, b2, eps) = (beta1, beta2, epsilon)
            firstMoments[index].withUnsafeMutableBufferPointer { m in
                secondMoments[index].withUnsafeMutableBufferPointer { v in
                    values.withUnsafeMutableBufferPointer { p in
                        grad.withUnsafeBufferPointer { g in
                            Parallel.chunks(p.count) { range in
                                for i in range {
                                    p[i] *= decay
                                    m[i] = b1 * m[i] + (1 - b1) * g[i]
                                    v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                                    p[i] -= stepSize * m[i] / (v[i].squareRoot() / correction2Root + eps)
                                }
                            }
                        }
                    }
                }
            }
            parameter.assign(values)
        }
    }

    /// The optimiser's state by name: `exp_avg.<param>`, `exp_avg_sq.<param>` (torch's names).
    public func state() -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (index, (name, parameter)) in parameters.enumerated() {
            out["exp_avg.\(name)"] = Tensor(shape: parameter.shape, scalars: firstMoments[index])
            out["exp_avg_sq.\(name)"] = Tensor(shape: parameter.shape, scalars: secondMoments[index])
        }
        return out
    }

    public func restore(state: [String: Tensor], step: Int) throws(ModuleLoadError) {
        var missing: [String] = []
        for (index, (name, parameter)) in parameters.enumerated() {
            guard let m = state["exp_avg.\(name)"], let v = state["exp_avg_sq.\(name)"],
                  m.count == parameter.value.count, v.count == parameter.value.count else { missing.append(name); continue }
            firstMoments[index] = m.scalars
            secondMoments[index] = v.scalars
        }
        if !missing.isEmpty { throw ModuleLoadError(missing: missing.map { "optimizer state of \($0)" }, unexpected: [], mismatched: []) }
        self.step = step
    }
}
