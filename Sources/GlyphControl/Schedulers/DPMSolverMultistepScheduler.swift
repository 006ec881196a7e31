import Foundation
import TensorCore

/// Matches diffusers `DPMSolverMultistepScheduler` with algorithm_type
/// "dpmsolver++" (DPM-Solver++ 2M by default: solver_order 2, solver_type
/// midpoint, lower_order_final, final_sigmas_type zero). Sigmas are float32
/// and the update math is float32, as in diffusers.
public struct DPMSolverMultistepScheduler: Scheduler {
    public let configuration: SchedulerConfiguration
    public let schedule: NoiseSchedule
    public private(set) var timesteps: [Float] = []
    public private(set) var integerTimesteps: [Int] = []
    /// One per timestep plus the final sigma (0 with final_sigmas_type "zero").
    public private(set) var sigmas: [Float] = []
    public var initNoiseSigma: Float { 1 }
    public private(set) var stepIndex: Int?
    public private(set) var beginIndex: Int?
    let predictionType: SchedulerConfiguration.PredictionType
    let spacing: SchedulerConfiguration.TimestepSpacing
    let stepsOffset: Int
    let solverOrder: Int
    let solverType: SchedulerConfiguration.SolverType
    let lowerOrderFinal: Bool
    let eulerAtFinal: Bool
    let finalSigmasType: SchedulerConfiguration.FinalSigmasType
    let lambdaMinClipped: Double
    /// The last `solverOrder` converted model outputs (x0 predictions), oldest first.
    var modelOutputs: [Tensor?]
    var lowerOrderNums = 0

    public init(configuration: SchedulerConfiguration = SchedulerConfiguration()) throws {
        try configuration.validate()
        self.configuration = configuration
        schedule = NoiseSchedule(configuration: configuration)
        predictionType = configuration.predictionType ?? .epsilon
        spacing = configuration.timestepSpacing ?? .linspace
        stepsOffset = configuration.stepsOffset ?? 0
        solverOrder = configuration.solverOrder ?? 2
        solverType = configuration.solverType ?? .midpoint
        lowerOrderFinal = configuration.lowerOrderFinal ?? true
        eulerAtFinal = configuration.eulerAtFinal ?? false
        finalSigmasType = configuration.finalSigmasType ?? .zero
        lambdaMinClipped = configuration.lambdaMinClipped ?? -.infinity
        modelOutputs = Array(repeating: nil, count: solverOrder)
    }

    @discardableResult
    public mutating func setTimesteps(_ numInferenceSteps: Int) throws -> [Float] {
        let train = schedule.numTrainTimesteps
        try Spacing.validateCount(numInferenceSteps, train: train, scheduler: "DPMSolverMultistepScheduler")
        let n = numInferenceSteps
        // lambda_t = log(sqrt(a)) - log(sqrt(1 - a)), float32; clipped_idx = searchsorted(flip(lambda_t), lambda_min_clipped).
        let lambdas = schedule.alphasCumprod.map { Foundation.log($0.squareRoot()) - Foundation.log((1 - $0).squareRoot()) }
        let clipped = lambdas.reversed().filter { Double($0) < lambdaMinClipped }.count
        let last = train - clipped
        var ts: [Int]
        switch spacing {
        case .linspace:
            ts = NumPy.linspace(0, Double(last - 1), n + 1).map { Int(NumPy.round($0)) }.reversed().dropLast()
        case .leading:
            let ratio = last / (n + 1)
            ts = (0...n).map { $0 * ratio + stepsOffset }.reversed().dropLast()
        case .trailing:
            let ratio = Double(train) / Double(n)
            ts = NumPy.arange(Double(last), 0, -ratio).map { Int(NumPy.round($0)) - 1 }
        }
        let fullSigmas = schedule.sigmas.map(Double.init)
        var sig = ts.map { Float(NumPy.interpOnIntegerGrid(Double($0), fullSigmas)) }
        switch finalSigmasType {
        case .zero: sig.append(0)
        case .sigmaMin: sig.append(schedule.sigmas[0])
        }
        integerTimesteps = ts
        timesteps = ts.map(Float.init)
        sigmas = sig
        modelOutputs = Array(repeating: nil, count: solverOrder)
        lowerOrderNums = 0
        stepIndex = nil
        beginIndex = nil
        return timesteps
    }

    public func scaleModelInput(_ sample: Tensor, timestep: Float) throws -> Tensor { sample }

    public func stepNeedsNoise(timestep: Float) -> Bool { false }

    public mutating func setBeginIndex(_ index: Int) { beginIndex = index }

    /// diffusers `index_for_timestep`: the second match when the timestep repeats
    /// (so img2img does not skip a sigma), the last index when it is absent.
    func index(for timestep: Float) -> Int {
        let matches = timesteps.indices.filter { timesteps[$0] == timestep }
        if matches.isEmpty { return timesteps.count - 1 }
        return matches.count > 1 ? matches[1] : matches[0]
    }

    static func alphaSigma(_ sigma: Float) -> (alpha: Float, sigma: Float) {
        let alpha = 1 / (sigma * sigma + 1).squareRoot()
        return (alpha, sigma * alpha)
    }

