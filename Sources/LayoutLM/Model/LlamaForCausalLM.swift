import Foundation
import TensorCore

/// transformers' LlamaForCausalLM (REFERENCE 7): token embeddings, decoder
/// layers of RMSNorm -> rotary grouped-query causal self-attention -> residual,
/// RMSNorm -> SwiGLU MLP -> residual, a final RMSNorm and the LM head (or the
/// embedding matrix with `tie_word_embeddings`).
///
/// Parameter names are the checkpoint's: `model.embed_tokens.weight`,
/// `model.layers.N.self_attn.{q,k,v,o}_proj.weight`,
/// `model.layers.N.mlp.{gate,up,down}_proj.weight`,
/// `model.layers.N.{input,post_attention}_layernorm.weight`, `model.norm.weight`,
/// `lm_head.weight` (absent when tied).
///
/// Two entry points: `forward(ids:)` runs whole sequences (positions 0..<T,
/// autograd on, for training and scoring), `forward(ids:cache:)` runs the next
/// token(s) after those already in a `KVCache` (no gradients, for decoding).
public final class LlamaForCausalLM: Module, @unchecked Sendable {
    public let model: LlamaModel
    @Key("lm_head") public var lmHead: Linear?
    public let configuration: LlamaConfiguration

    /// A model initialised as transformers does (`_init_weights`): linear and
    /// embedding weights N(0, initializer_range²), biases 0, norm weights 1.
    public init(configuration: LlamaConfiguration, seed: UInt64 = 0) throws(LlamaError) {
        try configuration.validate()
        self.configuration = configuration
        var random = TensorRandom(seed: seed)
        model = LlamaModel(configuration, random: &random)
        super.init()
        _lmHead.wrappedValue = configuration.tieWordEmbeddings
            ? nil : Linear(configuration.hiddenSize, configuration.vocabSize, bias: false, random: &random)
        let std = configuration.initializerRange
        for (name, parameter) in namedParameters() {
            if name.hasSuffix("norm.weight") {
                parameter.assign([Float](repeating: 1, count: parameter.value.count))
            } else if name.hasSuffix(".bias") {
                parameter.assign([Float](repeating: 0, count: parameter.value.count))
            } else {
                parameter.assign(random.normal(shape: parameter.shape, std: std).scalars)
            }
        }
    }

    /// An empty cache for `forward(ids:cache:)`, one slot per layer.
    public func makeCache() -> KVCache { KVCache(layers: configuration.numHiddenLayers) }

    /// Logits [B, T, vocab_size] for a batch of equal-length sequences at
    /// positions 0..<T (right-padded rows are fine: causal attention never
    /// looks at the padding after a token). Records the autograd graph when
    /// gradients are on, so `logits.crossEntropy(targets:).backward()` trains it.
    /// The ids must pass `validate(ids:)` (a precondition).
    public func forward(ids: [[Int]]) -> Tensor {
        do { try validate(ids: ids) } catch { preconditionFailure("\(error)") }
        return run(ids, positionOffset: 0, cache: nil)
    }

    /// Logits [B, T, vocab_size] for `ids`, the T tokens that follow the
    /// `cache.length` tokens already in `cache` (positions offset by it); their
    /// keys and values are appended to the cache. No gradients are recorded.
    /// Feeding a sequence in pieces gives the logits `forward(ids:)` gives for
    /// the whole. The ids must pass `validate(ids:pastLength: cache.length)`.
    public func forward(ids: [[Int]], cache: KVCache) -> Tensor {
        precondition(cache.keys.count == configuration.numHiddenLayers,
                     "cache has \(cache.keys.count) layers, the model \(configuration.numHiddenLayers)")
        do { try validate(ids: ids, pastLength: cache.length) } catch { preconditionFailure("\(error)") }
        return withoutGradients { run(ids, positionOffset: cache.length, cache: cache) }
    }

    /// Throws unless `ids` is a non-empty batch of equal-length, non-empty rows
    /// of ids inside the vocabulary, that fits max_position_embeddings after
    /// `pastLength` cached tokens.
    public func validate(ids: [[Int]], pastLength: Int = 0) throws(LlamaError) {
        guard let length = ids.first?.count, length > 0 else { throw .invalidInput("empty batch or empty sequence") }
        guard ids.allSatisfy({ $0.count == length }) else { throw .invalidInput("rows have different lengths \(ids.map(\.count)) (pad them to one length)") }
        for row in ids {
            if let bad = row.first(where: { $0 < 0 || $0 >= configuration.vocabSize }) {
                throw .invalidInput("token id \(bad) is outside the vocabulary of \(configuration.vocabSize)")
            }
        }
        guard pastLength + length <= configuration.maxPositionEmbeddings else {
            throw .invalidInput("\(pastLength + length) positions exceed max_position_embeddings \(configuration.maxPositionEmbeddings)")
        }
    }

    func run(_ ids: [[Int]], positionOffset: Int, cache: KVCache?) -> Tensor {
        let batch = ids.count, length = ids[0].count
        let tables = Tensor.rotaryTables(positions: Array(positionOffset..<(positionOffset + length)),
                                         dimension: configuration.dimensionPerHead, theta: configuration.ropeTheta)
        var h = model.embedTokens(ids.flatMap { $0 }, shape: [batch, length])
        for (index, layer) in model.layers.enumerated() {
            h = layer(h, cos: tables.cos, sin: tables.sin, cache: cache, layer: index)
        }
        h = model.norm(h)
        if let lmHead { return lmHead(h) }
        return h.linear(weight: model.embedTokens.weight.value)
    }
}

