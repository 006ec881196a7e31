import TensorCore

/// Which training timesteps are drawn more often: diffusers'
/// `--timestep_bias_strategy` (train_text_to_image_sdxl.py,
/// `generate_timestep_weights`): every timestep weighs 1, the first
/// (`earlier`) or last (`later`) `portion` of them weigh `multiplier`.
/// `later` trains the high-noise end harder, where a pixel-space model must
/// learn to ignore the noise and decide the colours from the caption alone
/// (MODEL_CARD: the default model kept the first noise's low frequencies as a
/// colour patchwork).
public struct TimestepBias: Sendable, Equatable {
    public enum Strategy: String, Sendable, CaseIterable {
        case none, earlier, later
    }

    public var strategy: Strategy
    public var multiplier: Float
    public var portion: Float

    /// diffusers' defaults: no bias; multiplier 1, portion 0.25 when a strategy is named.
    public init(strategy: Strategy = .none, multiplier: Float = 1, portion: Float = 0.25) {
        self.strategy = strategy
        self.multiplier = multiplier
        self.portion = portion
    }

    /// The normalised weight of each of `count` timesteps.
    public func weights(count: Int) -> [Float] {
        var weights = [Float](repeating: 1, count: count)
        let biased = Int(portion * Float(count))
        switch strategy {
        case .none: return weights.map { $0 / Float(count) }
        case .earlier: for t in 0..<min(biased, count) { weights[t] *= multiplier }
        case .later: for t in max(0, count - biased)..<count { weights[t] *= multiplier }
        }
        let total = weights.reduce(0, +)
        return weights.map { $0 / total }
    }

    /// Draws one timestep in `0..<count`. Without a bias this is the uniform
    /// draw the trainer always made (`next() % count`), so unbiased runs and
    /// their checkpoints are unchanged.
    public func draw(count: Int, random: inout TensorRandom) -> Int {
        guard strategy != .none, multiplier != 1 else { return Int(random.next() % UInt64(count)) }
        let u = random.uniform()
        var cumulative: Float = 0
        for (t, w) in weights(count: count).enumerated() {
            cumulative += w
            if u < cumulative { return t }
        }
        return count - 1
    }
}
