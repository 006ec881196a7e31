import Foundation
import PosterCore
import TensorCore

/// `poster train glyphcontrol`: trains a glyph-conditioned pixel-space
/// pipeline (UNet, glyph ControlNet reading the 1-channel mask, small CLIP
/// text encoder) the way diffusers' train_text_to_image and train_controlnet
/// scripts do: noise at a uniform timestep, the scheduler's prediction
/// target, AdamW with warm-up and clipping, EMA weights for sampling,
/// caption dropout for classifier-free guidance. On top: a heavier loss on
/// text regions. Writes OUT/checkpoint.safetensors atomically (model,
/// optimiser, EMA, RNG, data position, wall time) so a run resumes exactly,
/// OUT/train_log.jsonl, sample sheets via `onSamples`, and at the end
/// OUT/model/, a diffusers pipeline folder of the EMA weights in fp16.
public final class GlyphControlTrainer {
    public let options: GlyphControlTrainingOptions
    public let train: GlyphControlExampleSource
    public let validation: GlyphControlExampleSource
    public let output: URL
    /// A pipeline folder whose UNet and text encoder start the `controlnet` stage (or seed `joint`); its
    /// ControlNet, if it has one, starts the run's ControlNet.
    public let base: URL?
    /// Called with sample rows every `sampleEvery` steps and at the end.
    public var onSamples: ((Int, [SampleRow]) throws -> Void)?

    public struct SampleRow: Sendable {
        public var caption: String
        public var mask: GrayImage
        public var output: RGBImage
        public var reference: RGBImage
    }

    public struct Summary: Sendable {
        public var steps: Int
        public var resumedFrom: Int
        public var trainLoss: Float
        public var validationLoss: Float?
        public var seconds: Double
        public var samplesPerSecond: Double
        public var model: URL
    }

    public init(options: GlyphControlTrainingOptions, train: GlyphControlExampleSource, validation: GlyphControlExampleSource,
                output: URL, base: URL? = nil) {
        self.options = options
        self.train = train
        self.validation = validation
        self.output = output
        self.base = base
    }

    var checkpointPath: String { output.appendingPathComponent("checkpoint.safetensors").path }
    var tokenizerDirectory: URL { output.appendingPathComponent("tokenizer") }
    var configurationPath: URL { output.appendingPathComponent("run.json") }

    /// The tokenizer: the base pipeline's, the run's own, or learnt now from the training captions.
    func tokenizer() throws -> CLIPTokenizer {
        if let base {
            let files = base.appendingPathComponent("tokenizer")
            if !FileManager.default.fileExists(atPath: tokenizerDirectory.appendingPathComponent("vocab.json").path) {
                try FileManager.default.createDirectory(at: tokenizerDirectory, withIntermediateDirectories: true)
                for name in try FileManager.default.contentsOfDirectory(atPath: files.path) {
                    try FileManager.default.copyItem(at: files.appendingPathComponent(name), to: tokenizerDirectory.appendingPathComponent(name))
                }
            }
        }
        if FileManager.default.fileExists(atPath: tokenizerDirectory.appendingPathComponent("vocab.json").path) {
            return try CLIPTokenizer(directory: tokenizerDirectory.path)
        }
        var captions: [String] = []
        for i in 0..<min(train.count, 20_000) { captions.append(try train.example(at: i).caption) }
        return try CLIPVocabularyBuilder(vocabularySize: options.vocabularySize).write(from: captions, to: tokenizerDirectory)
    }

    /// A base's UNet or ControlNet, given a silenced pooled-caption embedding when the run asks for one it lacks.
    func pooled<Model: Module>(_ model: Model, configuration: UNetConfiguration,
                               make: (UNetConfiguration, UInt64) throws -> Model) throws -> Model {
        guard options.pooledCaption else { return model }
        return try GlyphControlModelSet.addingPooledCaption(model, configuration: configuration, heads: options.pooledCaptionHeads,
                                                            seed: options.seed &+ 4, make: make)
    }

