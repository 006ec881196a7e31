/// The special tokens of a CLIP tokenizer, by spelling. Stable Diffusion 1.x
/// (OpenAI CLIP) pads with `<|endoftext|>`; Stable Diffusion 2.x (OpenCLIP)
/// pads with `!`. transformers reads them from tokenizer_config.json and
/// special_tokens_map.json.
public struct CLIPSpecialTokens: Sendable, Equatable {
    public var start: String
    public var end: String
    public var padding: String
    public var unknown: String

    public init(start: String = "<|startoftext|>", end: String = "<|endoftext|>",
                padding: String = "<|endoftext|>", unknown: String = "<|endoftext|>") {
        self.start = start
        self.end = end
        self.padding = padding
        self.unknown = unknown
    }
}

/// How `CLIPTokenizer.encode` pads.
public enum CLIPPadding: Sendable, Equatable {
    /// No padding: start token, content, end token.
    case none
    /// Padded with the padding token to the tokenizer's `maxLength` (77), as
    /// Stable Diffusion pipelines call it (`padding="max_length"`).
    case maxLength
}
