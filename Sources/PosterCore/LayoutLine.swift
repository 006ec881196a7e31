/// One text line of a layout: its box on the 128 grid and its text (any Unicode, one line).
public struct LayoutLine: Hashable, Sendable {
    public var box: GridBox
    public var text: String

    public init(box: GridBox, text: String) {
        self.box = box
        self.text = text
    }

    /// The text as layout character tokens: one per extended grapheme cluster,
    /// so a base letter and its combining marks stay one token and joining them
    /// gives the text back exactly.
    public var characters: [Character] { Array(text) }

    /// Why this line is not valid, or nil when it is.
    public var problem: String? {
        if let boxProblem = box.problem { return boxProblem }
        if text.isEmpty { return "line has no characters" }
        if text.contains(where: \.isNewline) { return "line text contains a line break; a layout line holds one line of text" }
        return nil
    }
}
