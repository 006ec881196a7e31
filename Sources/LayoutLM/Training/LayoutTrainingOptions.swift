/// Every knob of `poster train layout`, kept in the checkpoint and the model card.
public struct LayoutTrainingOptions: Codable, Sendable {
    public var steps = 2000
    public var batchSize = 16
    public var learningRate: Float = 1e-3
    public var warmupSteps = 100
    public var weightDecay: Float = 0.01
    public var clipNorm: Float = 1
    public var maximumLength = 384
    public var evaluateEvery = 200
    public var validationBatches = 8
    public var checkpointEvery = 100
    public var seed: UInt64 = 0
    public var hiddenSize = 256
    public var layers = 4
    public var heads = 4
    public var intermediateSize = 688

    public init() {}

    enum CodingKeys: String, CodingKey {
        case steps, batchSize = "batch_size", learningRate = "learning_rate", warmupSteps = "warmup_steps", weightDecay = "weight_decay"
        case clipNorm = "clip_norm", maximumLength = "max_length", evaluateEvery = "evaluate_every", validationBatches = "validation_batches"
        case checkpointEvery = "checkpoint_every", seed, hiddenSize = "hidden_size", layers, heads, intermediateSize = "intermediate_size"
    }
}
