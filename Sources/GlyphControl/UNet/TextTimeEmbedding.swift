import TensorCore

/// diffusers `AttentionPooling` (from DeepFloyd IF): a class token (the mean
/// of the sequence plus a learnt `positional_embedding`) attends over itself
/// and the sequence; heads of embed_dim / num_heads, scale 1/sqrt(head dim),
/// no output projection, no padding mask. Gives one vector per caption.
final class AttentionPooling: Module, @unchecked Sendable {
    @Key("positional_embedding") var positionalEmbedding: Parameter
    @Key("k_proj") var key: Linear
    @Key("q_proj") var query: Linear
    @Key("v_proj") var value: Linear
    let heads: Int

    init(heads: Int, dimension: Int, random: inout TensorRandom) {
        self.heads = heads
        super.init()
        _positionalEmbedding.wrappedValue = Parameter(random.normal(shape: [1, dimension], std: 1 / Float(dimension).squareRoot()))
        _key.wrappedValue = Linear(dimension, dimension, random: &random)
        _query.wrappedValue = Linear(dimension, dimension, random: &random)
        _value.wrappedValue = Linear(dimension, dimension, random: &random)
    }

    /// x [B, S, D] -> [B, D].
    func callAsFunction(_ x: Tensor) -> Tensor {
        let (b, s, d) = (x.shape[0], x.shape[1], x.shape[2])
        let classToken = x.mean(axis: 1, keepingDimension: true) + positionalEmbedding.value
        let tokens = Tensor.concatenate([classToken, x], axis: 1)
        func split(_ t: Tensor, _ length: Int) -> Tensor {
            t.reshaped([b, length, heads, d / heads]).permuted([0, 2, 1, 3])
        }
        let pooled = Tensor.attention(query: split(query(classToken), 1), key: split(key(tokens), s + 1),
                                      value: split(value(tokens), s + 1))
        return pooled.permuted([0, 2, 1, 3]).reshaped([b, d])
    }
}

/// diffusers `TextTimeEmbedding` (`addition_embed_type: "text"`): LayerNorm,
/// attention pooling, a projection to the time-embedding width, LayerNorm.
/// The UNet adds it to the time embedding, so every ResNet block sees the
/// whole caption (GLIDE's and Imagen's pooled-text conditioning): global
/// properties such as the background colour get a direct path.
final class TextTimeEmbedding: Module, @unchecked Sendable {
    @Key("norm1") var inputNorm: LayerNorm
    @Key("pool") var pool: AttentionPooling
    @Key("proj") var projection: Linear
    @Key("norm2") var outputNorm: LayerNorm

    init(contextDimension: Int, timeDimension: Int, heads: Int, random: inout TensorRandom) {
        super.init()
        _inputNorm.wrappedValue = LayerNorm(contextDimension)
        _pool.wrappedValue = AttentionPooling(heads: heads, dimension: contextDimension, random: &random)
        _projection.wrappedValue = Linear(contextDimension, timeDimension, random: &random)
        _outputNorm.wrappedValue = LayerNorm(timeDimension)
    }

    /// context [B, S, D] -> [B, time width].
    func callAsFunction(_ context: Tensor) -> Tensor {
        outputNorm(projection(pool(inputNorm(context))))
    }
}
