/// Splits normalized text into the words BPE works on, as CLIP's pattern
/// `<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+`
/// does in transformers' CLIPTokenizer: runs of letters, single digits,
/// runs of other non-space characters, and the English contractions;
/// white space separates words and is dropped.
///
/// The tokenizers backend then applies the byte-level pre-tokenizer's own
/// GPT-2 split to every word; that only changes the two special-token
/// spellings, which it cuts into `<|`, the letters and `|>` (so a
/// `<|StartOfText|>` that reaches BPE is three words there, too).
public enum CLIPPreTokenizer {
    static let contractions: [[Unicode.Scalar]] = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d"].map { Array($0.unicodeScalars) }
    static let specialSpellings: [[Unicode.Scalar]] = ["<|startoftext|>", "<|endoftext|>"].map { Array($0.unicodeScalars) }

    enum Kind { case letter, number, space, other }

    @inline(__always)
    static func kind(_ scalar: Unicode.Scalar) -> Kind {
        if scalar.isASCII {
            switch scalar.value {
            case 0x61...0x7A, 0x41...0x5A: return .letter
            case 0x30...0x39: return .number
            case 0x20, 0x09...0x0D: return .space
            default: return .other
            }
        }
        if CLIPTextNormalizer.isWhitespace(scalar) { return .space }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return .letter
        case .decimalNumber, .letterNumber, .otherNumber: return .number
        default: return .other
        }
    }

    /// The words of `text` (already normalized), in order.
    public static func split(_ text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        var words: [String] = []
        func emit(_ range: Range<Int>) {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[range])
            words.append(String(view))
        }
        func matches(_ literal: [Unicode.Scalar], at i: Int) -> Bool {
            i + literal.count <= scalars.count && scalars[i..<(i + literal.count)].elementsEqual(literal)
        }
        var i = 0
        scan: while i < scalars.count {
            for literal in specialSpellings where matches(literal, at: i) {
                // "<|" + letters + "|>", as the byte-level GPT-2 split cuts it.
                emit(i..<(i + 2)); emit((i + 2)..<(i + literal.count - 2)); emit((i + literal.count - 2)..<(i + literal.count))
                i += literal.count
                continue scan
            }
            for literal in contractions where matches(literal, at: i) {
                emit(i..<(i + literal.count))
                i += literal.count
                continue scan
            }
            let k = kind(scalars[i])
            switch k {
            case .space:
                i += 1
            case .number:
                emit(i..<(i + 1))
                i += 1
            case .letter, .other:
                var j = i + 1
                while j < scalars.count, kind(scalars[j]) == k { j += 1 }
                emit(i..<j)
                i = j
            }
        }
        return words
    }
}
