import TensorCore

/// transformers' CLIPEncoder: the stack of encoder layers (`encoder.layers.N`).
public final class CLIPEncoder: Module, @unchecked Sendable {
    public let layers: [CLIPEncoderLayer]

    public init(_ config: CLIPTextConfig, activation: CLIPActivation, random: inout TensorRandom) {
        layers = (0..<config.numHiddenLayers).map { _ in CLIPEncoderLayer(config, activation: activation, random: &random) }
    }
}
