import XCTest
@testable import PosterCore

/// Every kind of bad input is reported as a `LayoutParseError` that names the problem
/// and where it is: "line L, column C" (1-based, in characters) or a JSON path.
final class LayoutBadInputTests: XCTestCase {
    private typealias Decode = (String) throws(LayoutParseError) -> Layout

    private func tokens(_ text: String) throws(LayoutParseError) -> Layout { try LayoutTokenCodec.decode(text) }
    private func planner(_ text: String) throws(LayoutParseError) -> Layout { try PlannerLinesCodec.decode(text) }
    private func encoder(_ text: String) throws(LayoutParseError) -> Layout { try EncoderStringCodec.decode(text) }
    private func json(_ text: String) throws(LayoutParseError) -> Layout { try LayoutJSONCodec.decode(text) }

    // MARK: - Canonical tokens

    func testTokensUnclosedBracket() {
        assertParseError(.tokens, at: "line 1, column 17", mentions: ["unclosed bracket", "'[A'"]) { () throws(LayoutParseError) in try tokens("[x1][y2][x3][y4][A") }
        assertParseError(.tokens, at: "line 1, column 17", mentions: ["unclosed bracket"]) { () throws(LayoutParseError) in try tokens("[x1][y2][x3][y4][") }
        assertParseError(.tokens, at: "line 1, column 5", mentions: ["unclosed bracket", "'[y2'"]) { () throws(LayoutParseError) in try tokens("[x1][y2") }
        assertParseError(.tokens, at: "line 1, column 17", mentions: ["unclosed bracket"]) { () throws(LayoutParseError) in try tokens("[x1][y2][x3][y4][A[B]") }
        assertParseError(.tokens, at: "line 1, column 5", mentions: ["unclosed bracket"]) { () throws(LayoutParseError) in try tokens("[x1][y2\n][x3][y4][A]") }
    }

    func testTokensCoordinateOutOfRange() {
        assertParseError(.tokens, at: "line 1, column 1", mentions: ["'[x129]'", "out of range", "0...128"]) { () throws(LayoutParseError) in try tokens("[x129][y2][x3][y4][A]") }
        assertParseError(.tokens, at: "line 2, column 5", mentions: ["'[y600]'", "out of range"]) { () throws(LayoutParseError) in try tokens("[x1][y2][x3][y4][A]\n[x5][y600][x7][y8][B]") }
        assertParseError(.tokens, at: "line 1, column 1", mentions: ["out of range"]) { () throws(LayoutParseError) in try tokens("[x99999999999999999999][y2][x3][y4][A]") }
    }

    func testTokensMalformedCoordinate() {
        assertParseError(.tokens, at: "line 1, column 1", mentions: ["malformed coordinate", "'[x-1]'"]) { () throws(LayoutParseError) in try tokens("[x-1][y2][x3][y4][A]") }
        assertParseError(.tokens, at: "line 1, column 5", mentions: ["malformed coordinate", "'[y2a]'"]) { () throws(LayoutParseError) in try tokens("[x1][y2a][x3][y4][A]") }
        assertParseError(.tokens, at: "line 1, column 1", mentions: ["malformed coordinate"]) { () throws(LayoutParseError) in try tokens("[x١٢][y2][x3][y4][A]") }
    }

    func testTokensRightNotGreaterThanLeft() {
        assertParseError(.tokens, at: "line 1, column 10", mentions: ["right (10) must be greater than left (10)", "box at line 1, column 1"]) { () throws(LayoutParseError) in try tokens("[x10][y2][x10][y4][A]") }
        assertParseError(.tokens, at: "line 2, column 11", mentions: ["right (5) must be greater than left (6)", "box at line 2, column 3"]) { () throws(LayoutParseError) in try tokens("[x1][y2][x3][y4][A]\n  [x6][y6][x5][y8][B]") }
    }

    func testTokensBottomNotGreaterThanTop() {
        assertParseError(.tokens, at: "line 1, column 15", mentions: ["bottom (4) must be greater than top (20)"]) { () throws(LayoutParseError) in try tokens("[x1][y20][x10][y4][A]") }
        assertParseError(.tokens, at: "line 1, column 14", mentions: ["bottom (7) must be greater than top (7)"]) { () throws(LayoutParseError) in try tokens("[x1][y7][x10][y7][A]") }
    }

