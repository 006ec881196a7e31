import TensorCore

/// transformers' CLIPTextEmbeddings: token embedding plus learned absolute
/// position embedding (positions 0..<L).
public final class CLIPTextEmbeddings: Module, @unchecked Sendable {
    @Key("token_embedding") public var tokenEmbedding: Embedding
    @Key("position_embedding") public var positionEmbedding: Embedding

    public init(_ config: CLIPTextConfig, random: inout TensorRandom) {
        super.init()
        _tokenEmbedding.wrappedValue = Embedding(config.vocabSize, config.hiddenSize, random: &random)
        _positionEmbedding.wrappedValue = Embedding(config.maxPositionEmbeddings, config.hiddenSize, random: &random)
    }

    /// [B, L] ids (flattened, row-major) to [B, L, hidden].
    public func callAsFunction(_ ids: [Int], batch: Int, length: Int) -> Tensor {
        tokenEmbedding(ids, shape: [batch, length]) + positionEmbedding(Array(0..<length), shape: [length])
    }
}
