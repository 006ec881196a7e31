/// One node of the reverse-mode graph: the gradient collected for a tensor,
/// its parents, and how to send a gradient back to them. Built as operations
/// run (define-by-run, like PyTorch); `Tensor.backward()` walks it in reverse
/// topological order.
final class AutogradNode: @unchecked Sendable {
    let count: Int
    let parents: [AutogradNode]
    /// Given this node's gradient, the gradient for each parent (nil: none).
    let backward: (([Float]) -> [[Float]?])?
    var grad: [Float]?

    /// A leaf (parameter).
    init(count: Int) {
        self.count = count
        self.parents = []
        self.backward = nil
    }

    init(count: Int, parents: [AutogradNode], backward: @escaping ([Float]) -> [[Float]?]) {
        self.count = count
        self.parents = parents
        self.backward = backward
    }

    var isLeaf: Bool { backward == nil }

    func accumulate(_ values: [Float]) {
        precondition(values.count == count, "gradient size \(values.count) does not match \(count)")
        if grad == nil { grad = values; return }
        grad!.withUnsafeMutableBufferPointer { g in
            values.withUnsafeBufferPointer { v in
                for i in 0..<count { g[i] += v[i] }
            }
        }
    }
}

/// Whether operations record the graph. Off inside `withoutGradients`, for
/// inference and for optimiser updates.
public enum GradientMode {
    @TaskLocal public static var isEnabled = true
}

/// Runs `body` without recording gradients.
public func withoutGradients<T>(_ body: () throws -> T) rethrows -> T {
    try GradientMode.$isEnabled.withValue(false, operation: body)
}

extension Tensor {
    /// The result of an operation: recorded in the graph when gradients are on
    /// and any input needs one. `backward` maps the output's gradient to one
    /// gradient per input (in `inputs` order; nil where an input needs none).
    static func result(shape: [Int], scalars: [Float], inputs: [Tensor], backward: @escaping ([Float]) -> [[Float]?]) -> Tensor {
        guard GradientMode.isEnabled, inputs.contains(where: { $0.node != nil }) else {
            return Tensor(shape: shape, scalars: scalars)
        }
        // Only inputs with nodes take part; the closure still sees every input's slot.
        let tracked = inputs.enumerated().compactMap { index, input in input.node.map { (index, $0) } }
        let node = AutogradNode(count: scalars.count, parents: tracked.map(\.1)) { grad in
            let all = backward(grad)
            return tracked.map { all[$0.0] }
        }
        return Tensor(shape: shape, scalars: scalars, node: node)
    }

    /// Back-propagates from this tensor: its gradient is `seed` (ones when nil,
    /// which a scalar loss needs), and every leaf below collects its gradient.
    public func backward(seed: Tensor? = nil) {
        guard let root = node else { preconditionFailure("backward() on a tensor that requires no gradient") }
        if let seed { precondition(seed.shape == shape, "seed shape \(seed.shape) must match \(shape)") }
        // Reverse topological order by iterative depth-first search.
        var order: [AutogradNode] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(AutogradNode, Bool)] = [(root, false)]
        while let (node, expanded) = stack.popLast() {
            if expanded { order.append(node); continue }
            if !visited.insert(ObjectIdentifier(node)).inserted { continue }
            stack.append((node, true))
            for parent in node.parents where !visited.contains(ObjectIdentifier(parent)) { stack.append((parent, false)) }
        }
        root.accumulate(seed?.scalars ?? [Float](repeating: 1, count: count))
        for node in order.reversed() {
            guard let backward = node.backward, let grad = node.grad else { continue }
            let parentGrads = backward(grad)
            for (parent, g) in zip(node.parents, parentGrads) { if let g { parent.accumulate(g) } }
            // Intermediate gradients are not kept: only leaves report one.
            node.grad = nil
        }
    }

    /// Clears a leaf's gradient (before the next step).
    public func zeroGrad() { node?.grad = nil }
}
