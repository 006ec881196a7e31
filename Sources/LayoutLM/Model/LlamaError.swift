/// Why a Llama model could not be built, loaded, saved or run.
public enum LlamaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// config.json is unreadable or inconsistent.
    case invalidConfiguration(String)
    /// config.json asks for something this implementation does not do (the option is named).
    case unsupported(String)
    /// A file is missing from the model folder.
    case missing(String)
    /// The weights could not be read or written.
    case weights(String)
    /// The checkpoint's names or shapes do not fit the configuration (every problem listed).
    case mismatch(String)
    /// Token ids the model cannot take (empty, ragged, outside the vocabulary, too long).
    case invalidInput(String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let m), .unsupported(let m), .missing(let m), .weights(let m), .mismatch(let m), .invalidInput(let m): m
        }
    }
}
