import Foundation
import TensorCore

/// The training noise schedule shared by every scheduler: betas and
/// `alphas_cumprod` computed bit-for-bit as diffusers does in PyTorch
/// (float32 `torch.linspace`, whose CPU kernel fuses `start + step * i`,
/// and `torch.cumprod`, which accumulates float32 in double on the CPU).
public struct NoiseSchedule: Equatable, Sendable {
    public let betas: [Float]
    public let alphasCumprod: [Float]
    public var numTrainTimesteps: Int { betas.count }

    /// Betas from a configuration, with diffusers' class defaults
    /// (1000 steps, linear 0.0001...0.02).
    public init(configuration c: SchedulerConfiguration) {
        let n = c.numTrainTimesteps ?? 1000
        let start = c.betaStart ?? 0.0001, end = c.betaEnd ?? 0.02
        let betas: [Float]
        if let trained = c.trainedBetas {
            betas = trained.map { Float($0) }
        } else {
            switch c.betaSchedule ?? .linear {
            case .linear:
                betas = Self.torchLinspace(start, end, n)
            case .scaledLinear:
                betas = Self.torchLinspace(Foundation.pow(start, 0.5), Foundation.pow(end, 0.5), n).map { $0 * $0 }
            case .squaredcosCapV2:
                betas = Self.betasForAlphaBar(n)
            }
        }
        self.init(betas: betas)
    }

    public init(betas: [Float]) {
        self.betas = betas
        var product = 1.0
        alphasCumprod = betas.map { beta in
            product *= Double(1 - beta)
            return Float(product)
        }
    }

    /// `torch.linspace(start, end, steps, dtype=torch.float32)` on the CPU.
    static func torchLinspace(_ start: Double, _ end: Double, _ steps: Int) -> [Float] {
        let s = Float(start), e = Float(end)
        if steps == 1 { return [s] }
        let step = (e - s) / Float(steps - 1)
        let halfway = steps / 2
        return (0..<steps).map { i in
            i < halfway ? s.addingProduct(step, Float(i)) : e.addingProduct(-step, Float(steps - i - 1))
        }
    }

    /// diffusers `betas_for_alpha_bar` (cosine, max_beta 0.999), in float64 then float32.
    static func betasForAlphaBar(_ n: Int, maxBeta: Double = 0.999) -> [Float] {
        shiftedCosineBetas(n, shift: 1, maxBeta: maxBeta)
    }

    /// The cosine schedule with every signal-to-noise ratio divided by
    /// `shift`²: the shifted cosine schedule of Hoogeboom et al., "simple
    /// diffusion" (2023), `logSNR(t) - 2·log(shift)`, i.e.
    /// `ᾱ' = ᾱ / (ᾱ + shift²·(1 − ᾱ))`, as betas the way `betasForAlphaBar`
    /// derives them (so it ships as diffusers `trained_betas`). Why: at 256 px
    /// the cosine schedule leaves an image's low frequencies readable at
    /// almost every timestep, so a model learns to take the background from
    /// the noise rather than from the caption; shift 4 gives a 256-px image
    /// the noise a 64-px image has under the plain schedule. Shift 1 is
    /// `betasForAlphaBar` exactly.
    public static func shiftedCosineBetas(_ n: Int, shift: Double, maxBeta: Double = 0.999) -> [Float] {
        precondition(shift > 0, "the shift must be positive")
        let s2 = shift * shift
        func alphaBar(_ t: Double) -> Double {
            let c = Foundation.cos((t + 0.008) / 1.008 * Double.pi / 2)
            let a = c * c
            return shift == 1 ? a : a / (a + s2 * (1 - a))
        }
        return (0..<n).map { i in
            let t1 = Double(i) / Double(n), t2 = Double(i + 1) / Double(n)
            return Float(min(1 - alphaBar(t2) / alphaBar(t1), maxBeta))
        }
    }

    /// `((1 - alphas_cumprod) / alphas_cumprod) ** 0.5` in float32 (the Karras-style sigmas).
    public var sigmas: [Float] { alphasCumprod.map { ((1 - $0) / $0).squareRoot() } }
}

