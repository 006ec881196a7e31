import Foundation
import TensorCore

/// Matches diffusers `EulerDiscreteScheduler` with interpolation_type
/// "linear", timestep_type "discrete" and s_churn 0 (deterministic): float32
/// timesteps and sigmas, `scale_model_input` dividing by sqrt(sigma^2 + 1).
public struct EulerDiscreteScheduler: Scheduler {
    public let configuration: SchedulerConfiguration
    public let schedule: NoiseSchedule
    public private(set) var timesteps: [Float] = []
    /// One per timestep plus the final sigma (0 with final_sigmas_type "zero").
    public private(set) var sigmas: [Float]
    public private(set) var stepIndex: Int?
    public private(set) var beginIndex: Int?
    let predictionType: SchedulerConfiguration.PredictionType
    let spacing: SchedulerConfiguration.TimestepSpacing
    let stepsOffset: Int
    let finalSigmasType: SchedulerConfiguration.FinalSigmasType

    public init(configuration: SchedulerConfiguration = SchedulerConfiguration()) throws {
        try configuration.validate()
        self.configuration = configuration
        schedule = NoiseSchedule(configuration: configuration)
        predictionType = configuration.predictionType ?? .epsilon
        spacing = configuration.timestepSpacing ?? .linspace
        stepsOffset = configuration.stepsOffset ?? 0
        finalSigmasType = configuration.finalSigmasType ?? .zero
        // Before setTimesteps diffusers holds all training sigmas, largest first, then 0.
        sigmas = schedule.sigmas.reversed() + [0]
    }

    /// The largest sigma for "linspace"/"trailing" spacing, sqrt(max^2 + 1) for "leading".
    public var initNoiseSigma: Float {
        let maxSigma = sigmas.max() ?? 0
        if spacing == .leading { return (maxSigma * maxSigma + 1).squareRoot() }
        return maxSigma
    }

    @discardableResult
    public mutating func setTimesteps(_ numInferenceSteps: Int) throws -> [Float] {
        let train = schedule.numTrainTimesteps
        try Spacing.validateCount(numInferenceSteps, train: train, scheduler: "EulerDiscreteScheduler")
        let n = numInferenceSteps
        let ts: [Float]
        switch spacing {
        case .linspace:
            ts = NumPy.linspace(0, Double(train - 1), n).map { Float($0) }.reversed()
        case .leading:
            let ratio = train / n
            ts = (0..<n).map { Float($0 * ratio) + Float(stepsOffset) }.reversed()
        case .trailing:
            let ratio = Double(train) / Double(n)
            ts = NumPy.arange(Double(train), 0, -ratio).map { Float(NumPy.round($0)) - 1 }
        }
        let fullSigmas = schedule.sigmas.map(Double.init)
        var sig = ts.map { Float(NumPy.interpOnIntegerGrid(Double($0), fullSigmas)) }
        switch finalSigmasType {
        case .zero: sig.append(0)
        case .sigmaMin: sig.append(schedule.sigmas[0])
        }
        timesteps = ts
        sigmas = sig
        stepIndex = nil
        beginIndex = nil
        return timesteps
    }

    public mutating func setBeginIndex(_ index: Int) { beginIndex = index }

    public func stepNeedsNoise(timestep: Float) -> Bool { false }

    /// diffusers `index_for_timestep`: the second match when the timestep repeats.
    func index(for timestep: Float) throws -> Int {
        let matches = timesteps.indices.filter { timesteps[$0] == timestep }
        guard let first = matches.first else {
            throw SchedulerError.timestepNotInSchedule(scheduler: "EulerDiscreteScheduler", timestep: timestep)
        }
        return matches.count > 1 ? matches[1] : first
    }

    func currentIndex(_ timestep: Float) throws -> Int {
        guard !timesteps.isEmpty else { throw SchedulerError.timestepsNotSet(scheduler: "EulerDiscreteScheduler") }
        if let stepIndex { return stepIndex }
        if let beginIndex { return beginIndex }
        return try index(for: timestep)
    }

    /// sample / sqrt(sigma^2 + 1) at the current step.
    public func scaleModelInput(_ sample: Tensor, timestep: Float) throws -> Tensor {
        let sigma = sigmas[try currentIndex(timestep)]
        let scale = (sigma * sigma + 1).squareRoot()
        return Elementwise.map(sample) { $0 / scale }
    }

    public mutating func step(modelOutput: Tensor, timestep: Float, sample: Tensor, noise: Tensor?) throws -> Tensor {
        let i = try currentIndex(timestep)
        let what = "EulerDiscreteScheduler.step"
        guard i < timesteps.count else {
            throw SchedulerError.invalidArgument("\(what): all \(timesteps.count) steps are done; call setTimesteps again")
        }
        let sigma = sigmas[i]
        let sigmaHat = sigma  // s_churn 0: gamma 0
        let predOriginal: Tensor
        switch predictionType {
        case .sample:
            try Elementwise.check(sample, modelOutput, what)
            predOriginal = modelOutput
        case .epsilon:
            predOriginal = try Elementwise.zip(sample, modelOutput, what) { s, m in s - sigmaHat * m }
        case .vPrediction:
            let denominator = sigma * sigma + 1
            let outputCoeff = -sigma / denominator.squareRoot()
            predOriginal = try Elementwise.zip(sample, modelOutput, what) { s, m in m * outputCoeff + s / denominator }
        }
        let dt = sigmas[i + 1] - sigmaHat
        let prev = try Elementwise.zip(sample, predOriginal, what) { s, x0 in s + ((s - x0) / sigmaHat) * dt }
        stepIndex = i + 1
        return prev
    }

    /// diffusers `add_noise`: x0 + sigma noise at each timestep's sigma (the begin
    /// index's once `setBeginIndex` was called). Needs `setTimesteps`.
    public func addNoise(original: Tensor, noise: Tensor, timesteps ts: [Float]) throws -> Tensor {
        guard !timesteps.isEmpty else { throw SchedulerError.timestepsNotSet(scheduler: "EulerDiscreteScheduler") }
        let indices: [Int]
        if beginIndex == nil { indices = try ts.map { try index(for: $0) } }
        else { indices = Array(repeating: stepIndex ?? beginIndex!, count: ts.count) }
        return try Elementwise.perBatch(original, noise, count: ts.count, "EulerDiscreteScheduler.addNoise", { k in
            (1, sigmas[indices[k]])
        }, { _, x, s, z in x + z * s })
    }
}
