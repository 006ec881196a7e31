/// The standard layers with PyTorch's parameter names (`weight`, `bias`) and
/// initialisation (Kaiming-uniform weights, as torch.nn.Linear / Conv2d reset them).
public final class Linear: Module, @unchecked Sendable {
    public let weight: Parameter
    public let bias: Parameter?

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, random: inout TensorRandom) {
        let bound = 1 / Float(inFeatures).squareRoot()
        weight = Parameter(random.uniform(shape: [outFeatures, inFeatures], in: -bound...bound))
        self.bias = bias ? Parameter(random.uniform(shape: [outFeatures], in: -bound...bound)) : nil
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { x.linear(weight: weight.value, bias: bias?.value) }
}

public final class Conv2d: Module, @unchecked Sendable {
    public let weight: Parameter
    public let bias: Parameter?
    public let stride: Int
    public let padding: Int

    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0, bias: Bool = true,
                zeroInitialised: Bool = false, random: inout TensorRandom) {
        let fanIn = inChannels * kernel * kernel
        let bound = zeroInitialised ? 0 : 1 / Float(fanIn).squareRoot()
        weight = Parameter(random.uniform(shape: [outChannels, inChannels, kernel, kernel], in: -bound...bound))
        self.bias = bias ? Parameter(random.uniform(shape: [outChannels], in: -bound...bound)) : nil
        self.stride = stride
        self.padding = padding
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { x.conv2d(weight: weight.value, bias: bias?.value, stride: stride, padding: padding) }
}

public final class LayerNorm: Module, @unchecked Sendable {
    public let weight: Parameter
    public let bias: Parameter
    public let epsilon: Float

    public init(_ features: Int, epsilon: Float = 1e-5) {
        weight = Parameter(Tensor(ones: [features]))
        bias = Parameter(Tensor(zeros: [features]))
        self.epsilon = epsilon
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { x.layerNorm(weight: weight.value, bias: bias.value, epsilon: epsilon) }
}

public final class GroupNorm: Module, @unchecked Sendable {
    public let weight: Parameter
    public let bias: Parameter
    public let groups: Int
    public let epsilon: Float

    public init(groups: Int, channels: Int, epsilon: Float = 1e-5) {
        weight = Parameter(Tensor(ones: [channels]))
        bias = Parameter(Tensor(zeros: [channels]))
        self.groups = groups
        self.epsilon = epsilon
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { x.groupNorm(groups: groups, weight: weight.value, bias: bias.value, epsilon: epsilon) }
}

/// transformers' LlamaRMSNorm: a weight, no bias.
public final class RMSNorm: Module, @unchecked Sendable {
    public let weight: Parameter
    public let epsilon: Float

    public init(_ features: Int, epsilon: Float = 1e-6) {
        weight = Parameter(Tensor(ones: [features]))
        self.epsilon = epsilon
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { x.rmsNorm(weight: weight.value, epsilon: epsilon) }
}

public final class Embedding: Module, @unchecked Sendable {
    public let weight: Parameter

    public init(_ count: Int, _ dimension: Int, random: inout TensorRandom) {
        weight = Parameter(random.normal(shape: [count, dimension]))
    }

    public func callAsFunction(_ ids: [Int], shape: [Int]) -> Tensor { .embedding(ids: ids, shape: shape, table: weight.value) }
}
