import Foundation

/// Everything a training run needs to continue exactly where it stopped:
/// model weights (`model.<name>`), AdamW moments (`optimizer.exp_avg.<name>`,
/// `optimizer.exp_avg_sq.<name>`), the EMA shadow (`ema.<name>`), and in the
/// metadata the step, the optimiser step, EMA update count and the RNG state.
/// One safetensors file written atomically (temporary file, fsync, rename):
/// a run killed at any moment finds either the previous checkpoint or the new
/// one, never a torn file.
public struct TrainingCheckpoint {
    public var step: Int
    public var random: TensorRandom
    /// Free-form values a trainer wants back (data position, best loss...).
    public var extra: [String: String]

    public init(step: Int, random: TensorRandom, extra: [String: String] = [:]) {
        self.step = step
        self.random = random
        self.extra = extra
    }

    public static func save(to path: String, model: Module, optimizer: AdamW, ema: ExponentialMovingAverage? = nil,
                            state: TrainingCheckpoint) throws(SafetensorsError) {
        var metadata = state.extra
        metadata["step"] = String(state.step)
        metadata["optimizer_step"] = String(optimizer.step)
        metadata["rng_state"] = state.random.state.map { String($0) }.joined(separator: ",")
        if let ema { metadata["ema_updates"] = String(ema.updates) }
        var writer = SafetensorsWriter(metadata: metadata)
        for (name, tensor) in model.stateDict() { try writer.add("model.\(name)", shape: tensor.shape, values: tensor.scalars) }
        for (name, tensor) in optimizer.state() { try writer.add("optimizer.\(name)", shape: tensor.shape, values: tensor.scalars) }
        if let ema {
            for (name, tensor) in ema.stateDict(shapes: model) { try writer.add("ema.\(name)", shape: tensor.shape, values: tensor.scalars) }
        }
        try writer.write(to: path)
    }

    /// Restores model, optimiser and EMA in place and returns the step and RNG state.
    public static func load(from path: String, model: Module, optimizer: AdamW, ema: ExponentialMovingAverage? = nil) throws -> TrainingCheckpoint {
        let file = try SafetensorsFile(path: path)
        func group(_ prefix: String) throws -> [String: Tensor] {
            var out: [String: Tensor] = [:]
            for info in file.tensors where info.name.hasPrefix(prefix) {
                out[String(info.name.dropFirst(prefix.count))] = Tensor(shape: info.shape, scalars: try file.floats(info.name))
            }
            return out
        }
        try model.load(try group("model."))
        guard let step = file.metadata["step"].flatMap(Int.init), let optimizerStep = file.metadata["optimizer_step"].flatMap(Int.init),
              let rng = file.metadata["rng_state"]?.split(separator: ",").compactMap({ UInt64($0) }), rng.count == 4 else {
            throw SafetensorsError(.invalidCheckpoint, file: path, "not a training checkpoint: step, optimizer_step or rng_state missing from the metadata")
        }
        try optimizer.restore(state: try group("optimizer."), step: optimizerStep)
        if let ema { ema.restore(try group("ema."), updates: file.metadata["ema_updates"].flatMap(Int.init) ?? 0) }
        var extra = file.metadata
        for key in ["step", "optimizer_step", "rng_state", "ema_updates"] { extra[key] = nil }
        return TrainingCheckpoint(step: step, random: TensorRandom(state: rng), extra: extra)
    }
}

extension TensorRandom {
    /// A generator resumed from a saved state.
    public init(state: [UInt64]) {
        precondition(state.count == 4, "xoshiro256** has four words of state")
        self.init(seed: 0)
        self.restore(state)
    }
}