/// `model.`: the decoder stack without the head.
public final class LlamaModel: Module, @unchecked Sendable {
    @Key("embed_tokens") public var embedTokens: Embedding
    public let layers: [LlamaDecoderLayer]
    public let norm: RMSNorm

    init(_ c: LlamaConfiguration, random: inout TensorRandom) {
        layers = (0..<c.numHiddenLayers).map { _ in LlamaDecoderLayer(c, random: &random) }
        norm = RMSNorm(c.hiddenSize, epsilon: c.rmsNormEps)
        super.init()
        _embedTokens.wrappedValue = Embedding(c.vocabSize, c.hiddenSize, random: &random)
    }
}

/// `model.layers.N.`: pre-norm attention and MLP blocks with residuals.
public final class LlamaDecoderLayer: Module, @unchecked Sendable {
    @Key("self_attn") public var selfAttention: LlamaAttention
    public let mlp: LlamaMLP
    @Key("input_layernorm") public var inputLayerNorm: RMSNorm
    @Key("post_attention_layernorm") public var postAttentionLayerNorm: RMSNorm

    init(_ c: LlamaConfiguration, random: inout TensorRandom) {
        mlp = LlamaMLP(c, random: &random)
        super.init()
        _selfAttention.wrappedValue = LlamaAttention(c, random: &random)
        _inputLayerNorm.wrappedValue = RMSNorm(c.hiddenSize, epsilon: c.rmsNormEps)
        _postAttentionLayerNorm.wrappedValue = RMSNorm(c.hiddenSize, epsilon: c.rmsNormEps)
    }

    public func callAsFunction(_ x: Tensor, cos: [Float], sin: [Float], cache: KVCache?, layer: Int) -> Tensor {
        let h = x + selfAttention(inputLayerNorm(x), cos: cos, sin: sin, cache: cache, layer: layer)
        return h + mlp(postAttentionLayerNorm(h))
    }
}

/// `self_attn.`: rotary grouped-query causal attention (key/value heads
/// repeated to the query heads, as transformers' repeat_kv does).
public final class LlamaAttention: Module, @unchecked Sendable {
    @Key("q_proj") public var queryProjection: Linear
    @Key("k_proj") public var keyProjection: Linear
    @Key("v_proj") public var valueProjection: Linear
    @Key("o_proj") public var outputProjection: Linear
    public let heads: Int
    public let keyValueHeads: Int
    public let headDimension: Int

    init(_ c: LlamaConfiguration, random: inout TensorRandom) {
        heads = c.numAttentionHeads
        keyValueHeads = c.keyValueHeads
        headDimension = c.dimensionPerHead
        super.init()
        let (hidden, d, bias) = (c.hiddenSize, c.dimensionPerHead, c.attentionBias)
        _queryProjection.wrappedValue = Linear(hidden, heads * d, bias: bias, random: &random)
        _keyProjection.wrappedValue = Linear(hidden, keyValueHeads * d, bias: bias, random: &random)
        _valueProjection.wrappedValue = Linear(hidden, keyValueHeads * d, bias: bias, random: &random)
        _outputProjection.wrappedValue = Linear(heads * d, hidden, bias: bias, random: &random)
    }

    public func callAsFunction(_ x: Tensor, cos: [Float], sin: [Float], cache: KVCache?, layer: Int) -> Tensor {
        let batch = x.shape[0], length = x.shape[1], d = headDimension
        func split(_ y: Tensor, _ count: Int) -> Tensor { y.reshaped([batch, length, count, d]).permuted([0, 2, 1, 3]) }
        let query = split(queryProjection(x), heads).rotary(cos: cos, sin: sin)
        var key = split(keyProjection(x), keyValueHeads).rotary(cos: cos, sin: sin)
        var value = split(valueProjection(x), keyValueHeads)
        if let cache { (key, value) = cache.append(layer: layer, key: key, value: value) }
        let groups = heads / keyValueHeads
        let attended = Tensor.attention(query: query, key: Self.repeatHeads(key, groups), value: Self.repeatHeads(value, groups), causal: true)
        return outputProjection(attended.permuted([0, 2, 1, 3]).reshaped([batch, length, heads * d]))
    }

    /// [B, Hkv, T, D] -> [B, Hkv·n, T, D], each head repeated n times in place (repeat_kv).
    static func repeatHeads(_ x: Tensor, _ n: Int) -> Tensor {
        if n == 1 { return x }
        let (b, h, t, d) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let rows = x.reshaped([b, h, 1, t * d])
        return Tensor.concatenate([Tensor](repeating: rows, count: n), axis: 2).reshaped([b, h * n, t, d])
    }
}

/// `mlp.`: down_proj(silu(gate_proj(x)) · up_proj(x)).
public final class LlamaMLP: Module, @unchecked Sendable {
    @Key("gate_proj") public var gateProjection: Linear
    @Key("up_proj") public var upProjection: Linear
    @Key("down_proj") public var downProjection: Linear

    init(_ c: LlamaConfiguration, random: inout TensorRandom) {
        super.init()
        _gateProjection.wrappedValue = Linear(c.hiddenSize, c.intermediateSize, bias: c.mlpBias, random: &random)
        _upProjection.wrappedValue = Linear(c.hiddenSize, c.intermediateSize, bias: c.mlpBias, random: &random)
        _downProjection.wrappedValue = Linear(c.intermediateSize, c.hiddenSize, bias: c.mlpBias, random: &random)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        downProjection(Tensor.swiglu(gate: gateProjection(x), up: upProjection(x)))
    }
}
