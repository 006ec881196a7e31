import Foundation
import PosterCore
import TensorCore

/// `poster train layout`: supervised fine-tuning of the planner on prepared
/// records. AdamW with warm-up + cosine and gradient clipping; validation
/// loss every `evaluateEvery` steps; an atomic checkpoint (weights, optimiser,
/// RNG, data position) every `checkpointEvery` steps, so a killed run resumes
/// exactly where it stopped; a progress bar with loss, tokens/s and ETA; a
/// JSON-lines log; the final model saved as fp16 safetensors with its config
/// and tokenizer.
public final class LayoutTrainer {
    public let options: LayoutTrainingOptions
    public let examples: LayoutTrainingExamples
    public let tokenizer: LayoutTokenizer
    public let output: URL

    public init(options: LayoutTrainingOptions, examples: LayoutTrainingExamples, tokenizer: LayoutTokenizer, output: URL) {
        self.options = options
        self.examples = examples
        self.tokenizer = tokenizer
        self.output = output
    }

    public struct Summary: Sendable {
        public var steps: Int
        public var resumedFrom: Int
        public var trainLoss: Float
        public var validationLoss: Float?
        public var seconds: Double
        public var tokensPerSecond: Double
    }

    public var checkpointPath: String { output.appendingPathComponent("checkpoint.safetensors").path }

    /// The model configuration the options describe (HF LlamaConfig names).
    public func modelConfiguration() throws -> LlamaConfiguration {
        let json = """
        {"architectures": ["LlamaForCausalLM"], "vocab_size": \(tokenizer.count), "hidden_size": \(options.hiddenSize),
         "intermediate_size": \(options.intermediateSize), "num_hidden_layers": \(options.layers), "num_attention_heads": \(options.heads),
         "num_key_value_heads": \(options.heads), "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "max_position_embeddings": \(options.maximumLength),
         "tie_word_embeddings": false, "hidden_act": "silu", "bos_token_id": \(LayoutTokenizer.bosID), "eos_token_id": \(LayoutTokenizer.eosID),
         "pad_token_id": \(LayoutTokenizer.padID)}
        """
        return try JSONDecoder().decode(LlamaConfiguration.self, from: Data(json.utf8))
    }

    public func run(quiet: Bool = false) throws -> Summary {
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let model = try LlamaForCausalLM(configuration: modelConfiguration(), seed: options.seed)
        let optimizer = AdamW(model.namedParameters(), learningRate: options.learningRate, weightDecay: options.weightDecay)
        let schedule = WarmupCosineSchedule(peak: options.learningRate, warmupSteps: options.warmupSteps, totalSteps: options.steps, minimumRatio: 0.1)
        var random = TensorRandom(seed: options.seed &+ 1)
        var step = 0, epoch = 0, cursor = 0
        if FileManager.default.fileExists(atPath: checkpointPath) {
            let state = try TrainingCheckpoint.load(from: checkpointPath, model: model, optimizer: optimizer)
            step = state.step
            random = state.random
            epoch = Int(state.extra["epoch"] ?? "0") ?? 0
            cursor = Int(state.extra["cursor"] ?? "0") ?? 0
        }
        let resumedFrom = step
        var order = permutation(epoch: epoch)
        let progress = ProgressReporter("train layout", total: options.steps, unit: "steps", quiet: quiet, alreadyDone: step)
        let start = Date()
        var tokens = 0, lastLoss: Float = .nan, lastValidation: Float? = nil
        let log = output.appendingPathComponent("train_log.jsonl")
        while step < options.steps {
            if cursor + options.batchSize > order.count {
                epoch += 1
                cursor = 0
                order = permutation(epoch: epoch)
            }
            let batch = LayoutTrainingExamples.batch(order[cursor..<(cursor + options.batchSize)].map { examples.train[$0] }, padID: LayoutTokenizer.padID)
            cursor += options.batchSize
            optimizer.learningRate = schedule.learningRate(at: step)
            let logits = model.forward(ids: batch.inputs)
            let loss = logits.reshaped([-1, logits.shape[2]]).crossEntropy(targets: batch.targets)
            loss.backward()
            GradientClipping.clipNorm(model.parameters(), maxNorm: options.clipNorm)
            optimizer.update()
            model.zeroGrad()
            step += 1
            tokens += batch.inputs.count * batch.inputs[0].count
            lastLoss = loss.item
            let elapsed = Date().timeIntervalSince(start)
            if step % options.evaluateEvery == 0 || step == options.steps { lastValidation = validationLoss(model) }
            progress.advance(status: String(format: "loss %.4f%@, %.0f tok/s", lastLoss,
                                            lastValidation.map { String(format: ", val %.4f", $0) } ?? "", Double(tokens) / max(elapsed, 1e-9)))
            appendLog(log, step: step, loss: lastLoss, validation: step % options.evaluateEvery == 0 ? lastValidation : nil,
                      learningRate: optimizer.learningRate, elapsed: elapsed)
            if step % options.checkpointEvery == 0 || step == options.steps {
                try TrainingCheckpoint.save(to: checkpointPath, model: model, optimizer: optimizer,
                                            state: TrainingCheckpoint(step: step, random: random, extra: ["epoch": String(epoch), "cursor": String(cursor)]))
            }
        }
        progress.finish()
        let modelDirectory = output.appendingPathComponent("model")
        try model.save(to: modelDirectory, dtype: .f16)
        try tokenizer.save(to: modelDirectory.appendingPathComponent("tokenizer.json"))
        let seconds = Date().timeIntervalSince(start)
        return Summary(steps: step, resumedFrom: resumedFrom, trainLoss: lastLoss, validationLoss: lastValidation ?? validationLoss(model),
                       seconds: seconds, tokensPerSecond: Double(tokens) / max(seconds, 1e-9))
    }

    /// The epoch's shuffled order, a function of (seed, epoch) only, so a resumed run sees the same batches.
    func permutation(epoch: Int) -> [Int] {
        EpochOrder.shuffled(count: examples.train.count, seed: options.seed, epoch: epoch)
    }

    /// Mean loss per target token over the first validation batches.
    public func validationLoss(_ model: LlamaForCausalLM) -> Float? {
        guard !examples.validation.isEmpty else { return nil }
        var total: Double = 0, count = 0
        let limit = min(examples.validation.count, options.validationBatches * options.batchSize)
        var start = 0
        while start < limit {
            let slice = Array(examples.validation[start..<min(limit, start + options.batchSize)])
            let batch = LayoutTrainingExamples.batch(slice, padID: LayoutTokenizer.padID)
            let loss = withoutGradients { model.forward(ids: batch.inputs).reshaped([-1, model.configuration.vocabSize]).crossEntropy(targets: batch.targets) }
            total += Double(loss.item) * Double(batch.tokens)
            count += batch.tokens
            start += options.batchSize
        }
        return count > 0 ? Float(total / Double(count)) : nil
    }

    private func appendLog(_ url: URL, step: Int, loss: Float, validation: Float?, learningRate: Float, elapsed: Double) {
        var line = "{\"step\":\(step),\"loss\":\(loss),\"lr\":\(learningRate),\"elapsed\":\(String(format: "%.1f", elapsed))"
        if let validation { line += ",\"val_loss\":\(validation)" }
        TrainingLog.append(line + "}", to: url)
    }
}