    static func lambda(_ alphaSigma: (alpha: Float, sigma: Float)) -> Float {
        Foundation.log(alphaSigma.alpha) - Foundation.log(alphaSigma.sigma)
    }

    public mutating func step(modelOutput: Tensor, timestep: Float, sample: Tensor, noise: Tensor?) throws -> Tensor {
        guard !timesteps.isEmpty else { throw SchedulerError.timestepsNotSet(scheduler: "DPMSolverMultistepScheduler") }
        let what = "DPMSolverMultistepScheduler.step"
        try Elementwise.check(sample, modelOutput, what)
        if stepIndex == nil { stepIndex = beginIndex ?? index(for: timestep) }
        let i = stepIndex!
        guard i < timesteps.count else {
            throw SchedulerError.invalidArgument("\(what): all \(timesteps.count) steps are done; call setTimesteps again")
        }
        let count = timesteps.count
        let isLowerOrderFinal = i == count - 1 && (eulerAtFinal || (lowerOrderFinal && count < 15) || finalSigmasType == .zero)

        // convert_model_output: the x0 prediction.
        let (alphaT, sigmaT) = Self.alphaSigma(sigmas[i])
        let x0: Tensor
        switch predictionType {
        case .epsilon: x0 = try Elementwise.zip(sample, modelOutput, what) { s, m in (s - sigmaT * m) / alphaT }
        case .sample: x0 = modelOutput
        case .vPrediction: x0 = try Elementwise.zip(sample, modelOutput, what) { s, m in alphaT * s - sigmaT * m }
        }
        for k in 0..<(solverOrder - 1) { modelOutputs[k] = modelOutputs[k + 1] }
        modelOutputs[solverOrder - 1] = x0

        let prev: Tensor
        if solverOrder == 1 || lowerOrderNums < 1 || isLowerOrderFinal {
            prev = try firstOrderUpdate(x0, sample: sample, index: i)
        } else {
            prev = try secondOrderUpdate(m0: x0, m1: modelOutputs[solverOrder - 2]!, sample: sample, index: i)
        }
        if lowerOrderNums < solverOrder { lowerOrderNums += 1 }
        stepIndex = i + 1
        return prev
    }

    func firstOrderUpdate(_ m: Tensor, sample: Tensor, index i: Int) throws -> Tensor {
        let t = Self.alphaSigma(sigmas[i + 1]), s = Self.alphaSigma(sigmas[i])
        let h = Self.lambda(t) - Self.lambda(s)
        let sampleCoeff = t.sigma / s.sigma
        let outputCoeff = t.alpha * (Foundation.exp(-h) - 1)
        return try Elementwise.zip(sample, m, "DPMSolverMultistepScheduler.step") { x, d in sampleCoeff * x - outputCoeff * d }
    }

    func secondOrderUpdate(m0: Tensor, m1: Tensor, sample: Tensor, index i: Int) throws -> Tensor {
        let t = Self.alphaSigma(sigmas[i + 1]), s0 = Self.alphaSigma(sigmas[i]), s1 = Self.alphaSigma(sigmas[i - 1])
        let lambdaT = Self.lambda(t), lambdaS0 = Self.lambda(s0), lambdaS1 = Self.lambda(s1)
        let h = lambdaT - lambdaS0, h0 = lambdaS0 - lambdaS1
        let r0 = h0 / h
        let d1Coeff = 1 / r0
        let sampleCoeff = t.sigma / s0.sigma
        let expTerm = Foundation.exp(-h) - 1
        let d0Coeff = t.alpha * expTerm
        let what = "DPMSolverMultistepScheduler.step"
        let d1 = try Elementwise.zip(m0, m1, what) { a, b in d1Coeff * (a - b) }
        switch solverType {
        case .midpoint:
            let c1 = 0.5 * (t.alpha * expTerm)
            return try Elementwise.zip3(sample, m0, d1, what) { x, d0, dd in sampleCoeff * x - d0Coeff * d0 - c1 * dd }
        case .heun:
            let c1 = t.alpha * (expTerm / h + 1)
            return try Elementwise.zip3(sample, m0, d1, what) { x, d0, dd in sampleCoeff * x - d0Coeff * d0 + c1 * dd }
        }
    }

    /// diffusers `add_noise`: alpha_t x0 + sigma_t noise at the sigma of each timestep
    /// (of the begin index once `setBeginIndex` was called). Needs `setTimesteps`.
    public func addNoise(original: Tensor, noise: Tensor, timesteps ts: [Float]) throws -> Tensor {
        guard !timesteps.isEmpty else { throw SchedulerError.timestepsNotSet(scheduler: "DPMSolverMultistepScheduler") }
        let indices: [Int]
        if beginIndex == nil { indices = ts.map { index(for: $0) } }
        else { indices = Array(repeating: stepIndex ?? beginIndex!, count: ts.count) }
        return try Elementwise.perBatch(original, noise, count: ts.count, "DPMSolverMultistepScheduler.addNoise", { k in
            let (a, s) = Self.alphaSigma(sigmas[indices[k]])
            return (a, s)
        }, { a, x, s, z in a * x + s * z })
    }
}
