import Foundation

/// The text clean-up of transformers' CLIPTokenizer (the `normalizer` of its
/// tokenizers backend): Unicode NFC, every run of white space replaced by one
/// space, then lower case, character by character (Unicode full lower-case
/// mappings without context, as Rust's `char::to_lowercase`).
public enum CLIPTextNormalizer {
    public static func normalize(_ text: some StringProtocol) -> String {
        let composed = String(text).precomposedStringWithCanonicalMapping
        var out = String.UnicodeScalarView()
        var inSpace = false
        for scalar in composed.unicodeScalars {
            if isWhitespace(scalar) {
                if !inSpace { out.append(" ") }
                inSpace = true
                continue
            }
            inSpace = false
            let lower = scalar.properties.lowercaseMapping
            if lower.unicodeScalars.count == 1, lower.unicodeScalars.first == scalar {
                out.append(scalar)
            } else {
                out.append(contentsOf: lower.unicodeScalars)
            }
        }
        return String(out)
    }

    /// `\s` of the tokenizers (Oniguruma) regex: the Unicode White_Space characters.
    @inline(__always)
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace
    }
}
