import TensorCore

/// What `poster train glyphcontrol` trains and how. The three stages follow
/// ControlNet's recipe: `base` trains the UNet (and the text encoder) on
/// captions alone; `controlnet` freezes that base and trains a ControlNet
/// started from its encoder, zero convs zero; `joint` trains all three at
/// once from scratch, the quickest way to legible text on a small budget.
public struct GlyphControlTrainingOptions: Sendable {
    public enum Stage: String, Sendable, CaseIterable {
        case base, controlnet, joint
    }

    public var stage: Stage = .joint
    public var steps = 4000
    public var batchSize = 8
    public var learningRate: Float = 5e-4
    public var warmupSteps = 200
    /// Cosine decay to 10% over `steps`, or constant after warm-up (resumes and extends cleanly).
    public var cosineDecay = false
    public var weightDecay: Float = 0.01
    public var clipNorm: Float = 1
    public var emaDecay: Float = 0.999
    /// Share of captions replaced by "" so classifier-free guidance works.
    public var captionDropout: Float = 0.1
    /// Loss weight on cells near text (REFERENCE 10 used 3).
    public var textWeight: Float = 3
    public var prediction: SchedulerConfiguration.PredictionType = .sample
    /// Which training timesteps are drawn more often (diffusers' timestep bias); none by default.
    public var timestepBias = TimestepBias()
    public var evaluateEvery = 250
    public var checkpointEvery = 50
    public var sampleEvery = 500
    public var sampleSteps = 20
    public var sampleGuidance: Float = 4
    public var validationExamples = 32
    /// The ControlNet also reads a colour hint (mask + RGB planes, `GlyphCondition`).
    public var colorHint = false
    /// The UNet and ControlNet add the pooled caption to the time embedding
    /// (`addition_embed_type: "text"`), a base without it gains a silenced one.
    public var pooledCaption = false
    /// Heads of the pooled-caption attention pooling.
    public var pooledCaptionHeads = 8
    /// Learning-rate multiple for the pooled-caption embedding, which starts
    /// silent inside a trained model and would otherwise grow at the model's pace.
    public var pooledCaptionLearningRateScale: Float = 1
    /// Signal-to-noise ratios of the cosine schedule divided by this squared
    /// (`NoiseSchedule.shiftedCosineBetas`, shipped as `trained_betas`); 1 is
    /// diffusers' plain `squaredcos_cap_v2`.
    public var noiseScheduleShift: Double = 1
    public var seed: UInt64 = 0

    // Architecture (ignored when resuming or when a base pipeline is given).
    /// Output image side in pixels.
    public var size = 256
    /// Space-to-depth factor: the UNet works on size/r pixels with 3·r² channels.
    public var pixelUnshuffle = 4
    public var blockOutChannels = [64, 128, 192]
    /// Down block types, first (largest) to last; up blocks mirror them.
    public var crossAttentionBlocks = [false, false, true]
    public var layersPerBlock = 1
    public var attentionHeads = 4
    public var conditioningEmbeddingOutChannels = [16, 32, 64]
    public var textHiddenSize = 128
    public var textLayers = 2
    public var textHeads = 4
    public var vocabularySize = 4096

    public init() {}

    /// The UNet (and ControlNet) configuration these options describe.
    public func unetConfiguration() -> UNetConfiguration {
        var c = UNetConfiguration()
        let channels = 3 * pixelUnshuffle * pixelUnshuffle
        c.inChannels = channels
        c.outChannels = channels
        c.blockOutChannels = blockOutChannels
        c.layersPerBlock = layersPerBlock
        c.downBlockTypes = crossAttentionBlocks.map { $0 ? "CrossAttnDownBlock2D" : "DownBlock2D" }
        c.upBlockTypes = crossAttentionBlocks.reversed().map { $0 ? "CrossAttnUpBlock2D" : "UpBlock2D" }
        c.crossAttentionDim = textHiddenSize
        c.attentionHeadDim = .single(attentionHeads)
        c.sampleSize = size / pixelUnshuffle
        c.conditioningChannels = colorHint ? GlyphCondition.maskAndColorHintChannels : 1
        c.conditioningEmbeddingOutChannels = conditioningEmbeddingOutChannels
        c.normNumGroups = 32
        if pooledCaption {
            c.additionEmbedType = "text"
            c.additionEmbedTypeNumHeads = pooledCaptionHeads
        }
        return c
    }

    /// A small CLIP text encoder for `vocabulary` tokens.
    public func textConfiguration(vocabulary: Int) -> CLIPTextConfig {
        CLIPTextConfig(vocabSize: vocabulary, hiddenSize: textHiddenSize, intermediateSize: textHiddenSize * 4, numHiddenLayers: textLayers,
                       numAttentionHeads: textHeads, maxPositionEmbeddings: CLIPTokenizer.defaultMaxLength, hiddenAct: "gelu",
                       projectionDim: nil, padTokenID: vocabulary - 1, bosTokenID: vocabulary - 2, eosTokenID: vocabulary - 1)
    }

    /// The scheduler the model is trained for and sampled with (DDIM, cosine betas as REFERENCE 10's prototype,
    /// shifted by `noiseScheduleShift`).
    public func schedulerConfiguration() -> SchedulerConfiguration {
        var s = SchedulerConfiguration(className: "DDIMScheduler")
        s.numTrainTimesteps = 1000
        s.betaSchedule = .squaredcosCapV2
        s.betaStart = 0.0001
        s.betaEnd = 0.02
        if noiseScheduleShift != 1 {
            // diffusers uses trained_betas in place of beta_schedule, so the folder samples the same there.
            s.trainedBetas = NoiseSchedule.shiftedCosineBetas(1000, shift: noiseScheduleShift).map(Double.init)
        }
        s.predictionType = prediction
        s.clipSample = false
        s.setAlphaToOne = false
        s.stepsOffset = 1
        s.timestepSpacing = .trailing
        return s
    }
}