    /// Fresh models for the options, or the base pipeline's UNet and text encoder.
    func makeModels(tokenizer: CLIPTokenizer) throws -> GlyphControlModelSet {
        var configuration = options.unetConfiguration()
        let unet: UNet2DConditionModel
        let textEncoder: CLIPTextModel
        if let base {
            let directory = try PipelineDirectory(base)
            let trained = try directory.unet()
            unet = try pooled(trained, configuration: trained.configuration) { try UNet2DConditionModel(configuration: $0, seed: $1) }
            textEncoder = try CLIPTextModel.load(from: base.appendingPathComponent("text_encoder"))
            let model = try GlyphPosterModelConfiguration.load(pipeline: base)
            guard model.pixelUnshuffle == options.pixelUnshuffle else {
                throw GenerationError("\(base.path): the base works at pixel_unshuffle \(model.pixelUnshuffle), this run at \(options.pixelUnshuffle)")
            }
            let kept = configuration
            configuration = unet.configuration
            configuration.conditioningChannels = kept.conditioningChannels
            configuration.conditioningEmbeddingOutChannels = kept.conditioningEmbeddingOutChannels
        } else {
            unet = try UNet2DConditionModel(configuration: configuration, seed: options.seed)
            textEncoder = try CLIPTextModel(options.textConfiguration(vocabulary: tokenizer.count), seed: options.seed &+ 2)
        }
        let controlnet: ControlNetModel?
        if options.stage == .base {
            controlnet = nil
        } else if let base, let trained = try PipelineDirectory(base).controlnet() {
            // The base's own ControlNet carries on (widened with zero weights when the run adds the colour hint).
            let widened = try GlyphControlModelSet.widened(trained, conditioningChannels: configuration.conditioningChannels ?? 1)
            controlnet = try pooled(widened, configuration: widened.configuration) { try ControlNetModel(configuration: $0, seed: $1) }
        } else {
            controlnet = try GlyphControlModelSet.controlNet(from: unet, configuration: configuration, seed: options.seed &+ 1)
        }
        // Loaded components come back frozen; only the controlnet stage keeps the base that way.
        unet.setTrainable(options.stage != .controlnet)
        textEncoder.setTrainable(options.stage != .controlnet)
        return GlyphControlModelSet(unet: unet, controlnet: controlnet, textEncoder: textEncoder)
    }

