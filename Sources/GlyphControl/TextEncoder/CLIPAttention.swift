import TensorCore

/// transformers' CLIPAttention as the text encoder uses it: multi-head
/// self-attention with q/k/v/out projections (with biases), scale
/// head_dim^-0.5, causal mask.
public final class CLIPAttention: Module, @unchecked Sendable {
    @Key("q_proj") public var query: Linear
    @Key("k_proj") public var key: Linear
    @Key("v_proj") public var value: Linear
    @Key("out_proj") public var output: Linear
    public let heads: Int

    public init(hidden: Int, heads: Int, random: inout TensorRandom) {
        self.heads = heads
        super.init()
        _query.wrappedValue = Linear(hidden, hidden, random: &random)
        _key.wrappedValue = Linear(hidden, hidden, random: &random)
        _value.wrappedValue = Linear(hidden, hidden, random: &random)
        _output.wrappedValue = Linear(hidden, hidden, random: &random)
    }

    /// [B, L, hidden] -> [B, L, hidden].
    public func callAsFunction(_ x: Tensor, causal: Bool = true) -> Tensor {
        let (b, l, d) = (x.shape[0], x.shape[1], x.shape[2])
        func split(_ t: Tensor) -> Tensor { t.reshaped([b, l, heads, d / heads]).permuted([0, 2, 1, 3]) }
        let attended = Tensor.attention(query: split(query(x)), key: split(key(x)), value: split(value(x)), causal: causal)
        return output(attended.permuted([0, 2, 1, 3]).reshaped([b, l, d]))
    }
}
