import Foundation

/// Seeded random numbers for initialisation, noise and dropout
/// (xoshiro256**, seeded through SplitMix64): the same seed gives the same
/// stream on every machine; the state can be saved in a checkpoint and resumed.
public struct TensorRandom: Sendable, Codable, Equatable {
    public private(set) var state: [UInt64]

    public init(seed: UInt64) {
        var s = seed
        state = (0..<4).map { _ in
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    mutating func restore(_ words: [UInt64]) { state = words }

    public mutating func next() -> UInt64 {
        let result = ((state[1] &* 5) << 7 | (state[1] &* 5) >> 57) &* 9
        let t = state[1] << 17
        state[2] ^= state[0]; state[3] ^= state[1]; state[1] ^= state[2]; state[0] ^= state[3]
        state[2] ^= t
        state[3] = state[3] << 45 | state[3] >> 19
        return result
    }

    /// Uniform in [0, 1).
    public mutating func uniform() -> Float { Float(next() >> 40) * 0x1.0p-24 }

    /// Standard normal (Box-Muller in Double).
    public mutating func normal() -> Float {
        let u1 = max(Double(next() >> 11) * 0x1.0p-53, 0x1.0p-60), u2 = Double(next() >> 11) * 0x1.0p-53
        return Float((-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
    }

    public mutating func normal(shape: [Int], mean: Float = 0, std: Float = 1) -> Tensor {
        if ParameterInitialisation.isSkipped { return Tensor(zeros: shape) }
        return Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in mean + std * normal() })
    }

    public mutating func uniform(shape: [Int], in range: ClosedRange<Float>) -> Tensor {
        if ParameterInitialisation.isSkipped { return Tensor(zeros: shape) }
        return Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in range.lowerBound + (range.upperBound - range.lowerBound) * uniform() })
    }
}
