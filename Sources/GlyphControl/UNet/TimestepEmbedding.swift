import Foundation
import TensorCore

/// diffusers `get_timestep_embedding` (the `Timesteps` module): sinusoids of
/// t · exp(−ln(max_period) · i / (half − freq_shift)), [sin, cos] or, with
/// flip_sin_to_cos, [cos, sin].
enum SinusoidalTimesteps {
    static func embed(_ timesteps: [Float], dimension: Int, flipSinToCos: Bool, frequencyShift: Float, maxPeriod: Float = 10_000) -> Tensor {
        let half = dimension / 2
        var out = [Float](repeating: 0, count: timesteps.count * dimension)
        for (row, t) in timesteps.enumerated() {
            for i in 0..<half {
                // Float32 throughout, as torch computes it.
                let exponent = -Foundation.log(maxPeriod) * Float(i) / (Float(half) - frequencyShift)
                let angle = t * Foundation.exp(exponent)
                let (s, c) = (Foundation.sin(angle), Foundation.cos(angle))
                out[row * dimension + i] = flipSinToCos ? c : s
                out[row * dimension + half + i] = flipSinToCos ? s : c
            }
        }
        return Tensor(shape: [timesteps.count, dimension], scalars: out)
    }
}

/// diffusers `TimestepEmbedding`: linear_1 -> SiLU -> linear_2.
final class TimestepEmbedding: Module, @unchecked Sendable {
    @Key("linear_1") var first: Linear
    @Key("linear_2") var second: Linear

    init(inChannels: Int, dimension: Int, random: inout TensorRandom) {
        super.init()
        _first.wrappedValue = Linear(inChannels, dimension, random: &random)
        _second.wrappedValue = Linear(dimension, dimension, random: &random)
    }

    func callAsFunction(_ x: Tensor) -> Tensor { second(first(x).silu()) }
}
