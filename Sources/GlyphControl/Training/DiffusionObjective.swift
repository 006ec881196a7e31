import TensorCore

/// The denoising objective of diffusers' train_text_to_image /
/// train_controlnet scripts: `x_t = sqrt(ᾱ_t)·x_0 + sqrt(1 − ᾱ_t)·ε` at a
/// uniformly drawn training timestep, and the target the scheduler's
/// `prediction_type` names (ε, v = sqrt(ᾱ)·ε − sqrt(1 − ᾱ)·x_0, or x_0).
/// A per-element weight lets text regions count more (REFERENCE 10).
public struct DiffusionObjective: Sendable {
    public let schedule: NoiseSchedule
    public let prediction: SchedulerConfiguration.PredictionType

    public init(schedule: NoiseSchedule, prediction: SchedulerConfiguration.PredictionType) {
        self.schedule = schedule
        self.prediction = prediction
    }

    /// Noisy samples and targets for clean `x0` [B, ...] at one timestep per batch element.
    public func noised(_ x0: Tensor, noise: Tensor, timesteps: [Int]) -> (sample: Tensor, target: Tensor) {
        precondition(x0.shape == noise.shape && timesteps.count == x0.shape[0], "one timestep per batch element, noise shaped like x0")
        let per = x0.count / x0.shape[0]
        var sample = [Float](repeating: 0, count: x0.count), target = sample
        for (b, t) in timesteps.enumerated() {
            let a = schedule.alphasCumprod[t].squareRoot(), s = (1 - schedule.alphasCumprod[t]).squareRoot()
            for i in (b * per)..<((b + 1) * per) {
                let x = x0.scalars[i], e = noise.scalars[i]
                sample[i] = a * x + s * e
                switch prediction {
                case .epsilon: target[i] = e
                case .vPrediction: target[i] = a * e - s * x
                case .sample: target[i] = x
                }
            }
        }
        return (Tensor(shape: x0.shape, scalars: sample), Tensor(shape: x0.shape, scalars: target))
    }

    /// Weighted mean squared error: Σ w·(p − y)² / Σ w.
    public static func loss(prediction: Tensor, target: Tensor, weight: Tensor? = nil) -> Tensor {
        let error = (prediction - target).squared()
        guard let weight else { return error.mean() }
        let total = weight.scalars.reduce(0, +)
        return (error * weight).sum() * (1 / max(total, 1e-12))
    }

    /// Per-element weight for [B, C, h, w] unshuffled samples: `textWeight`
    /// on cells whose r×r pixels touch the mask (grown by one cell), 1 elsewhere.
    /// `masks` is [B, 1, h·r, w·r] in [0, 1].
    public static func textRegionWeight(masks: Tensor, factor r: Int, channels: Int, textWeight: Float) -> Tensor {
        let (b, hh, ww) = (masks.shape[0], masks.shape[2], masks.shape[3])
        let (h, w) = (hh / r, ww / r)
        var out = [Float](repeating: 1, count: b * channels * h * w)
        for n in 0..<b {
            var lit = [Bool](repeating: false, count: h * w)
            for y in 0..<hh {
                for x in 0..<ww where masks.scalars[(n * hh + y) * ww + x] > 0.1 { lit[(y / r) * w + x / r] = true }
            }
            for y in 0..<h {
                for x in 0..<w {
                    var near = false
                    for dy in -1...1 {
                        for dx in -1...1 {
                            let (yy, xx) = (y + dy, x + dx)
                            if yy >= 0, yy < h, xx >= 0, xx < w, lit[yy * w + xx] { near = true }
                        }
                    }
                    guard near else { continue }
                    for c in 0..<channels { out[((n * channels + c) * h + y) * w + x] = textWeight }
                }
            }
        }
        return Tensor(shape: [b, channels, h, w], scalars: out)
    }
}
