import Foundation

/// Broadcasting binary arithmetic and the pointwise functions networks use,
/// each with its gradient (matches torch.add/mul/..., torch.nn.functional activations).
extension Tensor {
    /// `f(a, b)` elementwise with broadcasting; `da`/`db` give ∂f/∂a, ∂f/∂b at (a, b, f).
    static func binary(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float,
                       da: @escaping (Float, Float, Float) -> Float, db: @escaping (Float, Float, Float) -> Float) -> Tensor {
        let shape = a.shape == b.shape ? a.shape : Broadcasting.shape(a.shape, b.shape)
        let count = shape.reduce(1, *)
        var out = [Float](repeating: 0, count: count)
        let av = a.scalars, bv = b.scalars
        var ia: [Int]? = nil, ib: [Int]? = nil
        if a.shape == b.shape {
            for i in 0..<count { out[i] = f(av[i], bv[i]) }
        } else if b.count == 1 {
            let s = bv[0]
            for i in 0..<count { out[i] = f(av[i], s) }
            ib = [Int](repeating: 0, count: count)
            ia = Array(0..<count)
        } else {
            let index = Broadcasting.indices([a.shape, b.shape], target: shape)
            ia = index[0]; ib = index[1]
            for i in 0..<count { out[i] = f(av[index[0][i]], bv[index[1][i]]) }
        }
        let result = out
        return .result(shape: shape, scalars: out, inputs: [a, b]) { grad in
            var ga = [Float](repeating: 0, count: count), gb = [Float](repeating: 0, count: count)
            for i in 0..<count {
                let x = ia.map { av[$0[i]] } ?? av[i], y = ib.map { bv[$0[i]] } ?? bv[i]
                ga[i] = grad[i] * da(x, y, result[i])
                gb[i] = grad[i] * db(x, y, result[i])
            }
            return [a.node == nil ? nil : Broadcasting.reduce(ga, from: shape, to: a.shape),
                    b.node == nil ? nil : Broadcasting.reduce(gb, from: shape, to: b.shape)]
        }
    }

    /// `f(x)` elementwise; `df(x, y)` is the derivative at x where y = f(x).
    public func map(_ f: (Float) -> Float, derivative df: @escaping (Float, Float) -> Float) -> Tensor {
        let x = scalars
        var out = [Float](repeating: 0, count: count)
        x.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                Parallel.chunks(src.count) { range in for i in range { dst[i] = f(src[i]) } }
            }
        }
        let y = out
        return .result(shape: shape, scalars: out, inputs: [self]) { grad in
            var g = [Float](repeating: 0, count: x.count)
            for i in 0..<x.count { g[i] = grad[i] * df(x[i], y[i]) }
            return [g]
        }
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor { binary(a, b, +, da: { _, _, _ in 1 }, db: { _, _, _ in 1 }) }
    public static func - (a: Tensor, b: Tensor) -> Tensor { binary(a, b, -, da: { _, _, _ in 1 }, db: { _, _, _ in -1 }) }
    public static func * (a: Tensor, b: Tensor) -> Tensor { binary(a, b, *, da: { _, y, _ in y }, db: { x, _, _ in x }) }
    public static func / (a: Tensor, b: Tensor) -> Tensor { binary(a, b, /, da: { _, y, _ in 1 / y }, db: { x, y, _ in -x / (y * y) }) }
    public static func + (a: Tensor, s: Float) -> Tensor { a.map({ $0 + s }, derivative: { _, _ in 1 }) }
    public static func - (a: Tensor, s: Float) -> Tensor { a.map({ $0 - s }, derivative: { _, _ in 1 }) }
    public static func * (a: Tensor, s: Float) -> Tensor { a.map({ $0 * s }, derivative: { _, _ in s }) }
    public static func / (a: Tensor, s: Float) -> Tensor { a * (1 / s) }
    public static prefix func - (a: Tensor) -> Tensor { a * -1 }

    public func exp() -> Tensor { map({ Foundation.exp($0) }, derivative: { _, y in y }) }
    public func log() -> Tensor { map({ Foundation.log($0) }, derivative: { x, _ in 1 / x }) }
    public func sqrt() -> Tensor { map({ $0.squareRoot() }, derivative: { _, y in 0.5 / y }) }
    public func squared() -> Tensor { map({ $0 * $0 }, derivative: { x, _ in 2 * x }) }
    public func pow(_ p: Float) -> Tensor { map({ Foundation.pow($0, p) }, derivative: { x, _ in p * Foundation.pow(x, p - 1) }) }
    public func relu() -> Tensor { map({ max($0, 0) }, derivative: { x, _ in x > 0 ? 1 : 0 }) }
    public func sigmoid() -> Tensor { map({ 1 / (1 + Foundation.exp(-$0)) }, derivative: { _, y in y * (1 - y) }) }
    public func tanh() -> Tensor { map({ Foundation.tanh($0) }, derivative: { _, y in 1 - y * y }) }

    /// SiLU (swish): x * sigmoid(x) (torch.nn.functional.silu).
    public func silu() -> Tensor {
        map({ $0 / (1 + Foundation.exp(-$0)) }, derivative: { x, _ in
            let s = 1 / (1 + Foundation.exp(-x))
            return s * (1 + x * (1 - s))
        })
    }

    /// GELU, exact (erf) form: torch.nn.functional.gelu(approximate="none").
    public func gelu() -> Tensor {
        map({ 0.5 * $0 * (1 + Foundation.erf($0 / 2.0.squareRoot().float)) }, derivative: { x, _ in
            let cdf = 0.5 * (1 + Foundation.erf(x / 2.0.squareRoot().float))
            let pdf = Foundation.exp(-0.5 * x * x) / (2 * Float.pi).squareRoot()
            return cdf + x * pdf
        })
    }

    /// GELU, tanh approximation: torch.nn.functional.gelu(approximate="tanh").
    public func geluTanh() -> Tensor {
        let c: Float = (2 / Float.pi).squareRoot()
        return map({ x in 0.5 * x * (1 + Foundation.tanh(c * (x + 0.044715 * x * x * x))) }, derivative: { x, _ in
            let inner = c * (x + 0.044715 * x * x * x)
            let t = Foundation.tanh(inner)
            return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x)
        })
    }

    /// Quick GELU, x * sigmoid(1.702 x): CLIP's activation (transformers QuickGELUActivation).
    public func quickGelu() -> Tensor {
        map({ $0 / (1 + Foundation.exp(-1.702 * $0)) }, derivative: { x, _ in
            let s = 1 / (1 + Foundation.exp(-1.702 * x))
            return s + 1.702 * x * s * (1 - s)
        })
    }
}

extension Double {
    var float: Float { Float(self) }
}
