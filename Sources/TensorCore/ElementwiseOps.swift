import Foundation

/// Broadcasting binary arithmetic and the pointwise functions networks use,
/// each with its gradient (matches torch.add/mul/..., torch.nn.functional activations).
extension Tensor {
    /// The four arithmetic operations, elementwise with broadcasting.
    enum BinaryOperation { case add, subtract, multiply, divide }

    /// out[j] = f(a[j·sa], b[j·sb]) for j < n, strides 0 or 1; one loop per
    /// stride pattern so each vectorises once `f` is inlined.
    @inline(__always)
    static func runKernel(_ f: (Float, Float) -> Float, _ a: UnsafePointer<Float>, _ sa: Int, _ b: UnsafePointer<Float>, _ sb: Int,
                          _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        switch (sa, sb) {
        case (1, 1): for j in 0..<n { out[j] = f(a[j], b[j]) }
        case (1, _): let y = b[0]; for j in 0..<n { out[j] = f(a[j], y) }
        case (_, 1): let x = a[0]; for j in 0..<n { out[j] = f(x, b[j]) }
        default: let v = f(a[0], b[0]); for j in 0..<n { out[j] = v }
        }
    }

    /// `op` over broadcast runs (`Broadcasting.Runs`), split over the cores.
    static func broadcastApply(_ op: BinaryOperation, _ a: [Float], _ b: [Float], runs: Broadcasting.Runs, count: Int) -> [Float] {
        if count == 0 { return [] }
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialised in
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    nonisolated(unsafe) let (pa, pb, po) = (pa.baseAddress!, pb.baseAddress!, buffer.baseAddress!)
                    let length = runs.runLength
                    Parallel.chunks(runs.count, minimumPerChunk: max(1, 16_384 / max(1, length))) { range in
                        for run in range {
                            let (oa, ob) = runs.offsets(run)
                            let (x, y, o) = (pa + oa, pb + ob, po + run * length)
                            switch op {
                            case .add: runKernel(+, x, runs.aStride, y, runs.bStride, o, length)
                            case .subtract: runKernel(-, x, runs.aStride, y, runs.bStride, o, length)
                            case .multiply: runKernel(*, x, runs.aStride, y, runs.bStride, o, length)
                            case .divide: runKernel(/, x, runs.aStride, y, runs.bStride, o, length)
                            }
                        }
                    }
                }
            }
            initialised = count
        }
    }

    /// `a op b` with broadcasting (torch.add/sub/mul/div) and its gradients:
    /// each operand's is computed at the output's shape only where needed,
    /// then summed back over the broadcast dimensions.
    static func binary(_ a: Tensor, _ b: Tensor, _ op: BinaryOperation) -> Tensor {
        let shape = a.shape == b.shape ? a.shape : Broadcasting.shape(a.shape, b.shape)
        let count = shape.reduce(1, *)
        let runs = Broadcasting.Runs(a.shape, b.shape, target: shape)
        let (av, bv) = (a.scalars, b.scalars)
        let out = broadcastApply(op, av, bv, runs: runs, count: count)
        return .result(shape: shape, scalars: out, inputs: [a, b]) { grad in
            // x op y at the output's shape, y broadcast from `yShape`.
            func apply(_ x: [Float], _ op: BinaryOperation, _ y: [Float], _ yShape: [Int]) -> [Float] {
                broadcastApply(op, x, y, runs: Broadcasting.Runs(shape, yShape, target: shape), count: count)
            }
            var ga: [Float]? = nil, gb: [Float]? = nil
            switch op {
            case .add, .subtract:
                if a.node != nil { ga = grad }
                if b.node != nil { gb = op == .add ? grad : apply(grad, .multiply, [-1], [1]) }
            case .multiply:
                if a.node != nil { ga = apply(grad, .multiply, bv, b.shape) }
                if b.node != nil { gb = apply(grad, .multiply, av, a.shape) }
            case .divide:
                if a.node != nil { ga = apply(grad, .divide, bv, b.shape) }
                // d(a/b)/db = -(a/b)/b
                if b.node != nil { gb = apply(apply(apply(grad, .multiply, out, shape), .divide, bv, b.shape), .multiply, [-1], [1]) }
            }
            return [ga.map { Broadcasting.reduce($0, from: shape, to: a.shape) }, gb.map { Broadcasting.reduce($0, from: shape, to: b.shape) }]
        }
    }

    /// `f(x)` elementwise; `df(x, y)` is the derivative at x where y = f(x).
    public func map(_ f: (Float) -> Float, derivative df: @escaping (Float, Float) -> Float) -> Tensor {
        let x = scalars
        var out = [Float](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                Parallel.chunks(src.count) { range in for i in range { dst[i] = f(src[i]) } }
            }
        }
        return .result(shape: shape, scalars: out, inputs: [self]) { [out] grad in
            var g = [Float](repeating: 0, count: x.count)
            for i in 0..<x.count { g[i] = grad[i] * df(x[i], out[i]) }
            return [g]
        }
    }

    /// [K(x)] for every value, split over the cores; K is a type, not a
    /// closure, so its function inlines into the loop and vectorises.
    static func pointwise<K: PointwiseKernel>(_ x: [Float], _ kernel: K.Type) -> [Float] {
        if x.isEmpty { return [] }
        return [Float](unsafeUninitializedCapacity: x.count) { buffer, initialised in
            x.withUnsafeBufferPointer { src in
                nonisolated(unsafe) let (src, dst) = (src.baseAddress!, buffer.baseAddress!)
                Parallel.chunks(x.count) { range in for i in range { dst[i] = K.value(src[i]) } }
            }
            initialised = x.count
        }
    }

    /// [g · K'(x)] for the values x and incoming gradients g, split over the cores.
    static func pointwise<K: PointwiseKernel>(_ x: [Float], _ grad: [Float], _ kernel: K.Type) -> [Float] {
        if x.isEmpty { return [] }
        return [Float](unsafeUninitializedCapacity: x.count) { buffer, initialised in
            x.withUnsafeBufferPointer { px in
                grad.withUnsafeBufferPointer { pg in
                    nonisolated(unsafe) let (px, pg, dst) = (px.baseAddress!, pg.baseAddress!, buffer.baseAddress!)
                    Parallel.chunks(x.count) { range in for i in range { dst[i] = pg[i] * K.derivative(px[i]) } }
                }
            }
            initialised = x.count
        }
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor { binary(a, b, .add) }
    public static func - (a: Tensor, b: Tensor) -> Tensor { binary(a, b, .subtract) }
    public static func * (a: Tensor, b: Tensor) -> Tensor { binary(a, b, .multiply) }
    public static func / (a: Tensor, b: Tensor) -> Tensor { binary(a, b, .divide) }
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

    /// SiLU (swish): x * sigmoid(x) (torch.nn.functional.silu), with the
    /// vectorising exp: the UNet runs it after every group norm.
    public func silu() -> Tensor {
        let x = scalars
        let out = Tensor.pointwise(x, SiLU.self)
        return .result(shape: shape, scalars: out, inputs: [self]) { grad in [Tensor.pointwise(x, grad, SiLU.self)] }
    }

    /// GELU, exact (erf) form: torch.nn.functional.gelu(approximate="none"),
    /// with a vectorising erf (`FastMath.erf`).
    public func gelu() -> Tensor {
        let x = scalars
        let out = Tensor.pointwise(x, GELU.self)
        return .result(shape: shape, scalars: out, inputs: [self]) { grad in [Tensor.pointwise(x, grad, GELU.self)] }
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

/// A pointwise function and its derivative, as a type so generic loops
/// specialise and inline it (a closure would be an indirect call per element).
protocol PointwiseKernel {
    static func value(_ x: Float) -> Float
    static func derivative(_ x: Float) -> Float
}

/// x · sigmoid(x) and its derivative s · (1 + x · (1 - s)).
enum SiLU: PointwiseKernel {
    @inline(__always) static func value(_ x: Float) -> Float { x / (1 + FastMath.exp(-x)) }
    @inline(__always) static func derivative(_ x: Float) -> Float {
        let s = 1 / (1 + FastMath.exp(-x))
        return s * (1 + x * (1 - s))
    }
}

/// x · Φ(x) and its derivative Φ(x) + x · φ(x).
enum GELU: PointwiseKernel {
    @inline(__always) static func value(_ x: Float) -> Float { 0.5 * x * (1 + FastMath.erf(x * 0.707_106_77)) }
    @inline(__always) static func derivative(_ x: Float) -> Float {
        0.5 * (1 + FastMath.erf(x * 0.707_106_77)) + x * FastMath.exp(-0.5 * x * x) * 0.398_942_3
    }
}
