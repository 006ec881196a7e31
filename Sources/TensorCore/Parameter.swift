/// A trainable tensor owned by a module. Its value is replaced, not mutated,
/// by optimisers and loaders; while training it carries an autograd leaf so
/// `backward()` fills its gradient.
public final class Parameter: @unchecked Sendable {
    public private(set) var value: Tensor
    public var isTrainable: Bool

    public init(_ value: Tensor, trainable: Bool = true) {
        self.isTrainable = trainable
        self.value = trainable ? value.requiringGrad() : value
    }

    public var shape: [Int] { value.shape }
    public var grad: Tensor? { value.grad }

    /// Replaces the value (same shape), keeping whether it is trained.
    public func assign(_ scalars: [Float]) {
        precondition(scalars.count == value.count, "assigning \(scalars.count) values to a parameter of shape \(value.shape)")
        let plain = Tensor(shape: value.shape, scalars: scalars)
        value = isTrainable ? plain.requiringGrad() : plain
    }

    /// Stops or starts collecting gradients (a frozen base model).
    public func setTrainable(_ trainable: Bool) {
        isTrainable = trainable
        value = trainable ? value.detached().requiringGrad() : value.detached()
    }

    public func zeroGrad() { value.zeroGrad() }
}
