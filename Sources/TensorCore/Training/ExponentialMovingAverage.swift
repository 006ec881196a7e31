/// An exponential moving average of a model's parameters, as diffusers'
/// EMAModel updates it (early averages follow the model closely),
/// shadow -= (1 - decay)(shadow - param).
public final class ExponentialMovingAverage: @unchecked Sendable {
    public let maximumDecay: Float
    public private(set) var updates = 0
    public private(set) var shadow: [String: [Float]]
    private let names: [String]

    public init(_ module: Module, decay: Float = 0.9999) {
        maximumDecay = decay
        let named = module.namedParameters()
        names = named.map(\.0)
        shadow = Dictionary(named.map { ($0.0, $0.1.value.scalars) }, uniquingKeysWith: { a, _ in a })
    }

    /// The decay of the latest update, as diffusers' EMAModel.get_decay with
    /// update_after_step 0 and no warm-up: 0 on the first update (the shadow
    /// copies the model), then min(decay, (1 + s) / (10 + s)) with s = update − 1.
    public var currentDecay: Float {
        let step = Float(updates - 1)
        return step <= 0 ? 0 : min(maximumDecay, (1 + step) / (10 + step))
    }

    public func update(from module: Module) {
        updates += 1
        let decay = currentDecay
        for (name, parameter) in module.namedParameters() {
            guard var values = shadow[name] else { continue }
            let current = parameter.value.scalars
            for i in 0..<values.count { values[i] -= (1 - decay) * (values[i] - current[i]) }
            shadow[name] = values
        }
    }

    /// The averaged weights as a state dict (what gets shipped).
    public func stateDict(shapes module: Module) -> [String: Tensor] {
        Dictionary(module.namedParameters().compactMap { name, p in shadow[name].map { (name, Tensor(shape: p.shape, scalars: $0)) } },
                   uniquingKeysWith: { a, _ in a })
    }

    public func restore(_ values: [String: Tensor], updates: Int) {
        for (name, tensor) in values where shadow[name] != nil { shadow[name] = tensor.scalars }
        self.updates = updates
    }
}

/// Gradient accumulation: `backward()` adds into leaf gradients, so k
/// micro-batches whose losses are each scaled by 1/k give the gradient of the
/// mean; this counter says when the k-th has arrived and the optimiser steps.
public struct GradientAccumulation: Sendable {
    public let microBatches: Int
    public private(set) var pending = 0

    public init(microBatches: Int) {
        precondition(microBatches >= 1, "accumulate over at least one micro-batch")
        self.microBatches = microBatches
    }

    /// The factor each micro-batch's loss is multiplied by.
    public var lossScale: Float { 1 / Float(microBatches) }

    /// Records one micro-batch; true when the optimiser should step now.
    public mutating func record() -> Bool {
        pending += 1
        if pending == microBatches { pending = 0; return true }
        return false
    }
}
