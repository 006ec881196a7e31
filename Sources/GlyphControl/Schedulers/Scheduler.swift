import Foundation
import TensorCore

/// A diffusion sampler with diffusers' `SchedulerMixin` surface: set the
/// timesteps for N inference steps, scale the model input, step from x_t to
/// x_{t-1}, and noise clean samples for training or img2img.
///
/// Timesteps are `Float` because `EulerDiscreteScheduler` has fractional
/// ones (diffusers keeps them as float32); the other schedulers' timesteps
/// are whole numbers, exactly representable.
public protocol Scheduler: Sendable {
    var configuration: SchedulerConfiguration { get }
    /// The schedule from the last `setTimesteps`, first (noisiest) first.
    var timesteps: [Float] { get }
    /// Standard deviation of the initial noise: latents start at `noise * initNoiseSigma`.
    var initNoiseSigma: Float { get }

    /// diffusers `set_timesteps(num_inference_steps)`; returns the timesteps.
    @discardableResult
    mutating func setTimesteps(_ numInferenceSteps: Int) throws -> [Float]

    /// diffusers `scale_model_input`: what the UNet sees at `timestep`.
    func scaleModelInput(_ sample: Tensor, timestep: Float) throws -> Tensor

    /// Whether `step` at `timestep` adds variance noise (and so needs `noise`).
    func stepNeedsNoise(timestep: Float) -> Bool

    /// diffusers `step(...).prev_sample`. `noise` is the variance noise for a
    /// stochastic step (DDPM, DDIM with eta > 0) and is ignored otherwise.
    mutating func step(modelOutput: Tensor, timestep: Float, sample: Tensor, noise: Tensor?) throws -> Tensor

    /// diffusers `add_noise(original_samples, noise, timesteps)`: one timestep
    /// for the whole batch, or one per item along dimension 0.
    func addNoise(original: Tensor, noise: Tensor, timesteps: [Float]) throws -> Tensor

    /// diffusers `set_begin_index` (img2img starts part-way through the schedule).
    mutating func setBeginIndex(_ index: Int)
}

extension Scheduler {
    /// A deterministic step (DPM-Solver++, Euler with s_churn 0, DDIM eta 0, DDPM at t = 0).
    public mutating func step(modelOutput: Tensor, timestep: Float, sample: Tensor) throws -> Tensor {
        try step(modelOutput: modelOutput, timestep: timestep, sample: sample, noise: nil)
    }

    /// A step whose variance noise, when the step needs one, is drawn from `random`
    /// (standard normal, the model output's shape); deterministic steps draw nothing.
    public mutating func step(modelOutput: Tensor, timestep: Float, sample: Tensor, random: inout TensorRandom) throws -> Tensor {
        let noise = stepNeedsNoise(timestep: timestep) ? random.normal(shape: modelOutput.shape) : nil
        return try step(modelOutput: modelOutput, timestep: timestep, sample: sample, noise: noise)
    }

    /// The img2img tail of the schedule, as diffusers' img2img pipelines take it
    /// (`get_timesteps`): keeps the last `int(N * strength)` timesteps and sets
    /// the begin index so `addNoise` and `step` start there. Call after `setTimesteps`.
    public mutating func img2imgTimesteps(strength: Double) throws -> [Float] {
        guard (0...1).contains(strength) else {
            throw SchedulerError.invalidArgument("img2img strength must be in [0, 1], got \(strength)")
        }
        let n = timesteps.count
        guard n > 0 else { throw SchedulerError.timestepsNotSet(scheduler: String(describing: Self.self)) }
        let initTimestep = min(Int(Double(n) * strength), n)
        let tStart = max(n - initTimestep, 0)
        setBeginIndex(tStart)
        return Array(timesteps[tStart...])
    }
}

/// Classifier-free guidance: `uncond + scale * (text - uncond)` elementwise in
/// float32, as the diffusers Stable Diffusion pipelines combine the two halves.
public func guided(_ uncond: Tensor, _ text: Tensor, scale: Float) throws -> Tensor {
    try Elementwise.zip(uncond, text, "guided") { u, t in u + scale * (t - u) }
}

/// Guidance on a batched prediction whose first half (along dimension 0) is
/// unconditional and second half text-conditioned (diffusers' `chunk(2)`).
public func guided(batched prediction: Tensor, scale: Float) throws -> Tensor {
    guard let batch = prediction.shape.first, batch % 2 == 0, batch > 0 else {
        throw SchedulerError.shapeMismatch("guided: batched prediction needs an even first dimension, shape is \(prediction.shape)")
    }
    let half = prediction.count / 2
    var shape = prediction.shape
    shape[0] = batch / 2
    let uncond = Tensor(shape: shape, scalars: Array(prediction.scalars[..<half]))
    let text = Tensor(shape: shape, scalars: Array(prediction.scalars[half...]))
    return try guided(uncond, text, scale: scale)
}

/// The diffusers class names `makeScheduler` builds.
public let supportedSchedulerClassNames = ["DDPMScheduler", "DDIMScheduler", "DPMSolverMultistepScheduler", "EulerDiscreteScheduler"]

/// Builds the scheduler named by `className` (default: the configuration's
/// `_class_name`) from a configuration, like diffusers' `from_config`.
public func makeScheduler(_ configuration: SchedulerConfiguration, className: String? = nil) throws -> any Scheduler {
    switch className ?? configuration.className ?? "" {
    case "DDPMScheduler": return try DDPMScheduler(configuration: configuration)
    case "DDIMScheduler": return try DDIMScheduler(configuration: configuration)
    case "DPMSolverMultistepScheduler": return try DPMSolverMultistepScheduler(configuration: configuration)
    case "EulerDiscreteScheduler": return try EulerDiscreteScheduler(configuration: configuration)
    case let other: throw SchedulerError.unsupportedScheduler(other.isEmpty ? "(no _class_name)" : other)
    }
}

/// Timestep helpers shared by the integer-timestep schedulers.
enum Spacing {
    /// DDPM/DDIM `set_timesteps` spacing (diffusers 0.42).
    static func ddpmStyle(_ spacing: SchedulerConfiguration.TimestepSpacing, steps n: Int, train: Int, offset: Int) -> [Int] {
        switch spacing {
        case .linspace:
            return NumPy.linspace(0, Double(train - 1), n).map { Int(NumPy.round($0)) }.reversed()
        case .leading:
            let ratio = train / n
            return (0..<n).map { $0 * ratio + offset }.reversed()
        case .trailing:
            let ratio = Double(train) / Double(n)
            return NumPy.arange(Double(train), 0, -ratio).map { Int(NumPy.round($0)) - 1 }
        }
    }

    static func validateCount(_ n: Int, train: Int, scheduler: String) throws {
        guard n >= 1, n <= train else {
            throw SchedulerError.invalidArgument("\(scheduler): num_inference_steps \(n) must be in 1...\(train) (num_train_timesteps)")
        }
    }

    static func integer(_ t: Float, scheduler: String, train: Int) throws -> Int {
        guard t.rounded() == t, t >= 0, t < Float(train) else {
            throw SchedulerError.timestepNotInSchedule(scheduler: scheduler, timestep: t)
        }
        return Int(t)
    }
}
