/// Why a CLIP text encoder could not be built or run (loading failures are
/// `ComponentLoadError`s, as for the other pipeline components).
public enum CLIPTextModelError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidConfig(path: String?, reason: String)
    /// Ids the model cannot embed, or a batch it cannot hold.
    case invalidInput(String)

    public var description: String {
        switch self {
        case .invalidConfig(let path, let reason): "CLIP text encoder: invalid config\(path.map { " \($0)" } ?? ""): \(reason)"
        case .invalidInput(let reason): "CLIP text encoder: \(reason)"
        }
    }
}
