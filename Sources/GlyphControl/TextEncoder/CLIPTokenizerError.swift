/// Why a CLIP tokenizer could not be built from its files.
public enum CLIPTokenizerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No vocabulary (vocab.json or tokenizer.json) or merges (merges.txt or tokenizer.json) in the directory.
    case missingFile(directory: String, expected: [String])
    case unreadableFile(path: String, reason: String)
    /// A file that exists but does not have the expected form.
    case malformedFile(path: String, reason: String)
    /// A merge whose parts or result are not in the vocabulary.
    case mergeOutOfVocabulary(merge: String, token: String)
    /// A special token (start, end, padding, unknown) missing from the vocabulary.
    case specialTokenNotInVocabulary(role: String, token: String)
    /// An added token whose id collides with a different vocabulary entry.
    case conflictingAddedToken(content: String, id: Int, existing: String)

    public var description: String {
        switch self {
        case .missingFile(let directory, let expected):
            "CLIP tokenizer: \(directory) has none of \(expected.joined(separator: ", "))"
        case .unreadableFile(let path, let reason):
            "CLIP tokenizer: cannot read \(path): \(reason)"
        case .malformedFile(let path, let reason):
            "CLIP tokenizer: \(path) is malformed: \(reason)"
        case .mergeOutOfVocabulary(let merge, let token):
            "CLIP tokenizer: merge '\(merge)' uses '\(token)', which is not in the vocabulary"
        case .specialTokenNotInVocabulary(let role, let token):
            "CLIP tokenizer: the \(role) token '\(token)' is not in the vocabulary"
        case .conflictingAddedToken(let content, let id, let existing):
            "CLIP tokenizer: added token '\(content)' has id \(id), which the vocabulary gives to '\(existing)'"
        }
    }
}
