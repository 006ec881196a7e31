import TensorCore

/// The VAE's single-head spatial self-attention (diffusers `Attention` built
/// from the old AttnBlock): group_norm, to_q/to_k/to_v/to_out.0 with biases
/// over the H·W tokens, plus the residual.
final class SpatialSelfAttention: Module, @unchecked Sendable {
    @Key("group_norm") var norm: GroupNorm
    @Key("to_q") var query: Linear
    @Key("to_k") var key: Linear
    @Key("to_v") var value: Linear
    @Key("to_out") var output: [Linear]

    init(channels: Int, groups: Int, random: inout TensorRandom) {
        super.init()
        _norm.wrappedValue = GroupNorm(groups: groups, channels: channels, epsilon: 1e-6)
        _query.wrappedValue = Linear(channels, channels, random: &random)
        _key.wrappedValue = Linear(channels, channels, random: &random)
        _value.wrappedValue = Linear(channels, channels, random: &random)
        _output.wrappedValue = [Linear(channels, channels, random: &random)]
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        let (b, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let tokens = norm(x).reshaped([b, c, h * w]).transposed(1, 2)
        func heads(_ t: Tensor) -> Tensor { t.reshaped([b, 1, h * w, c]) }
        let attended = Tensor.attention(query: heads(query(tokens)), key: heads(key(tokens)), value: heads(value(tokens)))
        let out = output[0](attended.reshaped([b, h * w, c]))
        return out.transposed(1, 2).reshaped([b, c, h, w]) + x
    }
}

/// diffusers `UNetMidBlock2D` as the VAE uses it: resnet, attention, resnet (no time embedding).
final class VAEMidBlock: Module, @unchecked Sendable {
    let attentions: [SpatialSelfAttention]
    let resnets: [ResnetBlock2D]

    init(channels: Int, groups: Int, attention: Bool, random: inout TensorRandom) {
        resnets = (0..<2).map { _ in ResnetBlock2D(inChannels: channels, outChannels: channels, timeChannels: nil, groups: groups, epsilon: 1e-6, random: &random) }
        attentions = attention ? [SpatialSelfAttention(channels: channels, groups: groups, random: &random)] : []
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        var h = resnets[0](x, timeEmbedding: nil)
        if let attention = attentions.first { h = attention(h) }
        return resnets[1](h, timeEmbedding: nil)
    }
}

/// The VAE encoder's downsampler: pad right and bottom by one, 3x3 stride 2 without padding (diffusers Downsample2D, padding 0).
final class EncoderDownsample: Module, @unchecked Sendable {
    let conv: Conv2d
    init(channels: Int, random: inout TensorRandom) { conv = Conv2d(channels, channels, kernel: 3, stride: 2, padding: 0, random: &random) }
    func callAsFunction(_ x: Tensor) -> Tensor {
        let (b, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let right = Tensor.concatenate([x, Tensor(zeros: [b, c, h, 1])], axis: 3)
        return conv(Tensor.concatenate([right, Tensor(zeros: [b, c, 1, w + 1])], axis: 2))
    }
}

/// diffusers `DownEncoderBlock2D` / `UpDecoderBlock2D`: resnets without time embedding, then a resampler.
final class VAEBlock: Module, @unchecked Sendable {
    let resnets: [ResnetBlock2D]
    let downsamplers: [EncoderDownsample]
    let upsamplers: [Upsample2D]

    init(inChannels: Int, outChannels: Int, layers: Int, groups: Int, downsample: Bool, upsample: Bool, random: inout TensorRandom) {
        resnets = (0..<layers).map { i in
            ResnetBlock2D(inChannels: i == 0 ? inChannels : outChannels, outChannels: outChannels, timeChannels: nil, groups: groups, epsilon: 1e-6, random: &random)
        }
        downsamplers = downsample ? [EncoderDownsample(channels: outChannels, random: &random)] : []
        upsamplers = upsample ? [Upsample2D(channels: outChannels, random: &random)] : []
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        var h = x
        for resnet in resnets { h = resnet(h, timeEmbedding: nil) }
        for d in downsamplers { h = d(h) }
        for u in upsamplers { h = u(h) }
        return h
    }
}

/// diffusers `Encoder`: conv_in, down blocks, mid block, GroupNorm + SiLU, conv_out to 2·latent channels (mean, log-variance).
final class VAEEncoder: Module, @unchecked Sendable {
    @Key("conv_in") var convIn: Conv2d
    @Key("down_blocks") var downBlocks: [VAEBlock]
    @Key("mid_block") var midBlock: VAEMidBlock
    @Key("conv_norm_out") var normOut: GroupNorm
    @Key("conv_out") var convOut: Conv2d

