/// Keys and values of the tokens decoded so far, per layer, so each new token
/// attends to the past without recomputing it (what transformers' DynamicCache
/// holds). Layout [B, H, T, D]; appending grows T.
public final class KVCache: @unchecked Sendable {
    public private(set) var keys: [Tensor?]
    public private(set) var values: [Tensor?]

    public init(layers: Int) {
        keys = [Tensor?](repeating: nil, count: layers)
        values = [Tensor?](repeating: nil, count: layers)
    }

    /// Tokens cached so far (0 before the first step).
    public var length: Int { keys.first??.shape[2] ?? 0 }

    /// Adds this step's keys and values for `layer` and returns the whole history.
    public func append(layer: Int, key: Tensor, value: Tensor) -> (key: Tensor, value: Tensor) {
        let k = keys[layer].map { Self.appendTime($0, key) } ?? key.detached()
        let v = values[layer].map { Self.appendTime($0, value) } ?? value.detached()
        keys[layer] = k
        values[layer] = v
        return (k, v)
    }

    /// [B, H, T1, D] ++ [B, H, T2, D] along T, without autograd (decoding only).
    static func appendTime(_ a: Tensor, _ b: Tensor) -> Tensor {
        withoutGradients { Tensor.concatenate([a, b.detached()], axis: 2) }
    }

    public func reset() {
        keys = keys.map { _ in nil }
        values = values.map { _ in nil }
    }
}
