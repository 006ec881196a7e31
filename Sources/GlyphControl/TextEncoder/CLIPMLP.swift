import TensorCore

/// transformers' CLIPMLP: fc1, activation (quick GELU for OpenAI CLIP), fc2.
public final class CLIPMLP: Module, @unchecked Sendable {
    public let fc1: Linear
    public let fc2: Linear
    public let activation: CLIPActivation

    public init(hidden: Int, intermediate: Int, activation: CLIPActivation, random: inout TensorRandom) {
        fc1 = Linear(hidden, intermediate, random: &random)
        fc2 = Linear(intermediate, hidden, random: &random)
        self.activation = activation
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { fc2(activation(fc1(x))) }
}