    init(_ c: AutoencoderConfiguration, random: inout TensorRandom) {
        super.init()
        let channels = c.blockOutChannels
        _convIn.wrappedValue = Conv2d(c.inChannels, channels[0], kernel: 3, padding: 1, random: &random)
        var output = channels[0]
        _downBlocks.wrappedValue = channels.indices.map { i in
            let input = output
            output = channels[i]
            return VAEBlock(inChannels: input, outChannels: output, layers: c.layersPerBlock, groups: c.normNumGroups,
                            downsample: i < channels.count - 1, upsample: false, random: &random)
        }
        _midBlock.wrappedValue = VAEMidBlock(channels: channels.last!, groups: c.normNumGroups, attention: c.midBlockAddAttention, random: &random)
        _normOut.wrappedValue = GroupNorm(groups: c.normNumGroups, channels: channels.last!, epsilon: 1e-6)
        _convOut.wrappedValue = Conv2d(channels.last!, 2 * c.latentChannels, kernel: 3, padding: 1, random: &random)
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        var h = convIn(x)
        for block in downBlocks { h = block(h) }
        return convOut(normOut(midBlock(h)).silu())
    }
}

/// diffusers `Decoder`: conv_in, mid block, up blocks (reversed widths, one more resnet each), GroupNorm + SiLU, conv_out.
final class VAEDecoder: Module, @unchecked Sendable {
    @Key("conv_in") var convIn: Conv2d
    @Key("mid_block") var midBlock: VAEMidBlock
    @Key("up_blocks") var upBlocks: [VAEBlock]
    @Key("conv_norm_out") var normOut: GroupNorm
    @Key("conv_out") var convOut: Conv2d

    init(_ c: AutoencoderConfiguration, random: inout TensorRandom) {
        super.init()
        let reversed = Array(c.blockOutChannels.reversed())
        _convIn.wrappedValue = Conv2d(c.latentChannels, reversed[0], kernel: 3, padding: 1, random: &random)
        _midBlock.wrappedValue = VAEMidBlock(channels: reversed[0], groups: c.normNumGroups, attention: c.midBlockAddAttention, random: &random)
        var output = reversed[0]
        _upBlocks.wrappedValue = reversed.indices.map { i in
            let previous = output
            output = reversed[i]
            return VAEBlock(inChannels: previous, outChannels: output, layers: c.layersPerBlock + 1, groups: c.normNumGroups,
                            downsample: false, upsample: i < reversed.count - 1, random: &random)
        }
        _normOut.wrappedValue = GroupNorm(groups: c.normNumGroups, channels: c.blockOutChannels[0], epsilon: 1e-6)
        _convOut.wrappedValue = Conv2d(c.blockOutChannels[0], c.outChannels, kernel: 3, padding: 1, random: &random)
    }

    func callAsFunction(_ z: Tensor) -> Tensor {
        var h = midBlock(convIn(z))
        for block in upBlocks { h = block(h) }
        return convOut(normOut(h).silu())
    }
}

/// diffusers `AutoencoderKL`: encode images ([-1, 1], NCHW) to a diagonal
/// Gaussian over latents (quant_conv applied), decode latents (post_quant_conv
/// first). Latents the UNet sees are `scaling_factor` times the VAE's.
public final class AutoencoderKL: Module, @unchecked Sendable {
    public let configuration: AutoencoderConfiguration
    let encoder: VAEEncoder
    let decoder: VAEDecoder
    @Key("quant_conv") var quantConv: Conv2d?
    @Key("post_quant_conv") var postQuantConv: Conv2d?

    public init(configuration: AutoencoderConfiguration, seed: UInt64 = 0) throws(UnsupportedConfiguration) {
        try configuration.validate()
        self.configuration = configuration
        var random = TensorRandom(seed: seed)
        encoder = VAEEncoder(configuration, random: &random)
        decoder = VAEDecoder(configuration, random: &random)
        super.init()
        let l = configuration.latentChannels
        _quantConv.wrappedValue = configuration.useQuantConv ? Conv2d(2 * l, 2 * l, kernel: 1, random: &random) : nil
        _postQuantConv.wrappedValue = configuration.usePostQuantConv ? Conv2d(l, l, kernel: 1, random: &random) : nil
    }

    /// Mean and log-variance of the latent distribution (log-variance clamped to [-30, 20] as diffusers does).
    public func encode(_ images: Tensor) -> (mean: Tensor, logVariance: Tensor) {
        var moments = encoder(images)
        if let quantConv { moments = quantConv(moments) }
        let parts = moments.chunked(2, axis: 1)
        let clamped = parts[1].map({ min(max($0, -30), 20) }, derivative: { x, _ in x > -30 && x < 20 ? 1 : 0 })
        return (parts[0], clamped)
    }

    /// A latent sample: mean + std · noise (noise from the seeded RNG).
    public func sample(mean: Tensor, logVariance: Tensor, random: inout TensorRandom) -> Tensor {
        mean + (logVariance * 0.5).exp() * random.normal(shape: mean.shape)
    }

    public func decode(_ latents: Tensor) -> Tensor {
        decoder(postQuantConv.map { $0(latents) } ?? latents)
    }
}

extension AutoencoderKL {
    /// A VAE from a diffusers `vae/` folder.
    public static func load(from directory: URL) throws(ComponentLoadError) -> AutoencoderKL {
        let component = ComponentDirectory(directory)
        let model: AutoencoderKL
        do { let configuration = try component.configuration(AutoencoderConfiguration.self)
            model = try withoutParameterInitialisation { try AutoencoderKL(configuration: configuration) } } catch let error as ComponentLoadError {
            throw error
        } catch {
            throw .unsupported("\(directory.path)/config.json: \(error)")
        }
        try component.load(into: model)
        return model
    }
}

import Foundation