    func testTokensLineWithoutCharacters() {
        // Box then box.
        assertParseError(.tokens, at: "line 1, column 17", mentions: ["line 1 has no characters", "'[x5]'"]) { () throws(LayoutParseError) in try tokens("[x1][y2][x3][y4][x5][y6][x7][y8][B]") }
        // Box then end of input.
        assertParseError(.tokens, at: "line 1, column 13", mentions: ["line 1 has no characters"]) { () throws(LayoutParseError) in try tokens("[x1][y2][x3][y4]") }
        assertParseError(.tokens, at: "line 1, column 32", mentions: ["line 2 has no characters"]) { () throws(LayoutParseError) in try tokens("[x1][y2][x3][y4][A][x5][y6][x7][y8]") }
    }

    func testTokensIncompleteOrMisorderedBox() {
        assertParseError(.tokens, at: "line 1, column 9", mentions: ["expected [xN] (right)", "'[A]'"]) { () throws(LayoutParseError) in try tokens("[x1][y2][A]") }
        assertParseError(.tokens, at: "line 1, column 5", mentions: ["ends inside its box", "expected [xN] (right)"]) { () throws(LayoutParseError) in try tokens("[x1][y2]") }
        assertParseError(.tokens, at: "line 1, column 1", mentions: ["expected [xN] (left)", "'[y1]'"]) { () throws(LayoutParseError) in try tokens("[y1][x2][x3][y4][A]") }
    }

    func testTokensCharactersBeforeAnyBox() {
        assertParseError(.tokens, at: "line 1, column 1", mentions: ["'[A]'", "before any box"]) { () throws(LayoutParseError) in try tokens("[A][x1][y2][x3][y4][B]") }
        assertParseError(.tokens, at: "line 2, column 2", mentions: ["'[x]'", "before any box"]) { () throws(LayoutParseError) in try tokens("\n [x][x1][y2][x3][y4][B]") }
    }

    func testTokensEmptyAndBlankInput() {
        assertParseError(.tokens, at: "", mentions: ["empty input", "[x25][y89][x108][y96][W][I][L][D]"]) { () throws(LayoutParseError) in try tokens("") }
        assertParseError(.tokens, at: "", mentions: ["empty input"]) { () throws(LayoutParseError) in try tokens(" \n\t\r\n ") }
    }

    func testTokensWithMoreThanOneCharacter() {
        assertParseError(.tokens, at: "line 1, column 17", mentions: ["'[ab]'", "more than one character"]) { () throws(LayoutParseError) in try tokens("[x1][y2][x3][y4][ab]") }
        assertParseError(.tokens, at: "line 1, column 20", mentions: ["'[  ]'", "more than one character"]) { () throws(LayoutParseError) in try tokens("[x1][y2][x3][y4][A][  ]") }
        assertParseError(.tokens, at: "line 1, column 17", mentions: ["empty token '[]'"]) { () throws(LayoutParseError) in try tokens("[x1][y2][x3][y4][]") }
    }

    func testTokensBareWordsAndLineBreakCharacters() {
        assertParseError(.tokens, at: "line 1, column 17", mentions: ["unexpected 'WILD'"]) { () throws(LayoutParseError) in try tokens("[x1][y2][x3][y4]WILD") }
        assertParseError(.tokens, at: "line 1, column 20", mentions: ["unexpected ']'"]) { () throws(LayoutParseError) in try tokens("[x1][y2][x3][y4][A]]") }
        assertParseError(.tokens, at: "line 1, column 17", mentions: ["line break"]) { () throws(LayoutParseError) in try tokens("[x1][y2][x3][y4][\u{2028}]") }
    }

    // MARK: - Planner lines

    func testPlannerCoordinateOutOfRange() {
        assertParseError(.planner, at: "line 1, column 7", mentions: ["coordinate 300", "out of range", "0...128"]) { () throws(LayoutParseError) in try planner("hello 1,2,300,4") }
        assertParseError(.planner, at: "line 2, column 3", mentions: ["coordinate 200", "out of range"]) { () throws(LayoutParseError) in try planner("A 1,2,3,4\nB 200,2,3,4") }
        assertParseError(.planner, at: "line 1, column 3", mentions: ["not a whole number"]) { () throws(LayoutParseError) in try planner("A 1,2,3,99999999999999999999") }
    }

