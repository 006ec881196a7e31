import XCTest
@testable import PosterCore

/// `LayoutFormat.detect` and `Layout.parse`.
final class LayoutFormatDetectionTests: XCTestCase {
    func testDetectsEachFormatFromItsFirstCharacters() {
        XCTAssertEqual(LayoutFormat.detect("[x25][y89][x108][y96][W]"), .tokens)
        XCTAssertEqual(LayoutFormat.detect(#"{"lines":[]}"#), .json)
        XCTAssertEqual(LayoutFormat.detect("l25 t89 r108 b96 [W] <|endoftext|>"), .encoder)
        XCTAssertEqual(LayoutFormat.detect("Summer Sale 26,13,73,35"), .planner)
    }

    func testSkipsLeadingWhitespace() {
        XCTAssertEqual(LayoutFormat.detect(" \n\t [x1]"), .tokens)
        XCTAssertEqual(LayoutFormat.detect("\r\n  {"), .json)
        XCTAssertEqual(LayoutFormat.detect("\n l1\tt2 r3 b4"), .encoder)
        XCTAssertEqual(LayoutFormat.detect("\n\n WILD 1,2,3,4"), .planner)
    }

    func testEncoderNeedsLDigitsThenTDigits() {
        XCTAssertEqual(LayoutFormat.detect("l1 t2"), .encoder)
        XCTAssertEqual(LayoutFormat.detect("l1 x2 r3 b4"), .planner)
        XCTAssertEqual(LayoutFormat.detect("l t2 1,2,3,4"), .planner)
        XCTAssertEqual(LayoutFormat.detect("lx1 t2 1,2,3,4"), .planner)
        XCTAssertEqual(LayoutFormat.detect("l1 t 1,2,3,4"), .planner)
        XCTAssertEqual(LayoutFormat.detect("l1"), .planner)
        // Only ASCII digits count.
        XCTAssertEqual(LayoutFormat.detect("l١ t٢ 1,2,3,4"), .planner)
    }

    func testEmptyAndBlankTextHaveNoFormat() {
        XCTAssertNil(LayoutFormat.detect(""))
        XCTAssertNil(LayoutFormat.detect(" \t\r\n \n"))
    }

    func testParsePicksTheFormat() throws {
        let expected = makeLayout([("WILD", [25, 89, 108, 96])])
        XCTAssertEqual(try Layout.parse("[x25][y89][x108][y96][W][I][L][D]"), expected)
        XCTAssertEqual(try Layout.parse("WILD 25,89,108,96"), expected)
        XCTAssertEqual(try Layout.parse("l25 t89 r108 b96 [W] [I] [L] [D] <|endoftext|>"), expected)
        XCTAssertEqual(try Layout.parse(#"{"lines":[{"text":"WILD","box":[25,89,108,96]}]}"#), expected)
    }

    func testParsePassesTheCanvasToFormatsWithoutOne() throws {
        let canvas = CanvasSize(width: 300, height: 200)
        XCTAssertEqual(try Layout.parse("[x1][y2][x3][y4][A]", canvas: canvas).canvas, canvas)
        XCTAssertEqual(try Layout.parse("A 1,2,3,4", canvas: canvas).canvas, canvas)
        XCTAssertEqual(try Layout.parse("l1 t2 r3 b4 [A]", canvas: canvas).canvas, canvas)
    }

    /// Detection looks only at the start, so a planner keyword that begins like another
    /// format is read as that format (and fails there, with that format's error).
    func testPlannerKeywordsThatLookLikeOtherFormatsAreMisdetected() {
        XCTAssertEqual(LayoutFormat.detect("[Sale] 1,2,3,4"), .tokens)
        XCTAssertEqual(LayoutFormat.detect("{Sale} 1,2,3,4"), .json)
        XCTAssertEqual(LayoutFormat.detect("l1 t2 3,4,5,6"), .encoder)
        XCTAssertEqual(parseError { () throws(LayoutParseError) in try Layout.parse("[Sale] 1,2,3,4") }?.format, .tokens)
        // Decoding with the planner codec directly reads them fine.
        XCTAssertEqual(try PlannerLinesCodec.decode("[Sale] 1,2,3,4").lines[0].text, "[Sale]")
        XCTAssertEqual(try PlannerLinesCodec.decode("l1 t2 3,4,5,6").lines[0].text, "l1 t2")
    }

    func testDisplayNamesAndRawValues() {
        XCTAssertEqual(LayoutFormat.allCases.map(\.displayName), ["token", "planner-lines", "encoder-string", "JSON"])
        XCTAssertEqual(LayoutFormat(rawValue: "planner"), .planner)
    }
}
