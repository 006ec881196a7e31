import TensorCore

/// Turns prompts into the UNet's cross-attention context [B, S, D]: the CLIP
/// text encoder in a diffusers pipeline, or any other encoder a model ships.
public protocol PromptEncoder: AnyObject {
    func encode(_ prompts: [String]) throws -> Tensor
}
