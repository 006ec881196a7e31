import XCTest
@testable import PosterCore

/// The canonical token string `[x25][y89][x108][y96][W][I][L][D]`.
final class LayoutTokenCodecTests: XCTestCase {
    func testEncodesTheDesignCardExample() {
        let layout = makeLayout([("WILD", [25, 89, 108, 96])])
        XCTAssertEqual(LayoutTokenCodec.encode(layout), "[x25][y89][x108][y96][W][I][L][D]")
    }

    func testDecodesTheDesignCardExample() throws {
        let layout = try LayoutTokenCodec.decode("[x25][y89][x108][y96][W][I][L][D]")
        XCTAssertEqual(layout, makeLayout([("WILD", [25, 89, 108, 96])]))
        XCTAssertEqual(layout.canvas, .standard)
    }

    func testDecodeUsesTheGivenCanvas() throws {
        let canvas = CanvasSize(width: 1024, height: 300)
        let layout = try LayoutTokenCodec.decode("[x0][y0][x128][y128][A]", canvas: canvas)
        XCTAssertEqual(layout.canvas, canvas)
        XCTAssertEqual(layout.lines, [LayoutLine(box: GridBox(left: 0, top: 0, right: 128, bottom: 128), text: "A")])
    }

    func testBracketedXAndYAreCharactersButXWithDigitsIsACoordinate() throws {
        let layout = try LayoutTokenCodec.decode("[x1][y2][x30][y40][x][y][x12][y3][x50][y60][y][x]")
        XCTAssertEqual(layout, makeLayout([("xy", [1, 2, 30, 40]), ("yx", [12, 3, 50, 60])]))
    }

    func testTextContainingXAndYAndDigitsRoundTrips() throws {
        let layout = makeLayout([("x12 y7 [x3]", [1, 2, 3, 4])])
        let encoded = LayoutTokenCodec.encode(layout)
        XCTAssertEqual(encoded, "[x1][y2][x3][y4][x][1][2][ ][y][7][ ][[][x][3][]]")
        XCTAssertEqual(try LayoutTokenCodec.decode(encoded), layout)
    }

    func testBracketedSpaceIsASpaceCharacter() throws {
        let layout = try LayoutTokenCodec.decode("[x1][y2][x3][y4][A][ ][B]")
        XCTAssertEqual(layout.lines[0].text, "A B")
    }

    func testBracketCharactersAreWrittenInBrackets() throws {
        let layout = try LayoutTokenCodec.decode("[x1][y2][x3][y4][]][[][]][[]")
        XCTAssertEqual(layout.lines[0].text, "][][")
        XCTAssertEqual(LayoutTokenCodec.encode(layout), "[x1][y2][x3][y4][]][[][]][[]")
    }

    func testWhitespaceBetweenTokensIsIgnored() throws {
        let spaced = " \t[x1] [y2]\n[x3]\r\n\t[y4]  [A] [ ] [B]\n\n [x5][y6] [x7] [y8] [C] \n"
        let layout = try LayoutTokenCodec.decode(spaced)
        XCTAssertEqual(layout, makeLayout([("A B", [1, 2, 3, 4]), ("C", [5, 6, 7, 8])]))
    }

    func testMultipleLinesStartWhereACoordinateFollowsCharacters() throws {
        let text = "[x25][y89][x108][y96][W][I][L][D][x0][y0][x128][y10][S][a][l][e][x5][y100][x6][y128][!]"
        let layout = try LayoutTokenCodec.decode(text)
        XCTAssertEqual(layout, makeLayout([("WILD", [25, 89, 108, 96]), ("Sale", [0, 0, 128, 10]), ("!", [5, 100, 6, 128])]))
        XCTAssertEqual(LayoutTokenCodec.encode(layout), text)
    }

    func testOneTokenPerGraphemeCluster() throws {
        let layout = makeLayout([("e\u{301}👩‍💻🇫🇷क्षि", [1, 2, 3, 4])])
        XCTAssertEqual(LayoutTokenCodec.encode(layout), "[x1][y2][x3][y4][e\u{301}][👩‍💻][🇫🇷][क्षि]")
        let decoded = try LayoutTokenCodec.decode(LayoutTokenCodec.encode(layout))
        XCTAssertEqual(decoded, layout)
        // Exactly the same scalars, not merely a canonically equivalent string.
        XCTAssertEqual(Array(decoded.lines[0].text.unicodeScalars), Array("e\u{301}👩‍💻🇫🇷क्षि".unicodeScalars))
    }

    func testCoordinatesAtTheGridEdges() throws {
        let layout = try LayoutTokenCodec.decode("[x0][y0][x128][y128][A][x127][y127][x128][y128][B]")
        XCTAssertEqual(layout, makeLayout([("A", [0, 0, 128, 128]), ("B", [127, 127, 128, 128])]))
    }

    func testLeadingZerosAreAccepted() throws {
        let layout = try LayoutTokenCodec.decode("[x001][y02][x0128][y128][A]")
        XCTAssertEqual(layout.lines[0].box, GridBox(left: 1, top: 2, right: 128, bottom: 128))
    }

    func testFormatEnumDispatchesToTheCodec() throws {
        let layout = makeLayout([("Hi", [10, 20, 30, 40])])
        XCTAssertEqual(LayoutFormat.tokens.encode(layout), LayoutTokenCodec.encode(layout))
        XCTAssertEqual(try LayoutFormat.tokens.decode("[x10][y20][x30][y40][H][i]"), layout)
    }
}