    public func run(quiet: Bool = false) throws -> Summary {
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        guard train.count >= options.batchSize else {
            throw GenerationError("\(train.count) training examples are fewer than one batch of \(options.batchSize)")
        }
        let tokenizer = try tokenizer()
        let models = try makeModels(tokenizer: tokenizer)
        let trainable = models.namedParameters().filter { $0.1.isTrainable }
        let optimizer = AdamW(trainable, learningRate: options.learningRate, weightDecay: options.weightDecay)
        if options.pooledCaption && options.pooledCaptionLearningRateScale != 1 {
            optimizer.setLearningRateScale(options.pooledCaptionLearningRateScale) { $0.contains(".add_embedding.") }
        }
        let ema = ExponentialMovingAverage(models, decay: options.emaDecay)
        let schedule = WarmupCosineSchedule(peak: options.learningRate, warmupSteps: options.warmupSteps, totalSteps: options.steps,
                                            minimumRatio: options.cosineDecay ? 0.1 : 1)
        let scheduler = options.schedulerConfiguration()
        let objective = DiffusionObjective(schedule: NoiseSchedule(configuration: scheduler), prediction: options.prediction)
        var random = TensorRandom(seed: options.seed &+ 3)
        var step = 0, epoch = 0, cursor = 0
        var previousSeconds = 0.0
        if FileManager.default.fileExists(atPath: checkpointPath) {
            let state = try TrainingCheckpoint.load(from: checkpointPath, model: models, optimizer: optimizer, ema: ema)
            step = state.step
            random = state.random
            epoch = Int(state.extra["epoch"] ?? "0") ?? 0
            cursor = Int(state.extra["cursor"] ?? "0") ?? 0
            previousSeconds = Double(state.extra["seconds"] ?? "0") ?? 0
            // Checkpoints from before the option trained on the plain schedule.
            let shift = Double(state.extra["noise_schedule_shift"] ?? "1") ?? 1
            guard shift == options.noiseScheduleShift else {
                throw GenerationError("\(checkpointPath) was trained with noise schedule shift \(shift), this run asks for \(options.noiseScheduleShift): "
                                      + "resume with the same --noise-schedule-shift or start a new --out")
            }
        }
        let resumedFrom = step
        var order = permutation(epoch: epoch)
        let progress = ProgressReporter("train glyphcontrol (\(options.stage.rawValue))", total: options.steps, unit: "steps", quiet: quiet,
                                        alreadyDone: step)
        let start = Date()
        var seen = 0, lastLoss: Float = .nan, lastValidation: Float? = nil, smoothed: Float? = nil
        let log = output.appendingPathComponent("train_log.jsonl")
        TrainingLog.truncate(log, after: step)
        let r = options.pixelUnshuffle
        while step < options.steps {
            if cursor + options.batchSize > order.count {
                epoch += 1
                cursor = 0
                order = permutation(epoch: epoch)
            }
            let examples = try order[cursor..<(cursor + options.batchSize)].map { try train.example(at: $0) }
            cursor += options.batchSize
            let captions = examples.map { random.uniform() < options.captionDropout ? "" : $0.caption }
            let batch = try Self.batch(examples, size: options.size, conditionChannels: Self.conditionChannels(models))
            let x0 = PixelShuffle.unshuffle(batch.images, factor: r)
            let noise = random.normal(shape: x0.shape)
            let timesteps = (0..<examples.count).map { _ in options.timestepBias.draw(count: objective.schedule.numTrainTimesteps, random: &random) }
            let (sample, target) = objective.noised(x0, noise: noise, timesteps: timesteps)
            let weight = DiffusionObjective.textRegionWeight(masks: batch.masks, factor: r, channels: x0.shape[1], textWeight: options.textWeight)
            optimizer.learningRate = schedule.learningRate(at: step)
            let loss = Self.loss(models, tokenizer: tokenizer, sample: sample, timesteps: timesteps, captions: captions, condition: batch.conditions,
                                 target: target, weight: weight)
            loss.backward()
            GradientClipping.clipNorm(trainable.map(\.1), maxNorm: options.clipNorm)
            optimizer.update()
            models.zeroGrad()
            ema.update(from: models)
            step += 1
            seen += examples.count
            lastLoss = loss.item
            smoothed = smoothed.map { 0.95 * $0 + 0.05 * lastLoss } ?? lastLoss
            let elapsed = Date().timeIntervalSince(start)
            var validationNow: Float? = nil
            if step % options.evaluateEvery == 0 || step == options.steps {
                validationNow = try validationLoss(models, tokenizer: tokenizer, objective: objective)
                lastValidation = validationNow ?? lastValidation
            }
            progress.advance(status: String(format: "loss %.4f%@, %.2f samples/s", smoothed ?? lastLoss,
                                            lastValidation.map { String(format: ", val %.4f", $0) } ?? "", Double(seen) / max(elapsed, 1e-9)))
            appendLog(log, ["step": "\(step)", "loss": "\(lastLoss)", "lr": "\(optimizer.learningRate)",
                            "seconds": String(format: "%.1f", previousSeconds + elapsed), "val_loss": validationNow.map { "\($0)" }])
            if step % options.checkpointEvery == 0 || step == options.steps {
                try TrainingCheckpoint.save(to: checkpointPath, model: models, optimizer: optimizer, ema: ema,
                                            state: TrainingCheckpoint(step: step, random: random, extra: [
                                                "epoch": String(epoch), "cursor": String(cursor),
                                                "seconds": String(format: "%.1f", previousSeconds + Date().timeIntervalSince(start)),
                                                "stage": options.stage.rawValue,
                                                "noise_schedule_shift": String(options.noiseScheduleShift)]))
            }
            if let onSamples, step % options.sampleEvery == 0 || step == options.steps {
                try withEMA(ema, models) { try onSamples(step, samples(models, tokenizer: tokenizer)) }
            }
        }
        progress.finish()
        let modelDirectory = output.appendingPathComponent("model")
        try withEMA(ema, models) {
            try PipelineWriter.write(models: models, tokenizer: tokenizerDirectory, scheduler: exportedScheduler(trained: scheduler),
                                     model: GlyphPosterModelConfiguration(pixelUnshuffle: r, sampleSize: options.size,
                                                                          guidanceScale: options.sampleGuidance, steps: options.sampleSteps),
                                     to: modelDirectory)
        }
        let seconds = Date().timeIntervalSince(start)
        return Summary(steps: step, resumedFrom: resumedFrom, trainLoss: smoothed ?? lastLoss, validationLoss: lastValidation,
                       seconds: previousSeconds + seconds, samplesPerSecond: Double(seen) / max(seconds, 1e-9), model: modelDirectory)
    }

