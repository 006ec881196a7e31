import Foundation

/// `unet/config.json` of a diffusers UNet2DConditionModel (and the shared
/// part of a ControlNetModel's). CodingKeys are the config.json names. Options
/// GlyphPoster does not implement are refused by name in `validate()`.
public struct UNetConfiguration: Codable, Sendable {
    public var inChannels: Int = 4
    public var outChannels: Int = 4
    public var blockOutChannels: [Int] = [320, 640, 1280, 1280]
    public var layersPerBlock: Int = 2
    public var downBlockTypes: [String] = ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"]
    public var upBlockTypes: [String] = ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"]
    public var midBlockType: String? = "UNetMidBlock2DCrossAttn"
    public var crossAttentionDim: Int = 768
    /// diffusers' `attention_head_dim`, which (for SD configs) is the number of heads per block.
    public var attentionHeadDim: IntOrList = .single(8)
    public var numAttentionHeads: IntOrList?
    public var normNumGroups: Int = 32
    public var normEps: Float = 1e-5
    public var flipSinToCos: Bool = true
    public var freqShift: Float = 0
    public var useLinearProjection: Bool = false
    public var transformerLayersPerBlock: IntOrList = .single(1)
    public var sampleSize: Int?
    public var actFn: String = "silu"
    public var centerInputSample: Bool = false
    public var onlyCrossAttention: Bool = false
    public var upcastAttention: Bool = false
    public var dualCrossAttention: Bool = false
    public var classEmbedType: String?
    /// "text" adds the pooled caption to the time embedding (`TextTimeEmbedding`); nil for none.
    public var additionEmbedType: String?
    public var additionEmbedTypeNumHeads: Int = 64
    public var resnetTimeScaleShift: String = "default"
    public var timeEmbeddingType: String = "positional"
    public var convInKernel: Int = 3
    public var convOutKernel: Int = 3
    public var encoderHidDim: Int?
    public var numClassEmbeds: Int?
    /// ControlNet only.
    public var conditioningChannels: Int?
    public var conditioningEmbeddingOutChannels: [Int]?
    public var controlnetConditioningChannelOrder: String?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case inChannels = "in_channels", outChannels = "out_channels", blockOutChannels = "block_out_channels"
        case layersPerBlock = "layers_per_block", downBlockTypes = "down_block_types", upBlockTypes = "up_block_types"
        case midBlockType = "mid_block_type", crossAttentionDim = "cross_attention_dim", attentionHeadDim = "attention_head_dim"
        case numAttentionHeads = "num_attention_heads", normNumGroups = "norm_num_groups", normEps = "norm_eps"
        case flipSinToCos = "flip_sin_to_cos", freqShift = "freq_shift", useLinearProjection = "use_linear_projection"
        case transformerLayersPerBlock = "transformer_layers_per_block", sampleSize = "sample_size", actFn = "act_fn"
        case centerInputSample = "center_input_sample", onlyCrossAttention = "only_cross_attention", upcastAttention = "upcast_attention"
        case dualCrossAttention = "dual_cross_attention", classEmbedType = "class_embed_type", additionEmbedType = "addition_embed_type"
        case additionEmbedTypeNumHeads = "addition_embed_type_num_heads"
        case resnetTimeScaleShift = "resnet_time_scale_shift", timeEmbeddingType = "time_embedding_type"
        case convInKernel = "conv_in_kernel", convOutKernel = "conv_out_kernel", encoderHidDim = "encoder_hid_dim"
        case numClassEmbeds = "num_class_embeds", conditioningChannels = "conditioning_channels"
        case conditioningEmbeddingOutChannels = "conditioning_embedding_out_channels"
        case controlnetConditioningChannelOrder = "controlnet_conditioning_channel_order"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func value<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T { try c.decodeIfPresent(T.self, forKey: key) ?? fallback }
        let d = UNetConfiguration.defaults
        inChannels = try value(.inChannels, d.inChannels); outChannels = try value(.outChannels, d.outChannels)
        blockOutChannels = try value(.blockOutChannels, d.blockOutChannels); layersPerBlock = try value(.layersPerBlock, d.layersPerBlock)
        downBlockTypes = try value(.downBlockTypes, d.downBlockTypes); upBlockTypes = try value(.upBlockTypes, d.upBlockTypes)
        midBlockType = try c.decodeIfPresent(String.self, forKey: .midBlockType) ?? (c.contains(.midBlockType) ? nil : d.midBlockType)
        crossAttentionDim = try value(.crossAttentionDim, d.crossAttentionDim)
        attentionHeadDim = try value(.attentionHeadDim, d.attentionHeadDim)
        numAttentionHeads = try c.decodeIfPresent(IntOrList.self, forKey: .numAttentionHeads)
        normNumGroups = try value(.normNumGroups, d.normNumGroups); normEps = try value(.normEps, d.normEps)
        flipSinToCos = try value(.flipSinToCos, d.flipSinToCos); freqShift = try value(.freqShift, d.freqShift)
        useLinearProjection = try value(.useLinearProjection, d.useLinearProjection)
        transformerLayersPerBlock = try value(.transformerLayersPerBlock, d.transformerLayersPerBlock)
        sampleSize = try c.decodeIfPresent(Int.self, forKey: .sampleSize)
        actFn = try value(.actFn, d.actFn); centerInputSample = try value(.centerInputSample, false)
        onlyCrossAttention = (try? c.decodeIfPresent(Bool.self, forKey: .onlyCrossAttention)) ?? false
        upcastAttention = try value(.upcastAttention, false); dualCrossAttention = try value(.dualCrossAttention, false)
        classEmbedType = try c.decodeIfPresent(String.self, forKey: .classEmbedType)
        additionEmbedType = try c.decodeIfPresent(String.self, forKey: .additionEmbedType)
        additionEmbedTypeNumHeads = try value(.additionEmbedTypeNumHeads, d.additionEmbedTypeNumHeads)
        resnetTimeScaleShift = try value(.resnetTimeScaleShift, d.resnetTimeScaleShift)
        timeEmbeddingType = try value(.timeEmbeddingType, d.timeEmbeddingType)
        convInKernel = try value(.convInKernel, 3); convOutKernel = try value(.convOutKernel, 3)
        encoderHidDim = try c.decodeIfPresent(Int.self, forKey: .encoderHidDim)
        numClassEmbeds = try c.decodeIfPresent(Int.self, forKey: .numClassEmbeds)
        conditioningChannels = try c.decodeIfPresent(Int.self, forKey: .conditioningChannels)
        conditioningEmbeddingOutChannels = try c.decodeIfPresent([Int].self, forKey: .conditioningEmbeddingOutChannels)
        controlnetConditioningChannelOrder = try c.decodeIfPresent(String.self, forKey: .controlnetConditioningChannelOrder)
    }

    static let defaults = UNetConfiguration()

    /// Heads for block i (diffusers: num_attention_heads, else attention_head_dim).
    func heads(block i: Int) -> Int { (numAttentionHeads ?? attentionHeadDim).value(at: i, count: blockOutChannels.count) }
    func transformerLayers(block i: Int) -> Int { transformerLayersPerBlock.value(at: i, count: blockOutChannels.count) }

    /// Refuses options this implementation does not have, naming them.
    public func validate() throws(UnsupportedConfiguration) {
        func refuse(_ option: String, _ value: String) throws(UnsupportedConfiguration) { throw UnsupportedConfiguration(option: option, value: value) }
        if downBlockTypes.count != blockOutChannels.count { try refuse("down_block_types", "\(downBlockTypes.count) blocks for \(blockOutChannels.count) block_out_channels") }
        for t in downBlockTypes where !["CrossAttnDownBlock2D", "DownBlock2D"].contains(t) { try refuse("down_block_types", t) }
        for t in upBlockTypes where !["CrossAttnUpBlock2D", "UpBlock2D"].contains(t) { try refuse("up_block_types", t) }
        if let mid = midBlockType, mid != "UNetMidBlock2DCrossAttn" { try refuse("mid_block_type", mid) }
        if actFn != "silu" { try refuse("act_fn", actFn) }
        if onlyCrossAttention { try refuse("only_cross_attention", "true") }
        if dualCrossAttention { try refuse("dual_cross_attention", "true") }
        if let classEmbedType { try refuse("class_embed_type", classEmbedType) }
        if let numClassEmbeds { try refuse("num_class_embeds", String(numClassEmbeds)) }
        if let additionEmbedType, additionEmbedType != "text" { try refuse("addition_embed_type", additionEmbedType) }
        if additionEmbedType == "text", additionEmbedTypeNumHeads < 1 || crossAttentionDim % additionEmbedTypeNumHeads != 0 {
            try refuse("addition_embed_type_num_heads", "\(additionEmbedTypeNumHeads) does not divide cross_attention_dim \(crossAttentionDim)")
        }
        if let encoderHidDim { try refuse("encoder_hid_dim", String(encoderHidDim)) }
        if resnetTimeScaleShift != "default" { try refuse("resnet_time_scale_shift", resnetTimeScaleShift) }
        if timeEmbeddingType != "positional" { try refuse("time_embedding_type", timeEmbeddingType) }
        if convInKernel != 3 { try refuse("conv_in_kernel", String(convInKernel)) }
        if convOutKernel != 3 { try refuse("conv_out_kernel", String(convOutKernel)) }
        if centerInputSample { try refuse("center_input_sample", "true") }
        if let order = controlnetConditioningChannelOrder, order != "rgb" { try refuse("controlnet_conditioning_channel_order", order) }
        for (i, channels) in blockOutChannels.enumerated() where channels % normNumGroups != 0 || channels % heads(block: i) != 0 {
            try refuse("block_out_channels", "\(channels) does not divide into \(normNumGroups) groups and \(heads(block: i)) heads")
        }
    }
}

/// A config value diffusers allows as one number or one per block.
public enum IntOrList: Codable, Sendable, Equatable {
    case single(Int)
    case list([Int])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let v = try? c.decode(Int.self) { self = .single(v) } else { self = .list(try c.decode([Int].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .single(let v): try c.encode(v)
        case .list(let v): try c.encode(v)
        }
    }

    func value(at i: Int, count: Int) -> Int {
        switch self {
        case .single(let v): return v
        case .list(let v): return v[min(i, v.count - 1)]
        }
    }
}

/// A configuration option GlyphPoster does not implement, by its config.json name.
public struct UnsupportedConfiguration: Error, Sendable, CustomStringConvertible {
    public var option: String
    public var value: String
    public var description: String { "unsupported configuration: \(option) = \(value)" }
}
