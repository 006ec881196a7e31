/// `vae/config.json` of a diffusers AutoencoderKL (CodingKeys are its names).
public struct AutoencoderConfiguration: Codable, Sendable {
    public var inChannels: Int = 3
    public var outChannels: Int = 3
    public var latentChannels: Int = 4
    public var blockOutChannels: [Int] = [64]
    public var layersPerBlock: Int = 1
    public var downBlockTypes: [String] = ["DownEncoderBlock2D"]
    public var upBlockTypes: [String] = ["UpDecoderBlock2D"]
    public var normNumGroups: Int = 32
    public var actFn: String = "silu"
    public var scalingFactor: Float = 0.18215
    public var shiftFactor: Float?
    public var useQuantConv: Bool = true
    public var usePostQuantConv: Bool = true
    public var midBlockAddAttention: Bool = true
    public var sampleSize: Int?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case inChannels = "in_channels", outChannels = "out_channels", latentChannels = "latent_channels"
        case blockOutChannels = "block_out_channels", layersPerBlock = "layers_per_block", downBlockTypes = "down_block_types"
        case upBlockTypes = "up_block_types", normNumGroups = "norm_num_groups", actFn = "act_fn", scalingFactor = "scaling_factor"
        case shiftFactor = "shift_factor", useQuantConv = "use_quant_conv", usePostQuantConv = "use_post_quant_conv"
        case midBlockAddAttention = "mid_block_add_attention", sampleSize = "sample_size"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = AutoencoderConfiguration()
        func value<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T { try c.decodeIfPresent(T.self, forKey: key) ?? fallback }
        inChannels = try value(.inChannels, d.inChannels); outChannels = try value(.outChannels, d.outChannels)
        latentChannels = try value(.latentChannels, d.latentChannels); blockOutChannels = try value(.blockOutChannels, d.blockOutChannels)
        layersPerBlock = try value(.layersPerBlock, d.layersPerBlock); downBlockTypes = try value(.downBlockTypes, d.downBlockTypes)
        upBlockTypes = try value(.upBlockTypes, d.upBlockTypes); normNumGroups = try value(.normNumGroups, d.normNumGroups)
        actFn = try value(.actFn, d.actFn); scalingFactor = try value(.scalingFactor, d.scalingFactor)
        shiftFactor = try c.decodeIfPresent(Float.self, forKey: .shiftFactor)
        useQuantConv = try value(.useQuantConv, true); usePostQuantConv = try value(.usePostQuantConv, true)
        midBlockAddAttention = try value(.midBlockAddAttention, true); sampleSize = try c.decodeIfPresent(Int.self, forKey: .sampleSize)
    }

    public func validate() throws(UnsupportedConfiguration) {
        for t in downBlockTypes where t != "DownEncoderBlock2D" { throw UnsupportedConfiguration(option: "down_block_types", value: t) }
        for t in upBlockTypes where t != "UpDecoderBlock2D" { throw UnsupportedConfiguration(option: "up_block_types", value: t) }
        if actFn != "silu" { throw UnsupportedConfiguration(option: "act_fn", value: actFn) }
        if downBlockTypes.count != blockOutChannels.count { throw UnsupportedConfiguration(option: "down_block_types", value: "\(downBlockTypes.count) blocks for \(blockOutChannels.count) channels") }
    }
}
