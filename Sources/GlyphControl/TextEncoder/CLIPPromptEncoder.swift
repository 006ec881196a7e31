import Foundation
import TensorCore

/// Prompts to the UNet's cross-attention context the way diffusers'
/// StableDiffusionPipeline.encode_prompt does it: CLIPTokenizer padded and
/// truncated to 77, CLIPTextModel's last hidden state [B, 77, hidden]; with
/// `clipSkip` n > 0, the output of the layer n before the last, passed
/// through the final layer norm.
public final class CLIPPromptEncoder: PromptEncoder, @unchecked Sendable {
    public let tokenizer: CLIPTokenizer
    public let model: CLIPTextModel
    public let clipSkip: Int

    public init(tokenizer: CLIPTokenizer, model: CLIPTextModel, clipSkip: Int = 0) {
        precondition(clipSkip >= 0 && clipSkip < model.config.numHiddenLayers, "clip_skip \(clipSkip) out of range")
        self.tokenizer = tokenizer
        self.model = model
        self.clipSkip = clipSkip
    }

    /// The `tokenizer/` and `text_encoder/` folders of a diffusers pipeline directory.
    public static func load(pipeline directory: URL, clipSkip: Int = 0) throws -> CLIPPromptEncoder {
        let tokenizer = try CLIPTokenizer(directory: directory.appendingPathComponent("tokenizer").path)
        let model = try CLIPTextModel.load(from: directory.appendingPathComponent("text_encoder"))
        return CLIPPromptEncoder(tokenizer: tokenizer, model: model, clipSkip: clipSkip)
    }

    public func encode(_ prompts: [String]) throws -> Tensor {
        let ids = tokenizer.encode(prompts)
        return try withoutGradients {
            if clipSkip == 0 { return try model(ids) }
            let out = try model.forward(ids, outputHiddenStates: true)
            return model.textModel.finalLayerNorm(out.hiddenStates[out.hiddenStates.count - 1 - clipSkip])
        }
    }
}
