/// The text formats a `Layout` is read from and written to.
public enum LayoutFormat: String, CaseIterable, Sendable, Codable {
    /// The canonical token string: `[x25][y89][x108][y96][W][I][L][D]...`.
    case tokens
    /// TextDiffuser-2's planner output (M1): one `keyword l,t,r,b` per line.
    case planner
    /// TextDiffuser-2's diffusion text-encoder string (M2): `l25 t89 r108 b96 [W] [I] ... <|endoftext|>`.
    case encoder
    /// `{"canvas":{"width":512,"height":512},"grid":128,"lines":[{"text":"WILD","box":[25,89,108,96]}]}`.
    case json

    public var displayName: String {
        switch self {
        case .tokens: "token"
        case .planner: "planner-lines"
        case .encoder: "encoder-string"
        case .json: "JSON"
        }
    }

    /// Which format a text is in, from its first non-blank characters:
    /// `{` is JSON, `[` the canonical tokens, `l<digits>` then `t<digits>` the
    /// encoder string, anything else planner lines.
    public static func detect(_ text: String) -> LayoutFormat? {
        guard let start = text.firstIndex(where: { !$0.isWhitespace }) else { return nil }
        let rest = text[start...]
        switch rest.first {
        case "{": return .json
        case "[": return .tokens
        default: break
        }
        let words = rest.prefix(64).split(whereSeparator: \.isWhitespace).prefix(2)
        if words.count == 2, isCoordinateWord(words[words.startIndex], "l"), isCoordinateWord(words[words.startIndex + 1], "t") {
            return .encoder
        }
        return .planner
    }

    private static func isCoordinateWord(_ word: Substring, _ axis: Character) -> Bool {
        word.first == axis && word.count > 1 && word.dropFirst().allSatisfy(\.isASCIIDigitLike)
    }

    /// Reads a layout in this format; `canvas` applies to formats that carry no canvas.
    public func decode(_ text: String, canvas: CanvasSize = .standard) throws(LayoutParseError) -> Layout {
        switch self {
        case .tokens: try LayoutTokenCodec.decode(text, canvas: canvas)
        case .planner: try PlannerLinesCodec.decode(text, canvas: canvas)
        case .encoder: try EncoderStringCodec.decode(text, canvas: canvas)
        case .json: try LayoutJSONCodec.decode(text)
        }
    }

    public func encode(_ layout: Layout) -> String {
        switch self {
        case .tokens: LayoutTokenCodec.encode(layout)
        case .planner: PlannerLinesCodec.encode(layout)
        case .encoder: EncoderStringCodec.encode(layout)
        case .json: LayoutJSONCodec.encode(layout)
        }
    }
}

extension Layout {
    /// Reads a layout in whichever format the text is in (see `LayoutFormat.detect`).
    public static func parse(_ text: String, canvas: CanvasSize = .standard) throws(LayoutParseError) -> Layout {
        guard let format = LayoutFormat.detect(text) else {
            throw LayoutParseError(format: nil, position: "", message: "empty input: expected a layout (tokens, planner lines, encoder string or JSON)")
        }
        return try format.decode(text, canvas: canvas)
    }

    /// Builds the checked layout from lines a parser already validated.
    init(validated canvas: CanvasSize, lines: [LayoutLine], format: LayoutFormat) throws(LayoutParseError) {
        do {
            try self.init(canvas: canvas, lines: lines)
        } catch {
            throw LayoutParseError(format: format, position: "", message: error.message)
        }
    }
}
