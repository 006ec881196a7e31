import Foundation

/// Linear warm-up then cosine decay, as transformers'
/// get_cosine_schedule_with_warmup (half a cosine by default), with an
/// optional floor as a fraction of the peak.
public struct WarmupCosineSchedule: Sendable, Codable, Equatable {
    public var peak: Float
    public var warmupSteps: Int
    public var totalSteps: Int
    public var minimumRatio: Float

    public init(peak: Float, warmupSteps: Int, totalSteps: Int, minimumRatio: Float = 0) {
        self.peak = peak
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        self.minimumRatio = minimumRatio
    }

    /// The learning rate for optimiser step `step` (0-based, as the scheduler's counter).
    public func learningRate(at step: Int) -> Float {
        if step < warmupSteps { return peak * Float(step) / Float(max(1, warmupSteps)) }
        let progress = Double(step - warmupSteps) / Double(max(1, totalSteps - warmupSteps))
        let cosine = max(0, 0.5 * (1 + Foundation.cos(Double.pi * progress)))
        return peak * (minimumRatio + (1 - minimumRatio) * Float(cosine))
    }
}
