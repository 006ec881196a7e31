import Foundation

/// A diffusers `scheduler_config.json`, read with the JSON names as coding keys.
///
/// Every field is optional: a missing field takes the default of the scheduler
/// class that is built from the configuration, exactly as
/// `SomeScheduler.from_config(config)` does in diffusers (for example
/// `timestep_spacing` defaults to "leading" for DDPM/DDIM and "linspace" for
/// DPM-Solver++ and Euler). Unknown keys (`skip_prk_steps`, `_diffusers_version`,
/// ...) are ignored. Values this package does not implement are rejected while
/// decoding with a `SchedulerError.unsupportedValue` naming the field and value.
public struct SchedulerConfiguration: Codable, Equatable, Sendable {
    public enum BetaSchedule: String, Codable, Sendable, CaseIterable {
        case linear
        case scaledLinear = "scaled_linear"
        case squaredcosCapV2 = "squaredcos_cap_v2"
    }

    public enum PredictionType: String, Codable, Sendable, CaseIterable {
        case epsilon
        case vPrediction = "v_prediction"
        case sample
    }

    public enum TimestepSpacing: String, Codable, Sendable, CaseIterable {
        case leading, trailing, linspace
    }

    /// DDPM variance; only diffusers' default "fixed_small" is implemented.
    public enum VarianceType: String, Codable, Sendable, CaseIterable {
        case fixedSmall = "fixed_small"
    }

    /// DPM-Solver algorithm; only DPM-Solver++ (the diffusers default) is implemented.
    public enum AlgorithmType: String, Codable, Sendable, CaseIterable {
        case dpmSolverPlusPlus = "dpmsolver++"
    }

    public enum SolverType: String, Codable, Sendable, CaseIterable {
        case midpoint, heun
    }

    public enum FinalSigmasType: String, Codable, Sendable, CaseIterable {
        case zero
        case sigmaMin = "sigma_min"
    }

    public enum InterpolationType: String, Codable, Sendable, CaseIterable {
        case linear
    }

    public enum TimestepType: String, Codable, Sendable, CaseIterable {
        case discrete
    }

