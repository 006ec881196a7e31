import Foundation
import TensorCore

/// The trainable parts of a glyph-conditioned pipeline under one module, so
/// one checkpoint, one optimiser and one EMA cover them. Names carry the
/// component as a prefix (`unet.`, `controlnet.`, `text_encoder.`).
public final class GlyphControlModelSet: Module, @unchecked Sendable {
    @Key("unet") public var unet: UNet2DConditionModel
    @Key("controlnet") public var controlnet: ControlNetModel?
    @Key("text_encoder") public var textEncoder: CLIPTextModel

    public init(unet: UNet2DConditionModel, controlnet: ControlNetModel?, textEncoder: CLIPTextModel) {
        super.init()
        _unet.wrappedValue = unet
        _controlnet.wrappedValue = controlnet
        _textEncoder.wrappedValue = textEncoder
    }

    /// A ControlNet started from the UNet's encoder half, as diffusers'
    /// `ControlNetModel.from_unet` does: conv_in, time embedding, down and
    /// mid blocks copied; the conditioning embedding fresh; zero convs zero.
    public static func controlNet(from unet: UNet2DConditionModel, configuration: UNetConfiguration, seed: UInt64) throws -> ControlNetModel {
        let controlnet = try ControlNetModel(configuration: configuration, seed: seed)
        var values = controlnet.stateDict()
        let shared = ["conv_in.", "time_embedding.", "down_blocks.", "mid_block."]
        for (name, tensor) in unet.stateDict() where shared.contains(where: { name.hasPrefix($0) }) {
            values[name] = tensor
        }
        try controlnet.load(values)
        return controlnet
    }
}
