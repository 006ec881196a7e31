/// A dense Float32 tensor: contiguous, row-major, NCHW for images. A value:
/// operations return new tensors and never change their inputs. A tensor
/// that takes part in a gradient computation carries its autograd node.
public struct Tensor: @unchecked Sendable, CustomStringConvertible {
    public let shape: [Int]
    /// The elements, row-major. Shared between copies; never mutated once built
    /// (optimisers replace a parameter's tensor instead).
    public let scalars: [Float]
    /// Set when the tensor requires a gradient (a parameter, or computed from one).
    let node: AutogradNode?

    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        precondition(shape.reduce(1, *) == scalars.count, "shape \(shape) needs \(shape.reduce(1, *)) values, got \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
        self.node = nil
    }

    init(shape: [Int], scalars: [Float], node: AutogradNode?) {
        self.shape = shape
        self.scalars = scalars
        self.node = node
    }

    public init(zeros shape: [Int]) { self.init(shape: shape, scalars: [Float](repeating: 0, count: shape.reduce(1, *))) }
    public init(ones shape: [Int]) { self.init(shape: shape, scalars: [Float](repeating: 1, count: shape.reduce(1, *))) }
    public init(repeating value: Float, shape: [Int]) { self.init(shape: shape, scalars: [Float](repeating: value, count: shape.reduce(1, *))) }
    public init(scalar: Float) { self.init(shape: [], scalars: [scalar]) }

    public var count: Int { scalars.count }
    public var rank: Int { shape.count }

    /// The single value of a one-element tensor.
    public var item: Float {
        precondition(scalars.count == 1, "item needs a one-element tensor, shape is \(shape)")
        return scalars[0]
    }

    /// Whether gradients flow to or through this tensor.
    public var requiresGrad: Bool { node != nil }

    /// A leaf that collects a gradient in `backward()` (a trainable parameter).
    public func requiringGrad() -> Tensor {
        Tensor(shape: shape, scalars: scalars, node: AutogradNode(count: scalars.count))
    }

    /// The same values, cut off from the graph.
    public func detached() -> Tensor { Tensor(shape: shape, scalars: scalars) }

    /// The gradient accumulated by `backward()`, for a tensor that requires one.
    public var grad: Tensor? {
        guard let values = node?.grad else { return nil }
        return Tensor(shape: shape, scalars: values)
    }

    public var description: String {
        let preview = scalars.prefix(8).map { String(format: "%.4g", $0) }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(preview)\(scalars.count > 8 ? ", ..." : "")])"
    }
}

import Foundation