    /// The scheduler the exported folder names: the base's when it samples the
    /// noise schedule this run trained on (a folder tuned to DPM-Solver++ stays
    /// DPM-Solver++ when training carries on from it), else the training DDIM.
    func exportedScheduler(trained: SchedulerConfiguration) -> SchedulerConfiguration {
        guard let base, let kept = try? PipelineDirectory(base).schedulerConfiguration() else { return trained }
        let sameSchedule = NoiseSchedule(configuration: kept) == NoiseSchedule(configuration: trained)
            && kept.predictionType == trained.predictionType && kept.rescaleBetasZeroSnr != true
        return sameSchedule ? kept : trained
    }

    /// The weighted loss of one batch; gradients flow to whatever is trainable.
    static func loss(_ models: GlyphControlModelSet, tokenizer: CLIPTokenizer, sample: Tensor, timesteps: [Int], captions: [String],
                     condition: Tensor, target: Tensor, weight: Tensor) -> Tensor {
        let context = try! models.textEncoder(tokenizer.encode(captions))
        let ts = timesteps.map(Float.init)
        let residuals = models.controlnet.map { $0(sample, timesteps: ts, context: context, condition: condition) }
        let prediction = models.unet(sample, timesteps: ts, context: context, controlnet: residuals)
        return DiffusionObjective.loss(prediction: prediction, target: target, weight: weight)
    }

    /// Images [B, 3, S, S] in [-1, 1], masks [B, 1, S, S] in [0, 1] (for the loss weight) and the ControlNet's
    /// condition [B, C, S, S] (`GlyphCondition`), resized to `size` where needed.
    static func batch(_ examples: [GlyphControlExample], size: Int, conditionChannels: Int) throws -> (images: Tensor, masks: Tensor, conditions: Tensor) {
        var images = [Float](), masks = [Float](), conditions = [Float]()
        images.reserveCapacity(examples.count * 3 * size * size)
        for example in examples {
            let image = example.image.width == size && example.image.height == size ? example.image : example.image.resized(width: size, height: size)
            let mask = example.mask.width == size && example.mask.height == size ? example.mask : example.mask.resizedNearest(width: size, height: size)
            for c in 0..<3 {
                for i in 0..<(size * size) { images.append(Float(image.pixels[i * 3 + c]) / 127.5 - 1) }
            }
            masks += mask.pixels.map { Float($0) / 255 }
            if conditionChannels != 1 {
                let hint = example.colorHint.map { $0.width == size && $0.height == size ? $0 : $0.resized(width: size, height: size) }
                conditions += try GlyphCondition.planes(mask: mask, colorHint: hint, channels: conditionChannels)
            }
        }
        let maskTensor = Tensor(shape: [examples.count, 1, size, size], scalars: masks)
        return (Tensor(shape: [examples.count, 3, size, size], scalars: images), maskTensor,
                conditionChannels == 1 ? maskTensor : Tensor(shape: [examples.count, conditionChannels, size, size], scalars: conditions))
    }

