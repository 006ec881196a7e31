/// The grammar both bracketed token formats share: per line four coordinates
/// (left, top, right, bottom, in that order), then one or more character tokens;
/// a new line starts wherever a coordinate follows characters, or after a line end.
struct LayoutTokenGrammar {
    /// The axis letter expected for left, top, right, bottom.
    var axes: [Character]
    /// How each slot is spelled in messages, e.g. "[xN] (left)".
    var slotNames: [String]
    var format: LayoutFormat

    func lines(from tokens: [LayoutTokenScanner.Token], in characters: [Character]) throws(LayoutParseError) -> [LayoutLine] {
        let positions = TextPositions(characters)
        func fail(_ offset: Int, _ message: String) -> LayoutParseError {
            LayoutParseError(format: format, position: positions.describe(offset), message: message)
        }
        guard let first = tokens.first else {
            throw LayoutParseError(format: format, position: "", message: "empty input: expected a layout such as \(example)")
        }
        var lines: [LayoutLine] = []
        var coords: [Int] = []
        var boxOffset = first.offset
        var text = ""
        var lastOffset = first.offset

        func finishLine(at offset: Int) throws(LayoutParseError) {
            if coords.count < 4 {
                throw fail(offset, "line \(lines.count + 1) ends inside its box: expected \(slotNames[coords.count])")
            }
            if text.isEmpty {
                throw fail(offset, "line \(lines.count + 1) has no characters: expected a character token such as [A] after its box")
            }
            lines.append(LayoutLine(box: GridBox(left: coords[0], top: coords[1], right: coords[2], bottom: coords[3]), text: text))
            coords = []
            text = ""
        }

        for token in tokens {
            lastOffset = token.offset
            switch token.kind {
            case .coordinate(let axis, let value):
                if coords.count == 4 {
                    // A coordinate after characters starts the next line.
                    if text.isEmpty {
                        throw fail(token.offset, "line \(lines.count + 1) has no characters: expected a character token after its box, found '\(token.spelling)'")
                    }
                    try finishLine(at: token.offset)
                }
                let slot = coords.count
                guard axis == axes[slot] else {
                    throw fail(token.offset, "expected \(slotNames[slot]), found '\(token.spelling)'")
                }
                if slot == 0 { boxOffset = token.offset }
                coords.append(value)
                if slot == 2, value <= coords[0] {
                    throw fail(token.offset, "right (\(value)) must be greater than left (\(coords[0])) in the box at \(positions.describe(boxOffset))")
                }
                if slot == 3, value <= coords[1] {
                    throw fail(token.offset, "bottom (\(value)) must be greater than top (\(coords[1])) in the box at \(positions.describe(boxOffset))")
                }
            case .character(let character):
                if coords.isEmpty && lines.isEmpty {
                    throw fail(token.offset, "character token '\(token.spelling)' before any box: a line starts with \(slotNames.joined(separator: " "))")
                }
                if coords.isEmpty {
                    throw fail(token.offset, "character token '\(token.spelling)' after a line end: expected \(slotNames[0]) to start the next line")
                }
                guard coords.count == 4 else {
                    throw fail(token.offset, "expected \(slotNames[coords.count]), found character token '\(token.spelling)'")
                }
                if character.isNewline {
                    throw fail(token.offset, "a line break is not a layout character: one layout line holds one line of text")
                }
                text.append(character)
            case .lineEnd:
                if coords.isEmpty && lines.isEmpty {
                    throw fail(token.offset, "'\(token.spelling)' before any line: expected \(slotNames[0])")
                }
                if coords.isEmpty {
                    throw fail(token.offset, "'\(token.spelling)' twice in a row: line has no box or characters")
                }
                try finishLine(at: token.offset)
            }
        }
        if !coords.isEmpty { try finishLine(at: lastOffset) }
        return lines
    }

    private var example: String {
        format == .tokens ? "[x25][y89][x108][y96][W][I][L][D]" : "l25 t89 r108 b96 [W] [I] [L] [D]"
    }
}
