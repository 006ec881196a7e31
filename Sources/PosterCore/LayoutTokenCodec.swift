/// The canonical layout token string (the design card's format): per line
/// `[xL][yT][xR][yB]` then one `[c]` per character; `[ ]` is a space and
/// `[x]`/`[y]` are the letters, while `[x12]` is a coordinate. Whitespace
/// between tokens is ignored.
public enum LayoutTokenCodec {
    public static func encode(_ layout: Layout) -> String {
        var out = ""
        for line in layout.lines {
            let b = line.box
            out += "[x\(b.left)][y\(b.top)][x\(b.right)][y\(b.bottom)]"
            for character in line.characters { out += "[\(character)]" }
        }
        return out
    }

    public static func decode(_ text: String, canvas: CanvasSize = .standard) throws(LayoutParseError) -> Layout {
        let characters = Array(text)
        let scanner = LayoutTokenScanner(bracketAxes: ["x", "y"], bareAxes: [], lineEndWord: nil, format: .tokens)
        let grammar = LayoutTokenGrammar(axes: ["x", "y", "x", "y"],
                                         slotNames: ["[xN] (left)", "[yN] (top)", "[xN] (right)", "[yN] (bottom)"],
                                         format: .tokens)
        let lines = try grammar.lines(from: scanner.scan(characters), in: characters)
        return try Layout(validated: canvas, lines: lines, format: .tokens)
    }
}