    func testPlannerRightAndBottomMustExceedLeftAndTop() {
        assertParseError(.planner, at: "line 1, column 5", mentions: ["right (3) must be greater than left (5)"]) { () throws(LayoutParseError) in try planner("abc 5,2,3,4") }
        assertParseError(.planner, at: "line 1, column 5", mentions: ["right (5) must be greater than left (5)"]) { () throws(LayoutParseError) in try planner("abc 5,2,5,4") }
        assertParseError(.planner, at: "line 1, column 11", mentions: ["bottom (4) must be greater than top (9)"]) { () throws(LayoutParseError) in try planner("two words 1,9,3,4") }
    }

    func testPlannerLineWithoutBox() {
        assertParseError(.planner, at: "line 1, column 1", mentions: ["expected 'keyword l,t,r,b'", "'hello'"]) { () throws(LayoutParseError) in try planner("hello") }
        assertParseError(.planner, at: "line 2, column 7", mentions: ["four comma-separated coordinates", "'world'"]) { () throws(LayoutParseError) in try planner("A 1,2,3,4\nhello world") }
        assertParseError(.planner, at: "line 1, column 7", mentions: ["four comma-separated coordinates", "'1,2,3'"]) { () throws(LayoutParseError) in try planner("hello 1,2,3") }
        assertParseError(.planner, at: "line 1, column 7", mentions: ["four comma-separated coordinates"]) { () throws(LayoutParseError) in try planner("hello 1,2,3,4,5") }
    }

    func testPlannerCoordinateNotAWholeNumber() {
        assertParseError(.planner, at: "line 1, column 5", mentions: ["'x'", "not a whole number"]) { () throws(LayoutParseError) in try planner("abc 1,2,x,4") }
        assertParseError(.planner, at: "line 1, column 5", mentions: ["'-1'", "not a whole number"]) { () throws(LayoutParseError) in try planner("abc -1,2,3,4") }
        assertParseError(.planner, at: "line 1, column 5", mentions: ["not a whole number"]) { () throws(LayoutParseError) in try planner("abc 1,2,,4") }
        assertParseError(.planner, at: "line 1, column 5", mentions: ["'1.5'", "not a whole number"]) { () throws(LayoutParseError) in try planner("abc 1.5,2,3,4") }
    }

    func testPlannerLineWithNoCharacters() {
        assertParseError(.planner, at: "line 1, column 1", mentions: ["line has no characters"]) { () throws(LayoutParseError) in try planner(" 1,2,3,4") }
        assertParseError(.planner, at: "line 3, column 1", mentions: ["line has no characters"]) { () throws(LayoutParseError) in try planner("A 1,2,3,4\n\n\t5,6,7,8") }
    }

    func testPlannerEmptyAndBlankInput() {
        assertParseError(.planner, at: "", mentions: ["empty input"]) { () throws(LayoutParseError) in try planner("") }
        assertParseError(.planner, at: "", mentions: ["empty input"]) { () throws(LayoutParseError) in try planner(" \n\t\r\n  \n") }
    }

    func testPlannerCRLFErrorsCountLines() {
        assertParseError(.planner, at: "line 2, column 3", mentions: ["four comma-separated coordinates"]) { () throws(LayoutParseError) in try planner("A 1,2,3,4\r\nB 1,2,3\r\n") }
    }

    func testPlannerKeywordWithALineBreakThatIsNotALineFeed() {
        // U+2028 (line separator) and form feed do not split planner lines but are line breaks.
        assertParseError(.planner, at: "line 1, column 1", mentions: ["line break"]) { () throws(LayoutParseError) in try planner("a\u{2028}b 1,2,3,4") }
        assertParseError(.planner, at: "line 2, column 1", mentions: ["line break"]) { () throws(LayoutParseError) in try planner("A 1,2,3,4\na\u{0C}b 1,2,3,4") }
    }

    // MARK: - Encoder string

    func testEncoderCoordinateOutOfRange() {
        assertParseError(.encoder, at: "line 1, column 1", mentions: ["'l200'", "out of range", "0...128"]) { () throws(LayoutParseError) in try encoder("l200 t2 r3 b4 [A]") }
        assertParseError(.encoder, at: "line 1, column 10", mentions: ["'b129'", "out of range"]) { () throws(LayoutParseError) in try encoder("l1 t2 r3 b129 [A]") }
    }

