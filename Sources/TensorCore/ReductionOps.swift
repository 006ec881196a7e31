/// Sums and means over axes (torch.sum / torch.mean with dim and keepdim).
extension Tensor {
    public func sum() -> Tensor {
        var total: Double = 0
        for v in scalars { total += Double(v) }
        let n = count
        return .result(shape: [], scalars: [Float(total)], inputs: [self]) { grad in [[Float](repeating: grad[0], count: n)] }
    }

    public func mean() -> Tensor { sum() * (1 / Float(max(1, count))) }

    /// Sum over one axis.
    public func sum(axis: Int, keepingDimension: Bool = false) -> Tensor {
        let axis = axis < 0 ? rank + axis : axis
        let outer = shape[..<axis].reduce(1, *), size = shape[axis], inner = shape[(axis + 1)...].reduce(1, *)
        var out = [Float](repeating: 0, count: outer * inner)
        for o in 0..<outer {
            for k in 0..<size {
                let base = (o * size + k) * inner
                for i in 0..<inner { out[o * inner + i] += scalars[base + i] }
            }
        }
        var outShape = shape
        if keepingDimension { outShape[axis] = 1 } else { outShape.remove(at: axis) }
        let n = count
        return .result(shape: outShape, scalars: out, inputs: [self]) { grad in
            var g = [Float](repeating: 0, count: n)
            for o in 0..<outer {
                for k in 0..<size {
                    let base = (o * size + k) * inner
                    for i in 0..<inner { g[base + i] = grad[o * inner + i] }
                }
            }
            return [g]
        }
    }

    public func mean(axis: Int, keepingDimension: Bool = false) -> Tensor {
        let size = shape[axis < 0 ? rank + axis : axis]
        return sum(axis: axis, keepingDimension: keepingDimension) * (1 / Float(size))
    }
}
