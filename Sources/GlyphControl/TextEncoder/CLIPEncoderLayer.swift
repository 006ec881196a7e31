import TensorCore

/// transformers' CLIPEncoderLayer, pre-LayerNorm:
/// x + self_attn(layer_norm1(x)), then h + mlp(layer_norm2(h)).
public final class CLIPEncoderLayer: Module, @unchecked Sendable {
    @Key("self_attn") public var selfAttention: CLIPAttention
    @Key("layer_norm1") public var norm1: LayerNorm
    public let mlp: CLIPMLP
    @Key("layer_norm2") public var norm2: LayerNorm

    public init(_ config: CLIPTextConfig, activation: CLIPActivation, random: inout TensorRandom) {
        mlp = CLIPMLP(hidden: config.hiddenSize, intermediate: config.intermediateSize, activation: activation, random: &random)
        super.init()
        _selfAttention.wrappedValue = CLIPAttention(hidden: config.hiddenSize, heads: config.numAttentionHeads, random: &random)
        _norm1.wrappedValue = LayerNorm(config.hiddenSize, epsilon: config.layerNormEps)
        _norm2.wrappedValue = LayerNorm(config.hiddenSize, epsilon: config.layerNormEps)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let h = x + selfAttention(norm1(x), causal: true)
        return h + mlp(norm2(h))
    }
}