    /// Channels the ControlNet reads (1 without one: the condition is unused).
    static func conditionChannels(_ models: GlyphControlModelSet) -> Int {
        models.controlnet?.configuration.conditioningChannels ?? 1
    }

    /// Mean loss over the first validation examples at fixed timesteps and noise, so values compare across steps and runs.
    func validationLoss(_ models: GlyphControlModelSet, tokenizer: CLIPTokenizer, objective: DiffusionObjective) throws -> Float? {
        let count = min(validation.count, options.validationExamples)
        guard count > 0 else { return nil }
        var random = TensorRandom(seed: 12345)
        var total: Float = 0, batches = 0, start = 0
        while start < count {
            let examples = try (start..<min(count, start + options.batchSize)).map { try validation.example(at: $0) }
            let batch = try Self.batch(examples, size: options.size, conditionChannels: Self.conditionChannels(models))
            let x0 = PixelShuffle.unshuffle(batch.images, factor: options.pixelUnshuffle)
            let timesteps = examples.indices.map { (start + $0) * 997 % objective.schedule.numTrainTimesteps }
            let (sample, target) = objective.noised(x0, noise: random.normal(shape: x0.shape), timesteps: timesteps)
            let loss = withoutGradients {
                Self.loss(models, tokenizer: tokenizer, sample: sample, timesteps: timesteps, captions: examples.map(\.caption), condition: batch.conditions,
                          target: target, weight: DiffusionObjective.textRegionWeight(masks: batch.masks, factor: options.pixelUnshuffle,
                                                                                      channels: x0.shape[1], textWeight: options.textWeight))
            }
            total += loss.item
            batches += 1
            start += options.batchSize
        }
        return total / Float(batches)
    }

    /// The first four validation examples sampled with the current weights.
    func samples(_ models: GlyphControlModelSet, tokenizer: CLIPTokenizer) throws -> [SampleRow] {
        let pipeline = GlyphPosterPipeline(unet: models.unet, controlnet: models.controlnet, vae: nil,
                                           promptEncoder: CLIPPromptEncoder(tokenizer: tokenizer, model: models.textEncoder),
                                           scheduler: options.schedulerConfiguration(), pixelUnshuffle: options.pixelUnshuffle)
        return try (0..<min(4, validation.count)).map { i in
            let example = try validation.example(at: i)
            let mask = example.mask.width == options.size ? example.mask : example.mask.resizedNearest(width: options.size, height: options.size)
            var configuration = GenerationConfiguration(prompt: example.caption)
            configuration.width = options.size
            configuration.height = options.size
            configuration.glyphMask = models.controlnet == nil ? nil : mask
            configuration.colorHint = example.colorHint.map { $0.width == options.size ? $0 : $0.resized(width: options.size, height: options.size) }
            configuration.steps = options.sampleSteps
            configuration.guidanceScale = options.sampleGuidance
            configuration.seed = UInt64(i)
            let reference = example.image.width == options.size ? example.image : example.image.resized(width: options.size, height: options.size)
            return SampleRow(caption: example.caption, mask: mask, output: try pipeline.generate(configuration), reference: reference)
        }
    }

    /// Runs `body` with the EMA weights loaded, then puts the training weights back.
    func withEMA(_ ema: ExponentialMovingAverage, _ models: GlyphControlModelSet, _ body: () throws -> Void) throws {
        let current = models.stateDict()
        try models.load(ema.stateDict(shapes: models))
        defer { try? models.load(current) }
        try body()
    }

    /// The epoch's shuffled order, a function of (seed, epoch) only, so a resumed run sees the same batches.
    func permutation(epoch: Int) -> [Int] {
        EpochOrder.shuffled(count: train.count, seed: options.seed, epoch: epoch)
    }

    private func appendLog(_ url: URL, _ fields: KeyValuePairs<String, String?>) {
        TrainingLog.append("{" + fields.compactMap { key, value in value.map { "\"\(key)\":\($0)" } }.joined(separator: ",") + "}", to: url)
    }
}
