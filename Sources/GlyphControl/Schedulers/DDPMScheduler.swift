import Foundation
import TensorCore

/// Matches diffusers `DDPMScheduler` (variance_type "fixed_small"): ancestral
/// sampling, and `add_noise` for training. Schedule and step math are float32,
/// as in diffusers.
public struct DDPMScheduler: Scheduler {
    public let configuration: SchedulerConfiguration
    public let schedule: NoiseSchedule
    public private(set) var timesteps: [Float] = []
    public var initNoiseSigma: Float { 1 }
    let predictionType: SchedulerConfiguration.PredictionType
    let spacing: SchedulerConfiguration.TimestepSpacing
    let stepsOffset: Int
    let clipRange: Float?
    /// Integer form of `timesteps`.
    public private(set) var integerTimesteps: [Int] = []

    public init(configuration: SchedulerConfiguration = SchedulerConfiguration()) throws {
        try configuration.validate()
        self.configuration = configuration
        schedule = NoiseSchedule(configuration: configuration)
        predictionType = configuration.predictionType ?? .epsilon
        spacing = configuration.timestepSpacing ?? .leading
        stepsOffset = configuration.stepsOffset ?? 0
        clipRange = (configuration.clipSample ?? true) ? Float(configuration.clipSampleRange ?? 1) : nil
    }

    @discardableResult
    public mutating func setTimesteps(_ numInferenceSteps: Int) throws -> [Float] {
        try Spacing.validateCount(numInferenceSteps, train: schedule.numTrainTimesteps, scheduler: "DDPMScheduler")
        integerTimesteps = Spacing.ddpmStyle(spacing, steps: numInferenceSteps, train: schedule.numTrainTimesteps, offset: stepsOffset)
        timesteps = integerTimesteps.map(Float.init)
        return timesteps
    }

    public func scaleModelInput(_ sample: Tensor, timestep: Float) throws -> Tensor { sample }

    public func stepNeedsNoise(timestep: Float) -> Bool { timestep > 0 }

    public mutating func setBeginIndex(_ index: Int) {}

    /// diffusers `previous_timestep`: the next entry of the schedule, -1 after the
    /// last; t - 1 before `setTimesteps`.
    func previousTimestep(_ t: Int) throws -> Int {
        if integerTimesteps.isEmpty { return t - 1 }
        guard let index = integerTimesteps.firstIndex(of: t) else {
            throw SchedulerError.timestepNotInSchedule(scheduler: "DDPMScheduler", timestep: Float(t))
        }
        return index == integerTimesteps.count - 1 ? -1 : integerTimesteps[index + 1]
    }

    public mutating func step(modelOutput: Tensor, timestep: Float, sample: Tensor, noise: Tensor?) throws -> Tensor {
        let t = try Spacing.integer(timestep, scheduler: "DDPMScheduler", train: schedule.numTrainTimesteps)
        let prevT = try previousTimestep(t)
        let ac = schedule.alphasCumprod
        let alphaProdT = ac[t]
        let alphaProdTPrev: Float = prevT >= 0 ? ac[prevT] : 1
        let betaProdT = 1 - alphaProdT
        let betaProdTPrev = 1 - alphaProdTPrev
        let currentAlphaT = alphaProdT / alphaProdTPrev
        let currentBetaT = 1 - currentAlphaT
        let sqrtAlpha = alphaProdT.squareRoot(), sqrtBeta = betaProdT.squareRoot()

        var predOriginal: Tensor
        switch predictionType {
        case .epsilon:
            predOriginal = try Elementwise.zip(sample, modelOutput, "DDPMScheduler.step") { s, m in (s - sqrtBeta * m) / sqrtAlpha }
        case .sample:
            try Elementwise.check(sample, modelOutput, "DDPMScheduler.step")
            predOriginal = modelOutput
        case .vPrediction:
            predOriginal = try Elementwise.zip(sample, modelOutput, "DDPMScheduler.step") { s, m in sqrtAlpha * s - sqrtBeta * m }
        }
        if let range = clipRange {
            predOriginal = Elementwise.map(predOriginal) { min(max($0, -range), range) }
        }
        let originalCoeff = (alphaProdTPrev.squareRoot() * currentBetaT) / betaProdT
        let sampleCoeff = currentAlphaT.squareRoot() * betaProdTPrev / betaProdT
        let prev = try Elementwise.zip(predOriginal, sample, "DDPMScheduler.step") { x0, s in originalCoeff * x0 + sampleCoeff * s }
        guard t > 0 else { return prev }
        guard let noise else { throw SchedulerError.noiseRequired(scheduler: "DDPMScheduler", timestep: timestep) }
        // _get_variance, "fixed_small": beta-tilde, clamped at 1e-20.
        let variance = max((1 - alphaProdTPrev) / (1 - alphaProdT) * currentBetaT, 1e-20)
        let std = variance.squareRoot()
        return try Elementwise.zip(prev, noise, "DDPMScheduler.step noise") { p, z in p + std * z }
    }

    public func addNoise(original: Tensor, noise: Tensor, timesteps: [Float]) throws -> Tensor {
        let ts = try timesteps.map { try Spacing.integer($0, scheduler: "DDPMScheduler", train: schedule.numTrainTimesteps) }
        return try addNoise(original: original, noise: noise, timesteps: ts)
    }

    /// `add_noise` with integer timesteps (training draws them uniformly from 0..<1000).
    public func addNoise(original: Tensor, noise: Tensor, timesteps: [Int]) throws -> Tensor {
        try addNoiseToSchedule(schedule, "DDPMScheduler", original: original, noise: noise, timesteps: timesteps)
    }
}

/// DDPM/DDIM `add_noise`: sqrt(a_t) x0 + sqrt(1 - a_t) noise, float32.
func addNoiseToSchedule(_ schedule: NoiseSchedule, _ name: String, original: Tensor, noise: Tensor, timesteps: [Int]) throws -> Tensor {
    for t in timesteps where !(0..<schedule.numTrainTimesteps).contains(t) {
        throw SchedulerError.timestepNotInSchedule(scheduler: name, timestep: Float(t))
    }
    return try Elementwise.perBatch(original, noise, count: timesteps.count, "\(name).addNoise", { i in
        let a = schedule.alphasCumprod[timesteps[i]]
        return (a.squareRoot(), (1 - a).squareRoot())
    }, { ca, x, cb, z in ca * x + cb * z })
}
