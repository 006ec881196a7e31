import Foundation
import TensorCore

/// Matches diffusers `DDIMScheduler`: deterministic with `eta` 0, stochastic
/// (given variance noise) with `eta` > 0. Float32 math as in diffusers,
/// including its `prev_timestep = t - num_train_timesteps // N` rule for every
/// spacing.
public struct DDIMScheduler: Scheduler {
    public let configuration: SchedulerConfiguration
    public let schedule: NoiseSchedule
    /// diffusers' `eta` argument of `step` (0 = DDIM, 1 = DDPM-like variance).
    public var eta: Float
    public private(set) var timesteps: [Float] = []
    public private(set) var integerTimesteps: [Int] = []
    public var initNoiseSigma: Float { 1 }
    let predictionType: SchedulerConfiguration.PredictionType
    let spacing: SchedulerConfiguration.TimestepSpacing
    let stepsOffset: Int
    let clipRange: Float?
    let finalAlphaCumprod: Float

    public init(configuration: SchedulerConfiguration = SchedulerConfiguration(), eta: Float = 0) throws {
        try configuration.validate()
        guard eta >= 0 else { throw SchedulerError.invalidArgument("DDIMScheduler: eta must be >= 0, got \(eta)") }
        self.configuration = configuration
        self.eta = eta
        schedule = NoiseSchedule(configuration: configuration)
        predictionType = configuration.predictionType ?? .epsilon
        spacing = configuration.timestepSpacing ?? .leading
        stepsOffset = configuration.stepsOffset ?? 0
        clipRange = (configuration.clipSample ?? true) ? Float(configuration.clipSampleRange ?? 1) : nil
        finalAlphaCumprod = (configuration.setAlphaToOne ?? true) ? 1 : schedule.alphasCumprod[0]
    }

    @discardableResult
    public mutating func setTimesteps(_ numInferenceSteps: Int) throws -> [Float] {
        try Spacing.validateCount(numInferenceSteps, train: schedule.numTrainTimesteps, scheduler: "DDIMScheduler")
        integerTimesteps = Spacing.ddpmStyle(spacing, steps: numInferenceSteps, train: schedule.numTrainTimesteps, offset: stepsOffset)
        timesteps = integerTimesteps.map(Float.init)
        return timesteps
    }

    public func scaleModelInput(_ sample: Tensor, timestep: Float) throws -> Tensor { sample }

    public func stepNeedsNoise(timestep: Float) -> Bool { eta > 0 }

    public mutating func setBeginIndex(_ index: Int) {}

    public mutating func step(modelOutput: Tensor, timestep: Float, sample: Tensor, noise: Tensor?) throws -> Tensor {
        guard !integerTimesteps.isEmpty else { throw SchedulerError.timestepsNotSet(scheduler: "DDIMScheduler") }
        let t = try Spacing.integer(timestep, scheduler: "DDIMScheduler", train: schedule.numTrainTimesteps)
        let prevT = t - schedule.numTrainTimesteps / integerTimesteps.count
        let ac = schedule.alphasCumprod
        let alphaProdT = ac[t]
        let alphaProdTPrev = prevT >= 0 ? ac[prevT] : finalAlphaCumprod
        let betaProdT = 1 - alphaProdT
        let sqrtAlpha = alphaProdT.squareRoot(), sqrtBeta = betaProdT.squareRoot()
        let what = "DDIMScheduler.step"

        var predOriginal: Tensor
        var predEpsilon: Tensor
        switch predictionType {
        case .epsilon:
            predOriginal = try Elementwise.zip(sample, modelOutput, what) { s, m in (s - sqrtBeta * m) / sqrtAlpha }
            predEpsilon = modelOutput
        case .sample:
            try Elementwise.check(sample, modelOutput, what)
            predOriginal = modelOutput
            predEpsilon = try Elementwise.zip(sample, predOriginal, what) { s, x0 in (s - sqrtAlpha * x0) / sqrtBeta }
        case .vPrediction:
            predOriginal = try Elementwise.zip(sample, modelOutput, what) { s, m in sqrtAlpha * s - sqrtBeta * m }
            predEpsilon = try Elementwise.zip(sample, modelOutput, what) { s, m in sqrtAlpha * m + sqrtBeta * s }
        }
        if let range = clipRange {
            predOriginal = Elementwise.map(predOriginal) { min(max($0, -range), range) }
        }
        let betaProdTPrev = 1 - alphaProdTPrev
        let variance = (betaProdTPrev / betaProdT) * (1 - alphaProdT / alphaProdTPrev)
        let std = eta * variance.squareRoot()
        let directionCoeff = (1 - alphaProdTPrev - std * std).squareRoot()
        let sqrtAlphaPrev = alphaProdTPrev.squareRoot()
        let prev = try Elementwise.zip(predOriginal, predEpsilon, what) { x0, e in sqrtAlphaPrev * x0 + directionCoeff * e }
        guard eta > 0 else { return prev }
        guard let noise else { throw SchedulerError.noiseRequired(scheduler: "DDIMScheduler", timestep: timestep) }
        return try Elementwise.zip(prev, noise, "DDIMScheduler.step noise") { p, z in p + std * z }
    }

    public func addNoise(original: Tensor, noise: Tensor, timesteps: [Float]) throws -> Tensor {
        let ts = try timesteps.map { try Spacing.integer($0, scheduler: "DDIMScheduler", train: schedule.numTrainTimesteps) }
        return try addNoise(original: original, noise: noise, timesteps: ts)
    }

    public func addNoise(original: Tensor, noise: Tensor, timesteps: [Int]) throws -> Tensor {
        try addNoiseToSchedule(schedule, "DDIMScheduler", original: original, noise: noise, timesteps: timesteps)
    }
}