    func testEncoderRightAndBottomMustExceedLeftAndTop() {
        assertParseError(.encoder, at: "line 1, column 8", mentions: ["right (5) must be greater than left (10)"]) { () throws(LayoutParseError) in try encoder("l10 t2 r5 b4 [A]") }
        assertParseError(.encoder, at: "line 1, column 10", mentions: ["bottom (4) must be greater than top (9)"]) { () throws(LayoutParseError) in try encoder("l1 t9 r5 b4 [A]") }
    }

    func testEncoderLineWithoutCharacters() {
        assertParseError(.encoder, at: "line 1, column 13", mentions: ["line 1 has no characters"]) { () throws(LayoutParseError) in try encoder("l1 t2 r3 b4 <|endoftext|>") }
        assertParseError(.encoder, at: "line 1, column 10", mentions: ["line 1 has no characters"]) { () throws(LayoutParseError) in try encoder("l1 t2 r3 b4") }
        assertParseError(.encoder, at: "line 1, column 13", mentions: ["line 1 has no characters", "'l5'"]) { () throws(LayoutParseError) in try encoder("l1 t2 r3 b4 l5 t6 r7 b8 [A]") }
    }

    func testEncoderCharactersBeforeAnyBoxOrAfterALineEnd() {
        assertParseError(.encoder, at: "line 1, column 1", mentions: ["'[A]'", "before any box"]) { () throws(LayoutParseError) in try encoder("[A] l1 t2 r3 b4 [B]") }
        assertParseError(.encoder, at: "line 1, column 31", mentions: ["'[B]'", "after a line end"]) { () throws(LayoutParseError) in try encoder("l1 t2 r3 b4 [A] <|endoftext|> [B]") }
        assertParseError(.encoder, at: "line 1, column 1", mentions: ["before any line"]) { () throws(LayoutParseError) in try encoder("<|endoftext|> l1 t2 r3 b4 [A]") }
        assertParseError(.encoder, at: "line 1, column 31", mentions: ["twice in a row"]) { () throws(LayoutParseError) in try encoder("l1 t2 r3 b4 [A] <|endoftext|> <|endoftext|>") }
    }

    func testEncoderBadTokens() {
        assertParseError(.encoder, at: "line 1, column 13", mentions: ["'[ab]'", "more than one character"]) { () throws(LayoutParseError) in try encoder("l1 t2 r3 b4 [ab]") }
        // Bracketed coordinates belong to the token format, not the encoder string.
        assertParseError(.encoder, at: "line 1, column 1", mentions: ["'[x12]'", "more than one character"]) { () throws(LayoutParseError) in try encoder("[x12] t2 r3 b4 [A]") }
        assertParseError(.encoder, at: "line 1, column 13", mentions: ["unclosed bracket"]) { () throws(LayoutParseError) in try encoder("l1 t2 r3 b4 [A") }
        assertParseError(.encoder, at: "line 1, column 1", mentions: ["unexpected 'hello'", "<|endoftext|>"]) { () throws(LayoutParseError) in try encoder("hello") }
        assertParseError(.encoder, at: "line 1, column 1", mentions: ["expected lN (left)", "'t2'"]) { () throws(LayoutParseError) in try encoder("t2 l1 r3 b4 [A]") }
        assertParseError(.encoder, at: "", mentions: ["empty input", "l25 t89 r108 b96"]) { () throws(LayoutParseError) in try encoder("  \n ") }
    }

    // MARK: - JSON

