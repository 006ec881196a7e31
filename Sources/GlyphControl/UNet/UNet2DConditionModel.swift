import TensorCore

/// diffusers `UNet2DConditionModel`: conv_in, sinusoidal time projection and
/// time_embedding, down blocks keeping skips, the cross-attention mid block,
/// up blocks consuming the skips, GroupNorm + SiLU + conv_out. Pixel-space
/// (3 channels) and latent (4 channels) models alike; ControlNet residuals,
/// when given, are added to the skips and to the mid block's output.
public final class UNet2DConditionModel: Module, @unchecked Sendable {
    public let configuration: UNetConfiguration
    @Key("conv_in") var convIn: Conv2d
    @Key("time_embedding") var timeEmbedding: TimestepEmbedding
    @Key("add_embedding") var addEmbedding: TextTimeEmbedding?
    @Key("down_blocks") var downBlocks: [DownBlock]
    @Key("mid_block") var midBlock: MidBlock?
    @Key("up_blocks") var upBlocks: [UpBlock]
    @Key("conv_norm_out") var normOut: GroupNorm
    @Key("conv_out") var convOut: Conv2d

    public init(configuration: UNetConfiguration, seed: UInt64 = 0) throws(UnsupportedConfiguration) {
        try configuration.validate()
        self.configuration = configuration
        var random = TensorRandom(seed: seed)
        let c = configuration
        let channels = c.blockOutChannels, timeChannels = channels[0] * 4
        let (groups, epsilon) = (c.normNumGroups, c.normEps)
        super.init()
        _convIn.wrappedValue = Conv2d(c.inChannels, channels[0], kernel: 3, padding: 1, random: &random)
        _timeEmbedding.wrappedValue = TimestepEmbedding(inChannels: channels[0], dimension: timeChannels, random: &random)
        _addEmbedding.wrappedValue = c.makeAddEmbedding(timeChannels: timeChannels, random: &random)
        _downBlocks.wrappedValue = c.makeDownBlocks(timeChannels: timeChannels, random: &random)
        _midBlock.wrappedValue = c.midBlockType == nil ? nil : c.makeMidBlock(timeChannels: timeChannels, random: &random)
        let reversed = Array(channels.reversed())
        var output = reversed[0]
        _upBlocks.wrappedValue = c.upBlockTypes.enumerated().map { i, type in
            let previous = output
            output = reversed[i]
            let input = reversed[min(i + 1, reversed.count - 1)]
            let block = channels.count - 1 - i
            let cross = type.hasPrefix("CrossAttn")
                ? (c.heads(block: block), c.crossAttentionDim, c.transformerLayers(block: block), c.useLinearProjection) : nil
            return UpBlock(inChannels: input, previousChannels: previous, outChannels: output, timeChannels: timeChannels,
                           layers: c.layersPerBlock + 1, crossAttention: cross, addUpsample: i < channels.count - 1,
                           groups: groups, epsilon: epsilon, random: &random)
        }
        _normOut.wrappedValue = GroupNorm(groups: groups, channels: channels[0], epsilon: epsilon)
        _convOut.wrappedValue = Conv2d(channels[0], c.outChannels, kernel: 3, padding: 1, random: &random)
    }

    /// The time embedding for one timestep per batch element, plus the pooled caption when the UNet has one.
    func embedTime(_ timesteps: [Float], context: Tensor) -> Tensor {
        let emb = timeEmbedding(SinusoidalTimesteps.embed(timesteps, dimension: configuration.blockOutChannels[0],
                                                          flipSinToCos: configuration.flipSinToCos, frequencyShift: configuration.freqShift))
        return addEmbedding.map { emb + $0(context) } ?? emb
    }

    /// The noise (or v / x0) prediction for `sample` [B, C, H, W] at
    /// `timesteps` (one per batch element) given `context` [B, S, cross_attention_dim].
    public func callAsFunction(_ sample: Tensor, timesteps: [Float], context: Tensor, controlnet: ControlNetResiduals? = nil) -> Tensor {
        precondition(timesteps.count == sample.shape[0], "one timestep per batch element")
        let emb = embedTime(timesteps, context: context)
        var h = convIn(sample)
        var skips = [h]
        for block in downBlocks {
            let out = block(h, timeEmbedding: emb, context: context)
            h = out.sample
            skips += out.skips
        }
        if let controlnet {
            precondition(controlnet.down.count == skips.count, "ControlNet gives \(controlnet.down.count) residuals for \(skips.count) skips")
            skips = zip(skips, controlnet.down).map { $0 + $1 }
        }
        if let midBlock { h = midBlock(h, timeEmbedding: emb, context: context) }
        if let mid = controlnet?.mid { h = h + mid }
        for block in upBlocks { h = block(h, skips: &skips, timeEmbedding: emb, context: context) }
        return convOut(normOut(h).silu())
    }
}

/// What a ControlNet adds to the UNet: one residual per skip connection and one for the mid block.
public struct ControlNetResiduals: Sendable {
    public var down: [Tensor]
    public var mid: Tensor?

    public init(down: [Tensor], mid: Tensor?) {
        self.down = down
        self.mid = mid
    }

    /// The sum of several ControlNets' residuals.
    public static func + (a: ControlNetResiduals, b: ControlNetResiduals) -> ControlNetResiduals {
        ControlNetResiduals(down: zip(a.down, b.down).map { $0 + $1 },
                            mid: a.mid.flatMap { x in b.mid.map { x + $0 } } ?? a.mid ?? b.mid)
    }
}