/// numpy routines used by diffusers' `set_timesteps`, reproduced exactly.
enum NumPy {
    /// `np.linspace(start, stop, num)` (float64).
    static func linspace(_ start: Double, _ stop: Double, _ num: Int) -> [Double] {
        guard num > 0 else { return [] }
        if num == 1 { return [start] }
        let step = (stop - start) / Double(num - 1)
        var y = (0..<num).map { Double($0) * step + start }
        y[num - 1] = stop
        return y
    }

    /// `np.arange(start, stop, step)` with a float step (numpy fills
    /// `start + i * ((start + step) - start)`).
    static func arange(_ start: Double, _ stop: Double, _ step: Double) -> [Double] {
        let length = Int(((stop - start) / step).rounded(.up))
        guard length > 0 else { return [] }
        let second = start + step
        let delta = second - start
        return (0..<length).map { i in i == 0 ? start : (i == 1 ? second : start + Double(i) * delta) }
    }

    /// `np.round` (half to even).
    static func round(_ x: Double) -> Double { x.rounded(.toNearestOrEven) }

    /// `np.interp(x, arange(len(fp)), fp)` for an integer grid.
    static func interpOnIntegerGrid(_ x: Double, _ fp: [Double]) -> Double {
        let last = fp.count - 1
        if x > Double(last) { return fp[last] }
        if x < 0 { return fp[0] }
        let j = min(Int(x.rounded(.down)), last)
        if j == last { return fp[last] }
        if Double(j) == x { return fp[j] }
        let slope = (fp[j + 1] - fp[j]) / 1.0
        var result = slope * (x - Double(j)) + fp[j]
        if result.isNaN {
            result = slope * (x - Double(j + 1)) + fp[j + 1]
            if result.isNaN, fp[j] == fp[j + 1] { result = fp[j] }
        }
        return result
    }
}

/// Elementwise helpers over `Tensor` scalars (float32, in the order torch evaluates).
enum Elementwise {
    static func check(_ a: Tensor, _ b: Tensor, _ what: String) throws {
        guard a.shape == b.shape else {
            throw SchedulerError.shapeMismatch("\(what): shapes \(a.shape) and \(b.shape) differ")
        }
    }

    static func map(_ a: Tensor, _ f: (Float) -> Float) -> Tensor {
        Tensor(shape: a.shape, scalars: a.scalars.map(f))
    }

    static func zip(_ a: Tensor, _ b: Tensor, _ what: String, _ f: (Float, Float) -> Float) throws -> Tensor {
        try check(a, b, what)
        return a.scalars.withUnsafeBufferPointer { pa in
            b.scalars.withUnsafeBufferPointer { pb in
                Tensor(shape: a.shape, scalars: (0..<pa.count).map { f(pa[$0], pb[$0]) })
            }
        }
    }

    static func zip3(_ a: Tensor, _ b: Tensor, _ c: Tensor, _ what: String, _ f: (Float, Float, Float) -> Float) throws -> Tensor {
        try check(a, b, what)
        try check(a, c, what)
        return Tensor(shape: a.shape, scalars: (0..<a.count).map { f(a.scalars[$0], b.scalars[$0], c.scalars[$0]) })
    }

    /// Per-batch-item coefficients `f(item)(x, y)` for `add_noise`: one
    /// timestep for the whole batch or one per item along dimension 0.
    static func perBatch(_ original: Tensor, _ noise: Tensor, count: Int, _ what: String,
                         _ coefficients: (Int) -> (Float, Float), _ f: (Float, Float, Float, Float) -> Float) throws -> Tensor {
        try check(original, noise, what)
        let batch = original.shape.first ?? 1
        guard count == 1 || (original.rank > 0 && count == batch) else {
            throw SchedulerError.shapeMismatch("\(what): \(count) timesteps for a batch of \(batch)")
        }
        let perItem = count == 1 ? original.count : original.count / max(batch, 1)
        let table = (0..<count).map(coefficients)
        var out = [Float](repeating: 0, count: original.count)
        for i in 0..<original.count {
            let (ca, cb) = table[count == 1 ? 0 : i / perItem]
            out[i] = f(ca, original.scalars[i], cb, noise.scalars[i])
        }
        return Tensor(shape: original.shape, scalars: out)
    }
}
