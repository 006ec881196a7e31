/// TextDiffuser-2's diffusion text-encoder layout string (its "M2" input):
/// `l25 t89 r108 b96 [W] [I] [L] [D] <|endoftext|>` per line, the coordinates as
/// bare `l/t/r/b` words (the tokens it adds to the CLIP tokenizer) and each line
/// closed by CLIP's end-of-text token, as its inference script builds it.
public enum EncoderStringCodec {
    public static let lineEnd = "<|endoftext|>"

    public static func encode(_ layout: Layout) -> String {
        layout.lines.map { line in
            let b = line.box
            let characters = line.characters.map { "[\($0)]" }.joined(separator: " ")
            return "l\(b.left) t\(b.top) r\(b.right) b\(b.bottom) \(characters) \(lineEnd)"
        }.joined(separator: " ")
    }

    public static func decode(_ text: String, canvas: CanvasSize = .standard) throws(LayoutParseError) -> Layout {
        let characters = Array(text)
        let scanner = LayoutTokenScanner(bracketAxes: [], bareAxes: ["l", "t", "r", "b"], lineEndWord: lineEnd, format: .encoder)
        let grammar = LayoutTokenGrammar(axes: ["l", "t", "r", "b"],
                                         slotNames: ["lN (left)", "tN (top)", "rN (right)", "bN (bottom)"],
                                         format: .encoder)
        let lines = try grammar.lines(from: scanner.scan(characters), in: characters)
        return try Layout(validated: canvas, lines: lines, format: .encoder)
    }
}
