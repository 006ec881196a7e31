import TensorCore

/// transformers' CLIPTextTransformer (the `text_model.` part of a
/// CLIPTextModel checkpoint): embeddings, the causal pre-LN encoder, the
/// final layer norm.
public final class CLIPTextTransformer: Module, @unchecked Sendable {
    public let embeddings: CLIPTextEmbeddings
    public let encoder: CLIPEncoder
    @Key("final_layer_norm") public var finalLayerNorm: LayerNorm

    public init(_ config: CLIPTextConfig, activation: CLIPActivation, random: inout TensorRandom) {
        embeddings = CLIPTextEmbeddings(config, random: &random)
        encoder = CLIPEncoder(config, activation: activation, random: &random)
        super.init()
        _finalLayerNorm.wrappedValue = LayerNorm(config.hiddenSize, epsilon: config.layerNormEps)
    }
}
