import TensorCore

/// diffusers `Attention` as SD uses it: to_q/to_k/to_v without bias, to_out.0
/// with bias, heads of `headDimension`, scale 1/sqrt(headDimension). Self-attention
/// when no context is given, cross-attention over `context` otherwise.
final class Attention: Module, @unchecked Sendable {
    @Key("to_q") var query: Linear
    @Key("to_k") var key: Linear
    @Key("to_v") var value: Linear
    @Key("to_out") var output: [Linear]
    let heads: Int

    init(dimension: Int, contextDimension: Int?, heads: Int, headDimension: Int, random: inout TensorRandom) {
        let inner = heads * headDimension
        self.heads = heads
        super.init()
        _query.wrappedValue = Linear(dimension, inner, bias: false, random: &random)
        _key.wrappedValue = Linear(contextDimension ?? dimension, inner, bias: false, random: &random)
        _value.wrappedValue = Linear(contextDimension ?? dimension, inner, bias: false, random: &random)
        _output.wrappedValue = [Linear(inner, dimension, random: &random)]
    }

    /// x [B, L, dimension], context [B, S, contextDimension] or nil.
    func callAsFunction(_ x: Tensor, context: Tensor? = nil) -> Tensor {
        let source = context ?? x
        let (b, l, s) = (x.shape[0], x.shape[1], source.shape[1])
        func split(_ t: Tensor, _ length: Int) -> Tensor {
            t.reshaped([b, length, heads, t.shape[2] / heads]).permuted([0, 2, 1, 3])
        }
        let attended = Tensor.attention(query: split(query(x), l), key: split(key(source), s), value: split(value(source), s))
        let merged = attended.permuted([0, 2, 1, 3]).reshaped([b, l, heads * attended.shape[3]])
        return output[0](merged)
    }
}

/// diffusers `FeedForward` with GEGLU: net.0.proj (dim -> 2·4·dim), value · gelu(gate), net.2 (4·dim -> dim).
final class FeedForward: Module, @unchecked Sendable {
    let net: [Module]

    init(dimension: Int, random: inout TensorRandom) {
        net = [GEGLUProjection(dimension, dimension * 4, random: &random), Dropout(), Linear(dimension * 4, dimension, random: &random)]
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        (net[2] as! Linear)((net[0] as! GEGLUProjection)(x))
    }
}

/// diffusers `GEGLU`: one projection to twice the width, split into value and gate.
final class GEGLUProjection: Module, @unchecked Sendable {
    let proj: Linear
    init(_ input: Int, _ output: Int, random: inout TensorRandom) { proj = Linear(input, output * 2, random: &random) }
    func callAsFunction(_ x: Tensor) -> Tensor { proj(x).geglu() }
}

/// A parameterless slot (dropout at inference), kept so indices match the checkpoint (`net.2`).
final class Dropout: Module, @unchecked Sendable {}

/// diffusers `BasicTransformerBlock` (layer_norm, GEGLU): self-attention,
/// cross-attention, feed-forward, each pre-normed with a residual.
final class BasicTransformerBlock: Module, @unchecked Sendable {
    let norm1: LayerNorm, attn1: Attention, norm2: LayerNorm, attn2: Attention, norm3: LayerNorm, ff: FeedForward

    init(dimension: Int, heads: Int, headDimension: Int, contextDimension: Int, random: inout TensorRandom) {
        norm1 = LayerNorm(dimension)
        attn1 = Attention(dimension: dimension, contextDimension: nil, heads: heads, headDimension: headDimension, random: &random)
        norm2 = LayerNorm(dimension)
        attn2 = Attention(dimension: dimension, contextDimension: contextDimension, heads: heads, headDimension: headDimension, random: &random)
        norm3 = LayerNorm(dimension)
        ff = FeedForward(dimension: dimension, random: &random)
    }

    func callAsFunction(_ x: Tensor, context: Tensor) -> Tensor {
        var h = attn1(norm1(x)) + x
        h = attn2(norm2(h), context: context) + h
        return ff(norm3(h)) + h
    }
}

/// diffusers `Transformer2DModel` (continuous input): GroupNorm (eps 1e-6),
/// proj_in (1x1 conv, or Linear with use_linear_projection), transformer
/// blocks over the H·W tokens, proj_out, plus the residual.
final class Transformer2DModel: Module, @unchecked Sendable {
    let norm: GroupNorm
    @Key("proj_in") var projectIn: Module
    @Key("transformer_blocks") var blocks: [BasicTransformerBlock]
    @Key("proj_out") var projectOut: Module
    let linearProjection: Bool

    init(channels: Int, heads: Int, contextDimension: Int, layers: Int, groups: Int, linearProjection: Bool, random: inout TensorRandom) {
        let headDimension = channels / heads
        norm = GroupNorm(groups: groups, channels: channels, epsilon: 1e-6)
        self.linearProjection = linearProjection
        super.init()
        _projectIn.wrappedValue = linearProjection ? Linear(channels, channels, random: &random) as Module
            : Conv2d(channels, channels, kernel: 1, random: &random)
        _blocks.wrappedValue = (0..<layers).map { _ in
            BasicTransformerBlock(dimension: channels, heads: heads, headDimension: headDimension, contextDimension: contextDimension, random: &random)
        }
        _projectOut.wrappedValue = linearProjection ? Linear(channels, channels, random: &random) as Module
            : Conv2d(channels, channels, kernel: 1, random: &random)
    }

    func callAsFunction(_ x: Tensor, context: Tensor) -> Tensor {
        let (b, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        var tokens: Tensor
        let normed = norm(x)
        if linearProjection {
            tokens = (projectIn as! Linear)(normed.reshaped([b, c, h * w]).transposed(1, 2))
        } else {
            tokens = (projectIn as! Conv2d)(normed).reshaped([b, c, h * w]).transposed(1, 2)
        }
        for block in blocks { tokens = block(tokens, context: context) }
        let out: Tensor
        if linearProjection {
            out = (projectOut as! Linear)(tokens).transposed(1, 2).reshaped([b, c, h, w])
        } else {
            out = (projectOut as! Conv2d)(tokens.transposed(1, 2).reshaped([b, c, h, w]))
        }
        return out + x
    }
}
