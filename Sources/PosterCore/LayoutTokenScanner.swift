/// Splits a bracketed layout token text into tokens with their offsets. Shared by
/// the canonical token codec (`[x25][y89]...[W]`) and TextDiffuser-2's encoder
/// string (`l25 t89 ... [W] <|endoftext|>`), which differ only in how a
/// coordinate and a line end are spelled.
struct LayoutTokenScanner {
    enum Kind: Equatable {
        /// A coordinate: its axis letter (`x`/`y`, or `l`/`t`/`r`/`b`) and value.
        case coordinate(axis: Character, value: Int)
        case character(Character)
        case lineEnd
    }

    struct Token {
        var kind: Kind
        var offset: Int
        var spelling: String
    }

    /// Axis letters written inside brackets (`[x12]`).
    var bracketAxes: Set<Character>
    /// Axis letters written as bare words (`l12`).
    var bareAxes: Set<Character>
    /// A bare word that ends a line (`<|endoftext|>`), if the format has one.
    var lineEndWord: String?
    var format: LayoutFormat

    /// Coordinates with more digits than this are out of range whatever they say.
    private static let maxDigits = 6

    func scan(_ characters: [Character]) throws(LayoutParseError) -> [Token] {
        let positions = TextPositions(characters)
        func fail(_ offset: Int, _ message: String) -> LayoutParseError {
            LayoutParseError(format: format, position: positions.describe(offset), message: message)
        }
        var tokens: [Token] = []
        var i = 0
        let n = characters.count
        while i < n {
            let c = characters[i]
            if c.isWhitespace { i += 1; continue }
            if c == "[" {
                guard i + 1 < n else { throw fail(i, "unclosed bracket: expected a character and ']' after '['") }
                let inner = characters[i + 1]
                if inner == "]" {
                    if i + 2 < n, characters[i + 2] == "]" {
                        tokens.append(Token(kind: .character("]"), offset: i, spelling: "[]]"))
                        i += 3
                        continue
                    }
                    throw fail(i, "empty token '[]': expected one character inside the brackets")
                }
                if i + 2 < n, characters[i + 2] == "]" {
                    tokens.append(Token(kind: .character(inner), offset: i, spelling: "[\(inner)]"))
                    i += 3
                    continue
                }
                // Longer than one character: a bracketed coordinate or an error.
                var j = i + 1
                while j < n, characters[j] != "]", characters[j] != "[", !characters[j].isNewline { j += 1 }
                guard j < n, characters[j] == "]" else {
                    throw fail(i, "unclosed bracket: expected ']' after '\(String(characters[i..<min(j, i + 12)]))'")
                }
                let body = characters[(i + 1)..<j]
                let spelling = "[" + String(body) + "]"
                if bracketAxes.contains(inner) {
                    let value = try coordinate(body.dropFirst(), axis: inner, spelling: spelling) { fail(i, $0) }
                    tokens.append(Token(kind: .coordinate(axis: inner, value: value), offset: i, spelling: spelling))
                    i = j + 1
                    continue
                }
                throw fail(i, "token '\(spelling)' holds more than one character: expected one character"
                           + (bracketAxes.isEmpty ? "" : " or a coordinate such as [x12] or [y40]"))
            }
            // A bare word, up to whitespace or the next bracket.
            var j = i
            while j < n, !characters[j].isWhitespace, characters[j] != "[" { j += 1 }
            let word = characters[i..<j]
            let spelling = String(word)
            if let lineEndWord, spelling == lineEndWord {
                tokens.append(Token(kind: .lineEnd, offset: i, spelling: spelling))
            } else if let axis = word.first, bareAxes.contains(axis), word.count > 1, word.dropFirst().allSatisfy(\.isASCIIDigitLike) {
                let value = try coordinate(word.dropFirst(), axis: axis, spelling: spelling) { fail(i, $0) }
                tokens.append(Token(kind: .coordinate(axis: axis, value: value), offset: i, spelling: spelling))
            } else if bareAxes.isEmpty {
                throw fail(i, "unexpected '\(spelling.prefix(12))': expected a bracketed token such as [W] or [x12]")
            } else {
                throw fail(i, "unexpected '\(spelling.prefix(12))': expected a coordinate (l12, t12, r12, b12), a character token such as [W]"
                           + (lineEndWord.map { ", or \($0)" } ?? ""))
            }
            i = j
        }
        return tokens
    }

    private func coordinate(_ digits: ArraySlice<Character>, axis: Character, spelling: String,
                            fail: (String) -> LayoutParseError) throws(LayoutParseError) -> Int {
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigitLike) else {
            throw fail("malformed coordinate '\(spelling)': expected \(axis) followed by digits, e.g. [\(axis)12]")
        }
        guard digits.count <= Self.maxDigits, let value = Int(String(digits)), GridBox.range.contains(value) else {
            throw fail("coordinate '\(spelling)' is out of range: expected 0...\(GridBox.gridSize)")
        }
        return value
    }
}

extension Character {
    /// ASCII 0-9 only (Character.isNumber also accepts other scripts' digits and fractions).
    var isASCIIDigitLike: Bool { isASCII && isWholeNumber }
}
