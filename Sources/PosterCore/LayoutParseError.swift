/// Why a layout text could not be read: what was wrong, where (line and column,
/// 1-based, counted in characters; or a JSON path), and what was expected.
public struct LayoutParseError: Error, Hashable, Sendable, CustomStringConvertible {
    public var format: LayoutFormat?
    public var position: String
    public var message: String

    public init(format: LayoutFormat?, position: String, message: String) {
        self.format = format
        self.position = position
        self.message = message
    }

    public var description: String {
        let what = format.map { "\($0.displayName) layout" } ?? "layout"
        return position.isEmpty ? "\(what): \(message)" : "\(what), \(position): \(message)"
    }
}

/// Line and column (1-based) of a character offset, for error messages.
struct TextPositions {
    private let characters: [Character]

    init(_ characters: [Character]) { self.characters = characters }

    func describe(_ offset: Int) -> String {
        var line = 1
        var column = 1
        for character in characters.prefix(offset) {
            if character.isNewline { line += 1; column = 1 } else { column += 1 }
        }
        return "line \(line), column \(column)"
    }
}
