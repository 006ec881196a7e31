import TensorCore

/// diffusers `ResnetBlock2D` (time_embedding_norm "default"): GroupNorm ->
/// SiLU -> 3x3 conv -> + time_emb_proj(SiLU(temb)) -> GroupNorm -> SiLU ->
/// 3x3 conv, a 1x1 conv_shortcut when the channel count changes, then
/// (shortcut + h) / output_scale_factor.
final class ResnetBlock2D: Module, @unchecked Sendable {
    let norm1: GroupNorm, conv1: Conv2d
    @Key("time_emb_proj") var timeProjection: Linear?
    let norm2: GroupNorm, conv2: Conv2d
    @Key("conv_shortcut") var shortcut: Conv2d?
    let outputScale: Float

    init(inChannels: Int, outChannels: Int, timeChannels: Int?, groups: Int, epsilon: Float, outputScale: Float = 1, random: inout TensorRandom) {
        norm1 = GroupNorm(groups: groups, channels: inChannels, epsilon: epsilon)
        conv1 = Conv2d(inChannels, outChannels, kernel: 3, padding: 1, random: &random)
        norm2 = GroupNorm(groups: groups, channels: outChannels, epsilon: epsilon)
        conv2 = Conv2d(outChannels, outChannels, kernel: 3, padding: 1, random: &random)
        self.outputScale = outputScale
        super.init()
        _timeProjection.wrappedValue = timeChannels.map { Linear($0, outChannels, random: &random) }
        _shortcut.wrappedValue = inChannels != outChannels ? Conv2d(inChannels, outChannels, kernel: 1, random: &random) : nil
    }

    func callAsFunction(_ x: Tensor, timeEmbedding: Tensor?) -> Tensor {
        var h = conv1(norm1(x).silu())
        if let timeProjection, let timeEmbedding {
            let t = timeProjection(timeEmbedding.silu())
            h = h + t.reshaped([t.shape[0], t.shape[1], 1, 1])
        }
        h = conv2(norm2(h).silu())
        let skip = shortcut.map { $0(x) } ?? x
        let sum = skip + h
        return outputScale == 1 ? sum : sum / outputScale
    }
}

/// diffusers `Downsample2D` with a conv: 3x3, stride 2, padding 1.
final class Downsample2D: Module, @unchecked Sendable {
    let conv: Conv2d
    init(channels: Int, random: inout TensorRandom) { conv = Conv2d(channels, channels, kernel: 3, stride: 2, padding: 1, random: &random) }
    func callAsFunction(_ x: Tensor) -> Tensor { conv(x) }
}

/// diffusers `Upsample2D` with a conv: nearest 2x, then 3x3 padding 1.
final class Upsample2D: Module, @unchecked Sendable {
    let conv: Conv2d
    init(channels: Int, random: inout TensorRandom) { conv = Conv2d(channels, channels, kernel: 3, padding: 1, random: &random) }
    func callAsFunction(_ x: Tensor) -> Tensor { conv(x.upsampleNearest2x()) }
}
