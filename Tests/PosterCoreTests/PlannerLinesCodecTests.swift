import XCTest
@testable import PosterCore

/// TextDiffuser-2's planner output: one `keyword l,t,r,b` per line.
final class PlannerLinesCodecTests: XCTestCase {
    func testEncodesOneLinePerLayoutLine() {
        let layout = makeLayout([("Summer Sale", [26, 13, 73, 35]), ("50% OFF", [30, 40, 90, 60])])
        XCTAssertEqual(PlannerLinesCodec.encode(layout), "Summer Sale 26,13,73,35\n50% OFF 30,40,90,60")
    }

    func testDecodesKeywordsWithInnerSpaces() throws {
        let layout = try PlannerLinesCodec.decode("Summer  Sale Now 26,13,73,35\nB 1,2,3,4")
        XCTAssertEqual(layout, makeLayout([("Summer  Sale Now", [26, 13, 73, 35]), ("B", [1, 2, 3, 4])]))
    }

    func testKeepsLeadingAndTrailingSpacesOfTheKeyword() throws {
        let layout = makeLayout([("  padded  ", [1, 2, 3, 4]), (" ", [5, 6, 7, 8])])
        let encoded = PlannerLinesCodec.encode(layout)
        XCTAssertEqual(encoded, "  padded   1,2,3,4\n  5,6,7,8")
        XCTAssertEqual(try PlannerLinesCodec.decode(encoded), layout)
    }

    func testDecodesCRLFInput() throws {
        let layout = try PlannerLinesCodec.decode("Summer Sale 26,13,73,35\r\nWILD 25,89,108,96\r\n")
        XCTAssertEqual(layout, makeLayout([("Summer Sale", [26, 13, 73, 35]), ("WILD", [25, 89, 108, 96])]))
    }

    func testIgnoresBlankLinesAndTrailingWhitespace() throws {
        let layout = try PlannerLinesCodec.decode("\n\nA 1,2,3,4  \t\n   \n\r\nB 5,6,7,8\n\n")
        XCTAssertEqual(layout, makeLayout([("A", [1, 2, 3, 4]), ("B", [5, 6, 7, 8])]))
    }

    func testTabSeparatesTheBox() throws {
        let layout = try PlannerLinesCodec.decode("A B\t1,2,3,4")
        XCTAssertEqual(layout, makeLayout([("A B", [1, 2, 3, 4])]))
    }

    func testKeywordMayHoldCommasDigitsAndBrackets() throws {
        let layout = makeLayout([("a,b 1,2,3,4 [x1]", [10, 20, 30, 40])])
        XCTAssertEqual(try PlannerLinesCodec.decode(PlannerLinesCodec.encode(layout)), layout)
    }

    func testDecodeUsesTheGivenCanvas() throws {
        let canvas = CanvasSize(width: 768, height: 1024)
        XCTAssertEqual(try PlannerLinesCodec.decode("A 1,2,3,4", canvas: canvas).canvas, canvas)
        XCTAssertEqual(try PlannerLinesCodec.decode("A 1,2,3,4").canvas, .standard)
    }

    func testUnicodeKeywords() throws {
        let layout = makeLayout([("夏日 مرحبا नमस्ते 😀 e\u{301}", [0, 0, 128, 128])])
        XCTAssertEqual(try PlannerLinesCodec.decode(PlannerLinesCodec.encode(layout)), layout)
    }
}
