import Foundation
import TensorCore

/// diffusers `ControlNetConditioningEmbedding`: conv_in (conditioning channels
/// -> first width), pairs of 3x3 convs (same width, then stride 2 to the next
/// width) with SiLU after each, and a zero-initialised conv_out to the UNet's
/// first block width. A 1-channel glyph mask works as well as RGB.
final class ConditioningEmbedding: Module, @unchecked Sendable {
    @Key("conv_in") var convIn: Conv2d
    let blocks: [Conv2d]
    @Key("conv_out") var convOut: Conv2d

    init(conditioningChannels: Int, widths: [Int], outChannels: Int, random: inout TensorRandom) {
        var layers: [Conv2d] = []
        for i in 0..<(widths.count - 1) {
            layers.append(Conv2d(widths[i], widths[i], kernel: 3, padding: 1, random: &random))
            layers.append(Conv2d(widths[i], widths[i + 1], kernel: 3, stride: 2, padding: 1, random: &random))
        }
        blocks = layers
        super.init()
        _convIn.wrappedValue = Conv2d(conditioningChannels, widths[0], kernel: 3, padding: 1, random: &random)
        _convOut.wrappedValue = Conv2d(widths.last!, outChannels, kernel: 3, padding: 1, zeroInitialised: true, random: &random)
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        var h = convIn(x).silu()
        for block in blocks { h = block(h).silu() }
        return convOut(h)
    }
}

/// diffusers `ControlNetModel`: a copy of the UNet's conv_in, time embedding,
/// down blocks and mid block, fed the noisy sample plus the embedded
/// condition; one zero-initialised 1x1 conv per skip
/// (`controlnet_down_blocks.N`) and one for the mid block
/// (`controlnet_mid_block`). Zero convs make a fresh ControlNet a no-op.
public final class ControlNetModel: Module, @unchecked Sendable {
    public let configuration: UNetConfiguration
    @Key("conv_in") var convIn: Conv2d
    @Key("time_embedding") var timeEmbedding: TimestepEmbedding
    @Key("add_embedding") var addEmbedding: TextTimeEmbedding?
    @Key("controlnet_cond_embedding") var conditioning: ConditioningEmbedding
    @Key("down_blocks") var downBlocks: [DownBlock]
    @Key("controlnet_down_blocks") var zeroConvs: [Conv2d]
    @Key("mid_block") var midBlock: MidBlock
    @Key("controlnet_mid_block") var zeroMid: Conv2d

    public init(configuration: UNetConfiguration, seed: UInt64 = 0) throws(UnsupportedConfiguration) {
        try configuration.validate()
        self.configuration = configuration
        var random = TensorRandom(seed: seed)
        let c = configuration
        let channels = c.blockOutChannels, timeChannels = channels[0] * 4
        super.init()
        _convIn.wrappedValue = Conv2d(c.inChannels, channels[0], kernel: 3, padding: 1, random: &random)
        _timeEmbedding.wrappedValue = TimestepEmbedding(inChannels: channels[0], dimension: timeChannels, random: &random)
        _addEmbedding.wrappedValue = c.makeAddEmbedding(timeChannels: timeChannels, random: &random)
        _conditioning.wrappedValue = ConditioningEmbedding(conditioningChannels: c.conditioningChannels ?? 3,
                                                           widths: c.conditioningEmbeddingOutChannels ?? [16, 32, 96, 256],
                                                           outChannels: channels[0], random: &random)
        _downBlocks.wrappedValue = c.makeDownBlocks(timeChannels: timeChannels, random: &random)
        // One zero conv for conv_in's output, then one per skip each down block keeps.
        var zero: [Conv2d] = [Conv2d(channels[0], channels[0], kernel: 1, zeroInitialised: true, random: &random)]
        for (i, width) in channels.enumerated() {
            for _ in 0..<(c.layersPerBlock + (i == channels.count - 1 ? 0 : 1)) {
                zero.append(Conv2d(width, width, kernel: 1, zeroInitialised: true, random: &random))
            }
        }
        _zeroConvs.wrappedValue = zero
        _midBlock.wrappedValue = c.makeMidBlock(timeChannels: timeChannels, random: &random)
        _zeroMid.wrappedValue = Conv2d(channels.last!, channels.last!, kernel: 1, zeroInitialised: true, random: &random)
    }

    /// Residuals for the UNet, scaled by `conditioningScale`; in guess mode
    /// the scales rise log-uniformly from 0.1 to 1 from the first skip to the mid block.
    public func callAsFunction(_ sample: Tensor, timesteps: [Float], context: Tensor, condition: Tensor,
                               conditioningScale: Float = 1, guessMode: Bool = false) -> ControlNetResiduals {
        callAsFunction(sample, timesteps: timesteps, context: context, embeddedCondition: embedCondition(condition),
                       conditioningScale: conditioningScale, guessMode: guessMode)
    }

    /// The condition through `controlnet_cond_embedding`. It does not depend on
    /// the sample or the timestep, so a sampling loop embeds it once.
    public func embedCondition(_ condition: Tensor) -> Tensor { conditioning(condition) }

    /// Residuals from a condition already through `embedCondition`.
    public func callAsFunction(_ sample: Tensor, timesteps: [Float], context: Tensor, embeddedCondition: Tensor,
                               conditioningScale: Float = 1, guessMode: Bool = false) -> ControlNetResiduals {
        var emb = timeEmbedding(SinusoidalTimesteps.embed(timesteps, dimension: configuration.blockOutChannels[0],
                                                          flipSinToCos: configuration.flipSinToCos, frequencyShift: configuration.freqShift))
        if let addEmbedding { emb = emb + addEmbedding(context) }
        var h = convIn(sample) + embeddedCondition
        var skips = [h]
        for block in downBlocks {
            let out = block(h, timeEmbedding: emb, context: context)
            h = out.sample
            skips += out.skips
        }
        h = midBlock(h, timeEmbedding: emb, context: context)
        var down = zip(skips, zeroConvs).map { $1($0) }
        var mid = zeroMid(h)
        if guessMode {
            let count = down.count + 1
            let scales = (0..<count).map { i in Float(Foundation.pow(10, -1 + Double(i) / Double(count - 1))) * conditioningScale }
            down = zip(down, scales).map { $0 * $1 }
            mid = mid * scales[count - 1]
        } else if conditioningScale != 1 {
            down = down.map { $0 * conditioningScale }
            mid = mid * conditioningScale
        }
        return ControlNetResiduals(down: down, mid: mid)
    }
}
