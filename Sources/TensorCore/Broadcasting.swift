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

    /// The target's elements as `count` runs along its innermost (coalesced)
    /// dimension: run i covers output elements i·runLength ..< (i+1)·runLength,
    /// starts at `offsets(i)` in the operands, and in it operand a advances by
    /// `aStride` (0 or 1) and b by `bStride`. Dimensions of size 1 are dropped
    /// and neighbours that step alike merge, so [B,C,H,W] + [B,C,1,1] is B·C
    /// runs of H·W.
    struct Runs {
        let runLength: Int, aStride: Int, bStride: Int, count: Int
        let outer: [(size: Int, a: Int, b: Int)]

        init(_ a: [Int], _ b: [Int], target: [Int]) {
            let sa = Broadcasting.strides(of: a, in: target), sb = Broadcasting.strides(of: b, in: target)
            var dims: [(size: Int, a: Int, b: Int)] = []
            for d in target.indices.reversed() where target[d] != 1 {
                if let last = dims.last, sa[d] == last.a * last.size, sb[d] == last.b * last.size {
                    dims[dims.count - 1] = (last.size * target[d], last.a, last.b)
                } else {
                    dims.append((target[d], sa[d], sb[d]))
                }
            }
            let inner = dims.first ?? (1, 1, 1)
            runLength = inner.size
            aStride = inner.a
            bStride = inner.b
            outer = Array(dims.dropFirst())
            count = outer.reduce(1) { $0 * $1.size }
        }

        /// Operand offsets of run `index` (outer dimensions row-major).
        @inline(__always)
        func offsets(_ index: Int) -> (a: Int, b: Int) {
            var rest = index, oa = 0, ob = 0
            for dim in outer {
                let i = rest % dim.size
                rest /= dim.size
                oa += i * dim.a
                ob += i * dim.b
            }
            return (oa, ob)
        }
    }

    /// Sums a gradient of shape `target` back to an operand of shape `shape`.
    static func reduce(_ grad: [Float], from target: [Int], to shape: [Int]) -> [Float] {
        if target == shape { return grad }
        let runs = Runs(shape, shape, target: target)
        var out = [Float](repeating: 0, count: shape.reduce(1, *))
        grad.withUnsafeBufferPointer { g in
            out.withUnsafeMutableBufferPointer { o in
                for run in 0..<runs.count {
                    let offset = runs.offsets(run).a, source = g.baseAddress! + run * runs.runLength
                    if runs.aStride == 0 {
                        o[offset] += FastMath.sum(source, runs.runLength)
                    } else {
                        for j in 0..<runs.runLength { o[offset + j] += source[j] }
                    }
                }
            }
        }
        return out
    }
}
