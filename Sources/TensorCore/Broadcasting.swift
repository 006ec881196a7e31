/// NumPy/PyTorch broadcasting: shapes align at the right; a dimension of 1
/// stretches to the other's size.
enum Broadcasting {
    static func shape(_ a: [Int], _ b: [Int]) -> [Int] {
        let rank = max(a.count, b.count)
        let pa = [Int](repeating: 1, count: rank - a.count) + a
        let pb = [Int](repeating: 1, count: rank - b.count) + b
        return zip(pa, pb).map { x, y in
            precondition(x == y || x == 1 || y == 1, "shapes \(a) and \(b) do not broadcast")
            return max(x, y)
        }
    }

    /// Element strides of `shape` seen as `target` (0 along stretched dimensions).
    static func strides(of shape: [Int], in target: [Int]) -> [Int] {
        let padded = [Int](repeating: 1, count: target.count - shape.count) + shape
        var strides = [Int](repeating: 0, count: target.count)
        var step = 1
        for d in stride(from: target.count - 1, through: 0, by: -1) {
            strides[d] = padded[d] == 1 && target[d] != 1 ? 0 : step
            step *= padded[d]
        }
        return strides
    }

    /// For every element of `target` (row-major), the index of the element of
    /// each operand it reads.
    static func indices(_ shapes: [[Int]], target: [Int]) -> [[Int]] {
        let count = target.reduce(1, *)
        let strides = shapes.map { Self.strides(of: $0, in: target) }
        var result = shapes.map { _ in [Int](repeating: 0, count: count) }
        var counter = [Int](repeating: 0, count: target.count)
        var offsets = [Int](repeating: 0, count: shapes.count)
        for i in 0..<count {
            for k in 0..<shapes.count { result[k][i] = offsets[k] }
            var d = target.count - 1
            while d >= 0 {
                counter[d] += 1
                for k in 0..<shapes.count { offsets[k] += strides[k][d] }
                if counter[d] < target[d] { break }
                for k in 0..<shapes.count { offsets[k] -= strides[k][d] * target[d] }
                counter[d] = 0
                d -= 1
            }
        }
        return result
    }

    /// Sums a gradient of shape `target` back to an operand of shape `shape`.
    static func reduce(_ grad: [Float], from target: [Int], to shape: [Int]) -> [Float] {
        if target == shape { return grad }
        let index = indices([shape], target: target)[0]
        var out = [Float](repeating: 0, count: shape.reduce(1, *))
        for i in 0..<grad.count { out[index[i]] += grad[i] }
        return out
    }
}
