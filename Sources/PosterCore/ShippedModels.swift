import Foundation

/// Where the models shipped in `models/` are found: `$GLYPHPOSTER_MODELS/NAME`,
/// else `models/NAME` in the working directory, beside the executable (or up
/// to five folders above it), or in the source tree this was built from.
public enum ShippedModels {
    /// The first candidate folder holding `marker` (e.g. config.json).
    public static func directory(named name: String, marker: String) -> URL? {
        var candidates: [URL] = []
        if let env = ProcessInfo.processInfo.environment["GLYPHPOSTER_MODELS"], !env.isEmpty {
            candidates.append(URL(fileURLWithPath: env).appendingPathComponent(name))
        }
        candidates.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("models/\(name)"))
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(dir.appendingPathComponent("models/\(name)"))
            dir = dir.deletingLastPathComponent()
        }
        candidates.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("models/\(name)"))
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent(marker).path) }
    }
}
