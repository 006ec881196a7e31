import TensorCore

/// What `CLIPTextModel.forward` returns (transformers' BaseModelOutputWithPooling).
public struct CLIPTextModelOutput: Sendable {
    /// [B, L, hidden], after the final layer norm: Stable Diffusion's `encoder_hidden_states`.
    public var lastHiddenState: Tensor
    /// [B, hidden]: the last hidden state at the end-of-text position.
    public var pooledOutput: Tensor
    /// With `outputHiddenStates`: the embeddings then every layer's output, before the
    /// final layer norm (`hidden_states`, layers + 1 entries); empty otherwise.
    /// diffusers' `clip_skip = n` uses `finalLayerNorm(hiddenStates[count - 1 - n])`.
    public var hiddenStates: [Tensor]
}
