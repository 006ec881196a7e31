import ArgumentParser
import PosterCore

/// `--size 512` (square) or `--size 768x512` (width x height).
extension CanvasSize: ExpressibleByArgument {
    public init?(argument: String) {
        let parts = argument.lowercased().split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2, let width = Int(parts[0]), let height = Int(parts.last!) else { return nil }
        self.init(width: width, height: height)
        if problem != nil { return nil }
    }

    public var defaultValueDescription: String { "\(width)" }
}

extension LayoutFormat: ExpressibleByArgument {}
