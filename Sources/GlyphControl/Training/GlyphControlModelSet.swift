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
        let shared = ["conv_in.", "time_embedding.", "add_embedding.", "down_blocks.", "mid_block."]
        for (name, tensor) in unet.stateDict() where shared.contains(where: { name.hasPrefix($0) }) {
            values[name] = tensor
        }
        try controlnet.load(values)
        return controlnet
    }

    /// A trained ControlNet carried into a run whose condition has more
    /// channels (mask -> mask + colour hint): every weight kept, the new input
    /// channels of the conditioning embedding's first conv zero, so the
    /// widened net computes exactly what the old one did until the new
    /// channels are learnt (ControlNet's own zero-init idea, applied to inputs).
    public static func widened(_ trained: ControlNetModel, conditioningChannels: Int) throws -> ControlNetModel {
        var configuration = trained.configuration
        let old = configuration.conditioningChannels ?? 3
        guard conditioningChannels >= old else {
            throw GenerationError("the ControlNet reads \(old) condition channels; it cannot be narrowed to \(conditioningChannels)")
        }
        configuration.conditioningChannels = conditioningChannels
        let widened = try ControlNetModel(configuration: configuration)
        var values = trained.stateDict()
        let key = "controlnet_cond_embedding.conv_in.weight"
        if let weight = values[key], conditioningChannels > old {
            let (outputs, kernel) = (weight.shape[0], weight.shape[2] * weight.shape[3])
            var scalars = [Float](repeating: 0, count: outputs * conditioningChannels * kernel)
            let source = weight.scalars
            for o in 0..<outputs {
                for c in 0..<old {
                    for k in 0..<kernel { scalars[(o * conditioningChannels + c) * kernel + k] = source[(o * old + c) * kernel + k] }
                }
            }
            values[key] = Tensor(shape: [outputs, conditioningChannels, weight.shape[2], weight.shape[3]], scalars: scalars)
        }
        try widened.load(values)
        return widened
    }

    /// A trained UNet or ControlNet given the pooled-caption embedding
    /// (`addition_embed_type: "text"`) it lacks: every weight kept, the new
    /// embedding fresh but its output norm's scale and shift zero, so the
    /// model computes exactly what it did until the embedding is learnt.
    /// A model that already has one comes back unchanged.
    public static func addingPooledCaption<Model: Module>(_ trained: Model, configuration: UNetConfiguration, heads: Int, seed: UInt64,
                                                          make: (UNetConfiguration, UInt64) throws -> Model) throws -> Model {
        guard configuration.additionEmbedType == nil else { return trained }
        var extended = configuration
        extended.additionEmbedType = "text"
        extended.additionEmbedTypeNumHeads = heads
        let model = try make(extended, seed)
        for (name, parameter) in model.namedParameters() where name.hasPrefix("add_embedding.norm2.") {
            parameter.assign([Float](repeating: 0, count: parameter.value.count))
        }
        var values = model.stateDict()
        for (name, tensor) in trained.stateDict() { values[name] = tensor }
        try model.load(values)
        return model
    }
}