    public var className: String?
    public var numTrainTimesteps: Int?
    public var betaStart: Double?
    public var betaEnd: Double?
    public var betaSchedule: BetaSchedule?
    public var trainedBetas: [Double]?
    public var predictionType: PredictionType?
    public var timestepSpacing: TimestepSpacing?
    public var stepsOffset: Int?
    public var setAlphaToOne: Bool?
    public var clipSample: Bool?
    public var clipSampleRange: Double?
    /// Dynamic thresholding is not implemented: `true` is rejected.
    public var thresholding: Bool?
    public var varianceType: VarianceType?
    public var algorithmType: AlgorithmType?
    /// 1 or 2 (third order is not implemented).
    public var solverOrder: Int?
    public var solverType: SolverType?
    public var lowerOrderFinal: Bool?
    public var eulerAtFinal: Bool?
    public var finalSigmasType: FinalSigmasType?
    /// DPM-Solver's `lambda_min_clipped`; diffusers writes the default as `-Infinity`.
    public var lambdaMinClipped: Double?
    public var interpolationType: InterpolationType?
    public var timestepType: TimestepType?
    // Features that are rejected when true (kept so a configuration round-trips).
    public var rescaleBetasZeroSnr: Bool?
    public var useKarrasSigmas: Bool?
    public var useExponentialSigmas: Bool?
    public var useBetaSigmas: Bool?
    public var useLuLambdas: Bool?
    public var useFlowSigmas: Bool?
    public var useDynamicShifting: Bool?

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case className = "_class_name"
        case numTrainTimesteps = "num_train_timesteps"
        case betaStart = "beta_start"
        case betaEnd = "beta_end"
        case betaSchedule = "beta_schedule"
        case trainedBetas = "trained_betas"
        case predictionType = "prediction_type"
        case timestepSpacing = "timestep_spacing"
        case stepsOffset = "steps_offset"
        case setAlphaToOne = "set_alpha_to_one"
        case clipSample = "clip_sample"
        case clipSampleRange = "clip_sample_range"
        case thresholding
        case varianceType = "variance_type"
        case algorithmType = "algorithm_type"
        case solverOrder = "solver_order"
        case solverType = "solver_type"
        case lowerOrderFinal = "lower_order_final"
        case eulerAtFinal = "euler_at_final"
        case finalSigmasType = "final_sigmas_type"
        case lambdaMinClipped = "lambda_min_clipped"
        case interpolationType = "interpolation_type"
        case timestepType = "timestep_type"
        case rescaleBetasZeroSnr = "rescale_betas_zero_snr"
        case useKarrasSigmas = "use_karras_sigmas"
        case useExponentialSigmas = "use_exponential_sigmas"
        case useBetaSigmas = "use_beta_sigmas"
        case useLuLambdas = "use_lu_lambdas"
        case useFlowSigmas = "use_flow_sigmas"
        case useDynamicShifting = "use_dynamic_shifting"
    }

    /// A configuration with every field at the scheduler class default.
    public init(className: String? = nil) {
        self.className = className
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        className = try c.decodeIfPresent(String.self, forKey: .className)
        numTrainTimesteps = try c.decodeIfPresent(Int.self, forKey: .numTrainTimesteps)
        betaStart = try c.decodeIfPresent(Double.self, forKey: .betaStart)
        betaEnd = try c.decodeIfPresent(Double.self, forKey: .betaEnd)
        betaSchedule = try Self.decodeEnum(c, .betaSchedule)
        trainedBetas = try c.decodeIfPresent([Double].self, forKey: .trainedBetas)
        predictionType = try Self.decodeEnum(c, .predictionType)
        timestepSpacing = try Self.decodeEnum(c, .timestepSpacing)
        stepsOffset = try c.decodeIfPresent(Int.self, forKey: .stepsOffset)
        setAlphaToOne = try c.decodeIfPresent(Bool.self, forKey: .setAlphaToOne)
        clipSample = try c.decodeIfPresent(Bool.self, forKey: .clipSample)
        clipSampleRange = try c.decodeIfPresent(Double.self, forKey: .clipSampleRange)
        thresholding = try c.decodeIfPresent(Bool.self, forKey: .thresholding)
        varianceType = try Self.decodeEnum(c, .varianceType)
        algorithmType = try Self.decodeEnum(c, .algorithmType)
        solverOrder = try c.decodeIfPresent(Int.self, forKey: .solverOrder)
        solverType = try Self.decodeEnum(c, .solverType)
        lowerOrderFinal = try c.decodeIfPresent(Bool.self, forKey: .lowerOrderFinal)
        eulerAtFinal = try c.decodeIfPresent(Bool.self, forKey: .eulerAtFinal)
        finalSigmasType = try Self.decodeEnum(c, .finalSigmasType)
        if let text = try? c.decodeIfPresent(String.self, forKey: .lambdaMinClipped) {
            guard let value = Self.nonFiniteValues[text] else {
                throw SchedulerError.unsupportedValue(field: CodingKeys.lambdaMinClipped.rawValue, value: text, supported: ["a number", "-Infinity"])
            }
            lambdaMinClipped = value
        } else {
            lambdaMinClipped = try c.decodeIfPresent(Double.self, forKey: .lambdaMinClipped)
        }
        interpolationType = try Self.decodeEnum(c, .interpolationType)
        timestepType = try Self.decodeEnum(c, .timestepType)
        rescaleBetasZeroSnr = try c.decodeIfPresent(Bool.self, forKey: .rescaleBetasZeroSnr)
        useKarrasSigmas = try c.decodeIfPresent(Bool.self, forKey: .useKarrasSigmas)
        useExponentialSigmas = try c.decodeIfPresent(Bool.self, forKey: .useExponentialSigmas)
        useBetaSigmas = try c.decodeIfPresent(Bool.self, forKey: .useBetaSigmas)
        useLuLambdas = try c.decodeIfPresent(Bool.self, forKey: .useLuLambdas)
        useFlowSigmas = try c.decodeIfPresent(Bool.self, forKey: .useFlowSigmas)
        useDynamicShifting = try c.decodeIfPresent(Bool.self, forKey: .useDynamicShifting)
        try validate()
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(className, forKey: .className)
        try c.encodeIfPresent(numTrainTimesteps, forKey: .numTrainTimesteps)
        try c.encodeIfPresent(betaStart, forKey: .betaStart)
        try c.encodeIfPresent(betaEnd, forKey: .betaEnd)
        try c.encodeIfPresent(betaSchedule, forKey: .betaSchedule)
        try c.encodeIfPresent(trainedBetas, forKey: .trainedBetas)
        try c.encodeIfPresent(predictionType, forKey: .predictionType)
        try c.encodeIfPresent(timestepSpacing, forKey: .timestepSpacing)
        try c.encodeIfPresent(stepsOffset, forKey: .stepsOffset)
        try c.encodeIfPresent(setAlphaToOne, forKey: .setAlphaToOne)
        try c.encodeIfPresent(clipSample, forKey: .clipSample)
        try c.encodeIfPresent(clipSampleRange, forKey: .clipSampleRange)
        try c.encodeIfPresent(thresholding, forKey: .thresholding)
        try c.encodeIfPresent(varianceType, forKey: .varianceType)
        try c.encodeIfPresent(algorithmType, forKey: .algorithmType)
        try c.encodeIfPresent(solverOrder, forKey: .solverOrder)
        try c.encodeIfPresent(solverType, forKey: .solverType)
        try c.encodeIfPresent(lowerOrderFinal, forKey: .lowerOrderFinal)
        try c.encodeIfPresent(eulerAtFinal, forKey: .eulerAtFinal)
        try c.encodeIfPresent(finalSigmasType, forKey: .finalSigmasType)
        if let value = lambdaMinClipped {
            // JSON has no infinity; store the token diffusers writes, as a string.
            if value.isFinite { try c.encode(value, forKey: .lambdaMinClipped) }
            else { try c.encode(value < 0 ? "-Infinity" : "Infinity", forKey: .lambdaMinClipped) }
        }
        try c.encodeIfPresent(interpolationType, forKey: .interpolationType)
        try c.encodeIfPresent(timestepType, forKey: .timestepType)
        try c.encodeIfPresent(rescaleBetasZeroSnr, forKey: .rescaleBetasZeroSnr)
        try c.encodeIfPresent(useKarrasSigmas, forKey: .useKarrasSigmas)
        try c.encodeIfPresent(useExponentialSigmas, forKey: .useExponentialSigmas)
        try c.encodeIfPresent(useBetaSigmas, forKey: .useBetaSigmas)
        try c.encodeIfPresent(useLuLambdas, forKey: .useLuLambdas)
        try c.encodeIfPresent(useFlowSigmas, forKey: .useFlowSigmas)
        try c.encodeIfPresent(useDynamicShifting, forKey: .useDynamicShifting)
    }

    /// Parses `scheduler_config.json` text. Accepts the bare `-Infinity`,
    /// `Infinity` and `NaN` tokens Python's json module writes.
    public init(json text: String) throws {
        let cleaned = Self.quotingNonFiniteTokens(text)
        self = try JSONDecoder().decode(SchedulerConfiguration.self, from: Data(cleaned.utf8))
    }

    public init(contentsOf url: URL) throws {
        let data = try Data(contentsOf: url)
        guard let text = String(data: data, encoding: .utf8) else {
            throw SchedulerError.invalidArgument("\(url.path) is not UTF-8 text")
        }
        try self.init(json: text)
    }

    /// Rejects configurations that ask for features this package does not implement.
    public func validate() throws {
        let unsupportedFlags: [(CodingKeys, Bool?)] = [
            (.thresholding, thresholding), (.rescaleBetasZeroSnr, rescaleBetasZeroSnr),
            (.useKarrasSigmas, useKarrasSigmas), (.useExponentialSigmas, useExponentialSigmas),
            (.useBetaSigmas, useBetaSigmas), (.useLuLambdas, useLuLambdas),
            (.useFlowSigmas, useFlowSigmas), (.useDynamicShifting, useDynamicShifting),
        ]
        for (key, flag) in unsupportedFlags where flag == true {
            throw SchedulerError.unsupportedValue(field: key.rawValue, value: "true", supported: ["false"])
        }
        if let order = solverOrder, !(1...2).contains(order) {
            throw SchedulerError.unsupportedValue(field: CodingKeys.solverOrder.rawValue, value: String(order), supported: ["1", "2"])
        }
        if let n = numTrainTimesteps, n < 2 {
            throw SchedulerError.unsupportedValue(field: CodingKeys.numTrainTimesteps.rawValue, value: String(n), supported: ["an integer >= 2"])
        }
        if let betas = trainedBetas, let n = numTrainTimesteps, betas.count != n {
            throw SchedulerError.unsupportedValue(field: CodingKeys.trainedBetas.rawValue, value: "\(betas.count) values",
                                                  supported: ["num_train_timesteps (\(n)) values"])
        }
        if let range = clipSampleRange, !(range > 0) {
            throw SchedulerError.unsupportedValue(field: CodingKeys.clipSampleRange.rawValue, value: String(range), supported: ["a positive number"])
        }
    }

    private static let nonFiniteValues: [String: Double] = ["-Infinity": -.infinity, "Infinity": .infinity, "NaN": .nan]

    private static func decodeEnum<E: RawRepresentable & CaseIterable>(
        _ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys
    ) throws -> E? where E.RawValue == String {
        guard let raw = try c.decodeIfPresent(String.self, forKey: key) else { return nil }
        guard let value = E(rawValue: raw) else {
            throw SchedulerError.unsupportedValue(field: key.rawValue, value: raw, supported: E.allCases.map(\.rawValue))
        }
        return value
    }

    /// Wraps bare non-finite number tokens (outside strings) in quotes.
    static func quotingNonFiniteTokens(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        var inString = false
        let tokens = ["-Infinity", "Infinity", "NaN"].map { Array($0.unicodeScalars) }
        while i < scalars.count {
            let ch = scalars[i]
            if inString {
                out.append(ch)
                if ch == "\\", i + 1 < scalars.count { out.append(scalars[i + 1]); i += 2; continue }
                if ch == "\"" { inString = false }
                i += 1
                continue
            }
            if ch == "\"" { inString = true; out.append(ch); i += 1; continue }
            if let token = tokens.first(where: { i + $0.count <= scalars.count && Array(scalars[i..<(i + $0.count)]) == $0 }) {
                out.append("\"")
                out.append(contentsOf: token)
                out.append("\"")
                i += token.count
                continue
            }
            out.append(ch)
            i += 1
        }
        return String(out)
    }
}