    func testJSONMissingLines() {
        assertParseError(.json, at: "top level", mentions: ["missing key 'lines'"]) { () throws(LayoutParseError) in try json(#"{"canvas":{"width":5,"height":5}}"#) }
        assertParseError(.json, at: "lines[1]", mentions: ["missing key 'text'"]) { () throws(LayoutParseError) in try json(#"{"lines":[{"text":"A","box":[1,2,3,4]},{"box":[1,2,3,4]}]}"#) }
        assertParseError(.json, at: "lines", mentions: ["at least one line"]) { () throws(LayoutParseError) in try json(#"{"lines":[]}"#) }
    }

    func testJSONCoordinateOutOfRange() {
        assertParseError(.json, at: "lines[0].box", mentions: ["left coordinate 129", "out of range", "0...128"]) { () throws(LayoutParseError) in try json(#"{"lines":[{"text":"A","box":[129,2,3,4]}]}"#) }
        assertParseError(.json, at: "lines[1].box", mentions: ["bottom coordinate 129", "out of range"]) { () throws(LayoutParseError) in try json(#"{"lines":[{"text":"A","box":[1,2,3,4]},{"text":"B","box":[1,2,3,129]}]}"#) }
        assertParseError(.json, at: "lines[0].box", mentions: ["top coordinate -1", "out of range"]) { () throws(LayoutParseError) in try json(#"{"lines":[{"text":"A","box":[1,-1,3,4]}]}"#) }
    }

    func testJSONRightAndBottomMustExceedLeftAndTop() {
        assertParseError(.json, at: "lines[0].box", mentions: ["right (3) must be greater than left (5)"]) { () throws(LayoutParseError) in try json(#"{"lines":[{"text":"A","box":[5,2,3,4]}]}"#) }
        assertParseError(.json, at: "lines[0].box", mentions: ["bottom (2) must be greater than top (2)"]) { () throws(LayoutParseError) in try json(#"{"lines":[{"text":"A","box":[1,2,3,2]}]}"#) }
        assertParseError(.json, at: "lines[0].box", mentions: ["four coordinates", "found 3"]) { () throws(LayoutParseError) in try json(#"{"lines":[{"text":"A","box":[1,2,3]}]}"#) }
    }

    func testJSONNonIntegerCoordinate() {
        assertParseError(.json, at: "lines[0].box[0]", mentions: ["whole number", "1.5"]) { () throws(LayoutParseError) in try json(#"{"lines":[{"text":"A","box":[1.5,2,3,4]}]}"#) }
        assertParseError(.json, at: "lines[1].box[3]", mentions: ["whole number"]) { () throws(LayoutParseError) in try json(#"{"lines":[{"text":"A","box":[1,2,3,4]},{"text":"B","box":[1,2,3,1e30]}]}"#) }
        assertParseError(.json, at: "lines[0].box[0]", mentions: ["whole number", "string"]) { () throws(LayoutParseError) in try json(#"{"lines":[{"text":"A","box":["1",2,3,4]}]}"#) }
        assertParseError(.json, at: "lines[0].box[2]", mentions: ["whole number"]) { () throws(LayoutParseError) in try json(#"{"lines":[{"text":"A","box":[1,2,null,4]}]}"#) }
        assertParseError(.json, at: "canvas.width", mentions: ["whole number", "512.5"]) { () throws(LayoutParseError) in try json(#"{"canvas":{"width":512.5,"height":512},"lines":[{"text":"A","box":[1,2,3,4]}]}"#) }
        // Whole numbers written with an exponent or a zero fraction are whole numbers.
        XCTAssertEqual(try json(#"{"lines":[{"text":"A","box":[1e1,2.0,30,40]}]}"#).lines[0].box, GridBox(left: 10, top: 2, right: 30, bottom: 40))
    }

    func testJSONWrongTypes() {
        assertParseError(.json, at: "lines[0].text", mentions: ["a string"]) { () throws(LayoutParseError) in try json(#"{"lines":[{"text":5,"box":[1,2,3,4]}]}"#) }
        assertParseError(.json, at: "lines", mentions: ["expected"]) { () throws(LayoutParseError) in try json(#"{"lines":5}"#) }
        XCTAssertEqual(parseError { () throws(LayoutParseError) in try json("[1,2,3]") }?.format, .json)
    }

    func testJSONInvalidSyntax() {
        #if os(Linux)
        assertParseError(.json, at: "line 1, column 12", mentions: ["invalid JSON syntax"]) { () throws(LayoutParseError) in try json(#"{"lines": [}"#) }
        assertParseError(.json, at: "line 4, column 3", mentions: ["invalid JSON syntax"]) { () throws(LayoutParseError) in try json("{\n\"lines\": [\n  {\"text\":\"é\",\"box\":[1,2,3,4]},\n  x]}") }
        #endif
        for text in [#"{"lines": [}"#, #"{"lines":[{"text":"A","box":[1,2,3,4]}"#, "{", "", #"{"lines":[{"text":"A","box":[1,2,3,4]}]} trailing"#] {
            guard let error = parseError({ () throws(LayoutParseError) in try json(text) }) else { continue }
            XCTAssertEqual(error.format, .json)
            XCTAssertTrue(error.message.contains("invalid JSON syntax"), "\(text.debugDescription): \(error)")
        }
    }

    func testJSONUnsupportedGridAndCanvas() {
        assertParseError(.json, at: "grid", mentions: ["grid 64 is not supported", "expected 128"]) { () throws(LayoutParseError) in try json(#"{"grid":64,"lines":[{"text":"A","box":[1,2,3,4]}]}"#) }
        assertParseError(.json, at: "canvas", mentions: ["canvas 0x5", "out of range", "1...8192"]) { () throws(LayoutParseError) in try json(#"{"canvas":{"width":0,"height":5},"lines":[{"text":"A","box":[1,2,3,4]}]}"#) }
        assertParseError(.json, at: "canvas", mentions: ["canvas 512x8193", "out of range"]) { () throws(LayoutParseError) in try json(#"{"canvas":{"width":512,"height":8193},"lines":[{"text":"A","box":[1,2,3,4]}]}"#) }
    }

    func testJSONBadText() {
        assertParseError(.json, at: "lines[0].text", mentions: ["no characters"]) { () throws(LayoutParseError) in try json(#"{"lines":[{"text":"","box":[1,2,3,4]}]}"#) }
        assertParseError(.json, at: "lines[0].text", mentions: ["line break"]) { () throws(LayoutParseError) in try json(#"{"lines":[{"text":"a\nb","box":[1,2,3,4]}]}"#) }
    }

    // MARK: - Layout.parse

    func testParseEmptyAndBlankInput() {
        assertParseError(nil, at: "", mentions: ["empty input"]) { () throws(LayoutParseError) in try Layout.parse("") }
        assertParseError(nil, at: "", mentions: ["empty input"]) { () throws(LayoutParseError) in try Layout.parse(" \n\t\r\n ") }
    }

    func testParseReportsTheDetectedFormatsError() {
        assertParseError(.tokens, at: "line 1, column 1", mentions: ["'[x129]'"]) { () throws(LayoutParseError) in try Layout.parse("[x129][y2][x3][y4][A]") }
        assertParseError(.planner, at: "line 1, column 7", mentions: ["coordinate 300"]) { () throws(LayoutParseError) in try Layout.parse("hello 1,2,300,4") }
        assertParseError(.encoder, at: "line 1, column 1", mentions: ["'l200'"]) { () throws(LayoutParseError) in try Layout.parse("l200 t2 r3 b4 [A]") }
        assertParseError(.json, at: "grid", mentions: ["grid 64"]) { () throws(LayoutParseError) in try Layout.parse(#"{"grid":64,"lines":[]}"#) }
    }

    func testInvalidCanvasParameterIsReported() {
        assertParseError(.tokens, at: "", mentions: ["canvas 0x512", "out of range"]) { () throws(LayoutParseError) in
            try LayoutTokenCodec.decode("[x1][y2][x3][y4][A]", canvas: CanvasSize(width: 0, height: 512))
        }
        assertParseError(.planner, at: "", mentions: ["canvas 512x9000"]) { () throws(LayoutParseError) in
            try PlannerLinesCodec.decode("A 1,2,3,4", canvas: CanvasSize(width: 512, height: 9000))
        }
    }

    // MARK: - Robustness

    /// Randomly damaged encodings of random layouts: each codec either reads them or throws
    /// a `LayoutParseError` with a message; none traps.
    func testDamagedInputsThrowInsteadOfCrashing() {
        var generator = RandomLayoutGenerator(seed: 0xBAD)
        let noise: [Character] = ["[", "]", "{", "}", ",", " ", "\n", "\r\n", "x", "y", "l", "1", "9", "\"", "\\", "é", "\u{301}", "😀", "<", "|"]
        var failures = 0
        for _ in 0..<150 {
            let layout = generator.layout()
            for format in LayoutFormat.allCases {
                var characters = Array(format.encode(layout))
                for _ in 0..<generator.int(1...4) {
                    let position = generator.int(0...characters.count)
                    switch generator.int(0...2) {
                    case 0 where position < characters.count: characters.remove(at: position)
                    case 1: characters.insert(noise.randomElement(using: &generator.rng)!, at: position)
                    default: characters = Array(characters.prefix(position))
                    }
                }
                do {
                    _ = try format.decode(String(characters), canvas: layout.canvas)
                } catch {
                    failures += 1
                    XCTAssertFalse(error.message.isEmpty)
                    XCTAssertTrue(error.format == format)
                }
                _ = try? Layout.parse(String(characters))
            }
        }
        XCTAssertGreaterThan(failures, 300)
    }
}
