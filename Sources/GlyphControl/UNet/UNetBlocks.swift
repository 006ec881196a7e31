import TensorCore

/// What a down block hands the up path: its output and every skip tensor.
typealias DownOutput = (sample: Tensor, skips: [Tensor])

/// diffusers `DownBlock2D` and `CrossAttnDownBlock2D` (attentions present):
/// resnets (each followed by its Transformer2DModel when cross-attending),
/// every output kept as a skip, then an optional stride-2 downsampler.
final class DownBlock: Module, @unchecked Sendable {
    let resnets: [ResnetBlock2D]
    let attentions: [Transformer2DModel]
    let downsamplers: [Downsample2D]

    init(inChannels: Int, outChannels: Int, timeChannels: Int, layers: Int, crossAttention: (heads: Int, context: Int, transformerLayers: Int, linear: Bool)?,
         addDownsample: Bool, groups: Int, epsilon: Float, random: inout TensorRandom) {
        resnets = (0..<layers).map { i in
            ResnetBlock2D(inChannels: i == 0 ? inChannels : outChannels, outChannels: outChannels, timeChannels: timeChannels,
                          groups: groups, epsilon: epsilon, random: &random)
        }
        attentions = crossAttention.map { spec in
            (0..<layers).map { _ in
                Transformer2DModel(channels: outChannels, heads: spec.heads, contextDimension: spec.context, layers: spec.transformerLayers,
                                   groups: groups, linearProjection: spec.linear, random: &random)
            }
        } ?? []
        downsamplers = addDownsample ? [Downsample2D(channels: outChannels, random: &random)] : []
    }

    func callAsFunction(_ x: Tensor, timeEmbedding: Tensor, context: Tensor) -> DownOutput {
        var h = x
        var skips: [Tensor] = []
        for (i, resnet) in resnets.enumerated() {
            h = resnet(h, timeEmbedding: timeEmbedding)
            if !attentions.isEmpty { h = attentions[i](h, context: context) }
            skips.append(h)
        }
        for down in downsamplers {
            h = down(h)
            skips.append(h)
        }
        return (h, skips)
    }
}

/// diffusers `UNetMidBlock2DCrossAttn`: resnet, then (attention, resnet) pairs.
final class MidBlock: Module, @unchecked Sendable {
    let attentions: [Transformer2DModel]
    let resnets: [ResnetBlock2D]

    init(channels: Int, timeChannels: Int, heads: Int, context: Int, transformerLayers: Int, linear: Bool, groups: Int, epsilon: Float,
         random: inout TensorRandom) {
        resnets = (0..<2).map { _ in
            ResnetBlock2D(inChannels: channels, outChannels: channels, timeChannels: timeChannels, groups: groups, epsilon: epsilon, random: &random)
        }
        attentions = [Transformer2DModel(channels: channels, heads: heads, contextDimension: context, layers: transformerLayers,
                                         groups: groups, linearProjection: linear, random: &random)]
    }

    func callAsFunction(_ x: Tensor, timeEmbedding: Tensor, context: Tensor) -> Tensor {
        var h = resnets[0](x, timeEmbedding: timeEmbedding)
        for (attention, resnet) in zip(attentions, resnets.dropFirst()) {
            h = resnet(attention(h, context: context), timeEmbedding: timeEmbedding)
        }
        return h
    }
}

/// diffusers `UpBlock2D` and `CrossAttnUpBlock2D`: each resnet takes the
/// running sample concatenated (channels) with the next skip from the end,
/// cross-attends when it has attentions, then an optional nearest-2x upsampler.
final class UpBlock: Module, @unchecked Sendable {
    let resnets: [ResnetBlock2D]
    let attentions: [Transformer2DModel]
    let upsamplers: [Upsample2D]

    init(inChannels: Int, previousChannels: Int, outChannels: Int, timeChannels: Int, layers: Int,
         crossAttention: (heads: Int, context: Int, transformerLayers: Int, linear: Bool)?, addUpsample: Bool,
         groups: Int, epsilon: Float, random: inout TensorRandom) {
        resnets = (0..<layers).map { i in
            let skipChannels = i == layers - 1 ? inChannels : outChannels
            let resnetIn = i == 0 ? previousChannels : outChannels
            return ResnetBlock2D(inChannels: resnetIn + skipChannels, outChannels: outChannels, timeChannels: timeChannels,
                                 groups: groups, epsilon: epsilon, random: &random)
        }
        attentions = crossAttention.map { spec in
            (0..<layers).map { _ in
                Transformer2DModel(channels: outChannels, heads: spec.heads, contextDimension: spec.context, layers: spec.transformerLayers,
                                   groups: groups, linearProjection: spec.linear, random: &random)
            }
        } ?? []
        upsamplers = addUpsample ? [Upsample2D(channels: outChannels, random: &random)] : []
    }

    func callAsFunction(_ x: Tensor, skips: inout [Tensor], timeEmbedding: Tensor, context: Tensor) -> Tensor {
        var h = x
        for (i, resnet) in resnets.enumerated() {
            let skip = skips.removeLast()
            h = resnet(Tensor.concatenate([h, skip], axis: 1), timeEmbedding: timeEmbedding)
            if !attentions.isEmpty { h = attentions[i](h, context: context) }
        }
        for up in upsamplers { h = up(h) }
        return h
    }
}

extension UNetConfiguration {
    /// Block i's cross-attention settings, nil for a block without attention.
    func crossAttention(block i: Int) -> (heads: Int, context: Int, transformerLayers: Int, linear: Bool)? {
        downBlockTypes[i].hasPrefix("CrossAttn") ? (heads(block: i), crossAttentionDim, transformerLayers(block: i), useLinearProjection) : nil
    }

    /// The down path shared by UNet2DConditionModel and ControlNetModel (diffusers builds both the same way).
    func makeDownBlocks(timeChannels: Int, random: inout TensorRandom) -> [DownBlock] {
        var output = blockOutChannels[0]
        return downBlockTypes.indices.map { i in
            let input = output
            output = blockOutChannels[i]
            return DownBlock(inChannels: input, outChannels: output, timeChannels: timeChannels, layers: layersPerBlock,
                             crossAttention: crossAttention(block: i), addDownsample: i < blockOutChannels.count - 1,
                             groups: normNumGroups, epsilon: normEps, random: &random)
        }
    }

    func makeMidBlock(timeChannels: Int, random: inout TensorRandom) -> MidBlock {
        let last = blockOutChannels.count - 1
        return MidBlock(channels: blockOutChannels[last], timeChannels: timeChannels, heads: heads(block: last), context: crossAttentionDim,
                        transformerLayers: transformerLayers(block: last), linear: useLinearProjection,
                        groups: normNumGroups, epsilon: normEps, random: &random)
    }
}

extension UNetConfiguration {
    /// The pooled-caption embedding for `addition_embed_type: "text"`, nil otherwise
    /// (diffusers sizes it from encoder_hid_dim, which this implementation refuses, else cross_attention_dim).
    func makeAddEmbedding(timeChannels: Int, random: inout TensorRandom) -> TextTimeEmbedding? {
        guard additionEmbedType == "text" else { return nil }
        return TextTimeEmbedding(contextDimension: crossAttentionDim, timeDimension: timeChannels, heads: additionEmbedTypeNumHeads, random: &random)
    }
}
