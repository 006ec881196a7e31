/// A token added on top of the BPE vocabulary (transformers' `AddedToken`):
/// TextDiffuser-2's coordinate tokens `l0`...`b519` and character tokens
/// `[a]`, textual-inversion placeholders, and the special tokens. Added
/// tokens are cut out of the text before any BPE.
///
/// `normalized == false`: matched case-sensitively in the raw text (special
/// tokens, and what transformers' slow CLIPTokenizer did for every added
/// token, which is how TextDiffuser-2 trained). `normalized == true`: matched
/// in the normalized (NFC, white space collapsed, lower-cased) text against
/// the normalized content, as the tokenizers backend does.
public struct CLIPAddedToken: Sendable, Equatable, Hashable {
    public var content: String
    public var id: Int
    public var normalized: Bool
    public var special: Bool

    public init(content: String, id: Int, normalized: Bool = false, special: Bool = false) {
        self.content = content
        self.id = id
        self.normalized = normalized
        self.special = special
    }
}