/// Errors from configuration parsing and scheduler use.
public enum SchedulerError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// A configuration field holds a value this package does not implement.
    case unsupportedValue(field: String, value: String, supported: [String])
    /// `_class_name` (or the requested class) is not one of the implemented schedulers.
    case unsupportedScheduler(String)
    /// `step`/`scaleModelInput` was called before `setTimesteps`.
    case timestepsNotSet(scheduler: String)
    /// The timestep is not one of the scheduler's timesteps.
    case timestepNotInSchedule(scheduler: String, timestep: Float)
    /// A stochastic step needs a variance-noise tensor.
    case noiseRequired(scheduler: String, timestep: Float)
    case shapeMismatch(String)
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .unsupportedValue(field, value, supported):
            return "unsupported scheduler configuration: \(field) = \(value) (supported: \(supported.joined(separator: ", ")))"
        case let .unsupportedScheduler(name):
            return "unsupported scheduler class \(name) (supported: \(supportedSchedulerClassNames.joined(separator: ", ")))"
        case let .timestepsNotSet(scheduler):
            return "\(scheduler): call setTimesteps before step"
        case let .timestepNotInSchedule(scheduler, t):
            return "\(scheduler): timestep \(t) is not in the schedule"
        case let .noiseRequired(scheduler, t):
            return "\(scheduler): the step at timestep \(t) is stochastic and needs a noise tensor"
        case let .shapeMismatch(message), let .invalidArgument(message):
            return message
        }
    }

    public var errorDescription: String? { description }
}
