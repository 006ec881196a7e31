import XCTest
@testable import PosterCore

/// TextDiffuser-2's text-encoder string `l25 t89 r108 b96 [W] [I] [L] [D] <|endoftext|>`.
final class EncoderStringCodecTests: XCTestCase {
    func testEncodesEachLineClosedByEndOfText() {
        let layout = makeLayout([("WILD", [25, 89, 108, 96]), ("a b", [0, 1, 2, 3])])
        XCTAssertEqual(EncoderStringCodec.encode(layout),
                       "l25 t89 r108 b96 [W] [I] [L] [D] <|endoftext|> l0 t1 r2 b3 [a] [ ] [b] <|endoftext|>")
    }

    func testDecodesWithTrailingEndOfText() throws {
        let layout = try EncoderStringCodec.decode("l25 t89 r108 b96 [W] [I] [L] [D] <|endoftext|>")
        XCTAssertEqual(layout, makeLayout([("WILD", [25, 89, 108, 96])]))
    }

    func testDecodesWithoutTrailingEndOfText() throws {
        XCTAssertEqual(try EncoderStringCodec.decode("l25 t89 r108 b96 [W] [I] [L] [D]"),
                       makeLayout([("WILD", [25, 89, 108, 96])]))
        // Without any end-of-text, a coordinate after characters starts the next line.
        XCTAssertEqual(try EncoderStringCodec.decode("l1 t2 r3 b4 [A] l5 t6 r7 b8 [B] <|endoftext|>"),
                       makeLayout([("A", [1, 2, 3, 4]), ("B", [5, 6, 7, 8])]))
    }

    func testEndOfTextMayTouchTheLastToken() throws {
        XCTAssertEqual(try EncoderStringCodec.decode("l1 t2 r3 b4 [A][B]<|endoftext|> l5 t6 r7 b8 [C]<|endoftext|>"),
                       makeLayout([("AB", [1, 2, 3, 4]), ("C", [5, 6, 7, 8])]))
    }

    func testWhitespaceBetweenTokensIsIgnored() throws {
        let layout = try EncoderStringCodec.decode("\n  l1\tt2   r3\nb4 [A]   [ ]\t[B]\n<|endoftext|>\n")
        XCTAssertEqual(layout, makeLayout([("A B", [1, 2, 3, 4])]))
    }

    func testBracketedCoordinateLettersAreCharacters() throws {
        let layout = try EncoderStringCodec.decode("l1 t2 r3 b4 [l] [t] [r] [b] [x] [y] []] [[] <|endoftext|>")
        XCTAssertEqual(layout.lines[0].text, "ltrbxy][")
    }

    func testDecodeUsesTheGivenCanvas() throws {
        let canvas = CanvasSize(width: 8192, height: 1)
        XCTAssertEqual(try EncoderStringCodec.decode("l1 t2 r3 b4 [A]", canvas: canvas).canvas, canvas)
    }

    func testUnicodeRoundTrip() throws {
        let layout = makeLayout([("<|endoftext|> l1 t2", [1, 2, 3, 4]), ("👍🏽 한국어 سلام", [9, 9, 99, 99])])
        XCTAssertEqual(try EncoderStringCodec.decode(EncoderStringCodec.encode(layout)), layout)
    }
}
