/// Reshape, permute, slice, concatenate and split (torch.reshape, permute,
/// narrow, cat, split), each with its gradient.
extension Tensor {
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var shape = newShape
        if let infer = shape.firstIndex(of: -1) {
            let known = shape.enumerated().filter { $0.offset != infer }.map(\.element).reduce(1, *)
            precondition(known > 0 && count % known == 0, "cannot reshape \(self.shape) to \(newShape)")
            shape[infer] = count / known
        }
        precondition(shape.reduce(1, *) == count, "cannot reshape \(self.shape) to \(newShape)")
        return .result(shape: shape, scalars: scalars, inputs: [self]) { [$0] }
    }

    /// Dimensions reordered: result dimension i is input dimension `order[i]`.
    public func permuted(_ order: [Int]) -> Tensor {
        precondition(order.sorted() == Array(0..<rank), "permutation \(order) does not fit rank \(rank)")
        let outShape = order.map { shape[$0] }
        let out = Self.permuteValues(scalars, shape: shape, order: order)
        var inverse = order
        for (i, d) in order.enumerated() { inverse[d] = i }
        return .result(shape: outShape, scalars: out, inputs: [self]) { grad in
            [Self.permuteValues(grad, shape: outShape, order: inverse)]
        }
    }

    /// Swaps two dimensions.
    public func transposed(_ a: Int = -2, _ b: Int = -1) -> Tensor {
        var order = Array(0..<rank)
        order.swapAt(a < 0 ? rank + a : a, b < 0 ? rank + b : b)
        return permuted(order)
    }

    /// `values` of `shape` with dimensions reordered, copied row by row of
    /// the result (each row one strided read), rows split over the cores.
    static func permuteValues(_ values: [Float], shape: [Int], order: [Int]) -> [Float] {
        let rank = shape.count, count = values.count
        if rank < 2 || count == 0 || order == Array(0..<rank) { return values }
        var strides = [Int](repeating: 1, count: rank)
        for d in stride(from: rank - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * shape[d + 1] }
        let outShape = order.map { shape[$0] }
        let outStrides = order.map { strides[$0] }
        let inner = outShape[rank - 1], innerStride = outStrides[rank - 1]
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialised in
            values.withUnsafeBufferPointer { pv in
                nonisolated(unsafe) let (pv, po) = (pv.baseAddress!, buffer.baseAddress!)
                Parallel.chunks(count / inner, minimumPerChunk: max(1, 16_384 / max(1, inner))) { rows in
                    for row in rows {
                        var rest = row, offset = 0
                        for d in stride(from: rank - 2, through: 0, by: -1) {
                            offset += (rest % outShape[d]) * outStrides[d]
                            rest /= outShape[d]
                        }
                        let (source, destination) = (pv + offset, po + row * inner)
                        if innerStride == 1 {
                            destination.update(from: source, count: inner)
                        } else {
                            for j in 0..<inner { destination[j] = source[j * innerStride] }
                        }
                    }
                }
            }
            initialised = count
        }
    }

    /// Elements `start..<start+length` along `axis` (torch.narrow).
    public func narrowed(axis: Int, start: Int, length: Int) -> Tensor {
        let axis = axis < 0 ? rank + axis : axis
        precondition(start >= 0 && length >= 0 && start + length <= shape[axis], "narrow \(start)+\(length) outside dimension \(shape[axis])")
        let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *), size = shape[axis]
        var outShape = shape
        outShape[axis] = length
        var out = [Float](repeating: 0, count: outer * length * inner)
        for o in 0..<outer {
            for k in 0..<(length * inner) { out[(o * length) * inner + k] = scalars[(o * size + start) * inner + k] }
        }
        let n = count
        return .result(shape: outShape, scalars: out, inputs: [self]) { grad in
            var g = [Float](repeating: 0, count: n)
            for o in 0..<outer {
                for k in 0..<(length * inner) { g[(o * size + start) * inner + k] = grad[(o * length) * inner + k] }
            }
            return [g]
        }
    }

    /// Concatenation along `axis` (torch.cat).
    public static func concatenate(_ tensors: [Tensor], axis: Int) -> Tensor {
        precondition(!tensors.isEmpty, "concatenate needs at least one tensor")
        let rank = tensors[0].rank
        let axis = axis < 0 ? rank + axis : axis
        let outer = tensors[0].shape[..<axis].reduce(1, *), inner = tensors[0].shape[(axis + 1)...].reduce(1, *)
        for t in tensors {
            precondition(t.rank == rank && Array(t.shape[..<axis]) == Array(tensors[0].shape[..<axis])
                         && Array(t.shape[(axis + 1)...]) == Array(tensors[0].shape[(axis + 1)...]), "shapes \(tensors.map(\.shape)) do not concatenate on axis \(axis)")
        }
        let sizes = tensors.map { $0.shape[axis] }
        let total = sizes.reduce(0, +)
        var outShape = tensors[0].shape
        outShape[axis] = total
        var out = [Float](repeating: 0, count: outer * total * inner)
        var start = 0
        for (t, size) in zip(tensors, sizes) {
            for o in 0..<outer {
                for k in 0..<(size * inner) { out[(o * total + start) * inner + k] = t.scalars[o * size * inner + k] }
            }
            start += size
        }
        return .result(shape: outShape, scalars: out, inputs: tensors) { grad in
            var grads: [[Float]?] = []
            var start = 0
            for (t, size) in zip(tensors, sizes) {
                var g = [Float](repeating: 0, count: t.count)
                for o in 0..<outer {
                    for k in 0..<(size * inner) { g[o * size * inner + k] = grad[(o * total + start) * inner + k] }
                }
                grads.append(g)
                start += size
            }
            return grads
        }
    }

    /// Pieces of the given sizes along `axis` (torch.split).
    public func split(sizes: [Int], axis: Int) -> [Tensor] {
        let axis = axis < 0 ? rank + axis : axis
        precondition(sizes.reduce(0, +) == shape[axis], "split sizes \(sizes) do not add up to \(shape[axis])")
        var start = 0
        return sizes.map { size in
            defer { start += size }
            return narrowed(axis: axis, start: start, length: size)
        }
    }

    /// `parts` equal pieces along `axis` (torch.chunk with an even split).
    public func chunked(_ parts: Int, axis: Int) -> [Tensor] {
        let axis = axis < 0 ? rank + axis : axis
        precondition(shape[axis] % parts == 0, "dimension \(shape[axis]) does not split into \(parts)")
        return split(sizes: [Int](repeating: shape[axis] / parts, count: parts), axis: axis)
    }
}
