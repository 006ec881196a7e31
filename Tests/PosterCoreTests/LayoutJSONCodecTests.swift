import Foundation
import XCTest
@testable import PosterCore

/// The JSON layout: canvas, grid, and per line text, grid box and (derived) pixel box.
final class LayoutJSONCodecTests: XCTestCase {
    func testEncodesCanvasGridBoxAndPixelBox() {
        let layout = makeLayout([("WILD", [25, 89, 108, 96])])
        XCTAssertEqual(LayoutJSONCodec.encode(layout),
                       #"{"canvas":{"width":512,"height":512},"grid":128,"lines":[{"text":"WILD","box":[25,89,108,96],"pixel_box":[100,356,432,384]}]}"#)
    }

    func testPixelBoxScalesWithTheCanvas() throws {
        let layout = makeLayout([("A", [1, 2, 64, 128])], canvas: CanvasSize(width: 100, height: 256))
        let encoded = LayoutJSONCodec.encode(layout)
        XCTAssertTrue(encoded.contains(#""pixel_box":[0.78125,4,50,256]"#), encoded)
        // The output is JSON any parser reads.
        let object = try JSONSerialization.jsonObject(with: Data(encoded.utf8)) as? [String: Any]
        XCTAssertEqual((object?["canvas"] as? [String: Any])?["width"] as? Int, 100)
    }

    func testDecodeKeepsTheCanvas() throws {
        let text = #"{"canvas":{"width":640,"height":480},"grid":128,"lines":[{"text":"Hi","box":[1,2,3,4]}]}"#
        let layout = try LayoutJSONCodec.decode(text)
        XCTAssertEqual(layout, makeLayout([("Hi", [1, 2, 3, 4])], canvas: CanvasSize(width: 640, height: 480)))
        // The canvas given to the generic entry points does not override the document's.
        XCTAssertEqual(try Layout.parse(text, canvas: CanvasSize(width: 9, height: 9)).canvas, CanvasSize(width: 640, height: 480))
        XCTAssertEqual(try LayoutFormat.json.decode(text, canvas: CanvasSize(width: 9, height: 9)).canvas, CanvasSize(width: 640, height: 480))
    }

    func testCanvasAndGridAreOptionalAndPixelBoxIsIgnored() throws {
        let layout = try LayoutJSONCodec.decode(#"{"lines":[{"text":"A","box":[1,2,3,4],"pixel_box":[9,9,9,9]}], "extra": true}"#)
        XCTAssertEqual(layout, makeLayout([("A", [1, 2, 3, 4])]))
    }

    func testEscapesQuotesBackslashesAndControlCharacters() throws {
        let text = "say \"hi\" \\ \t\u{1}\u{1F} é 😀"
        let layout = makeLayout([(text, [1, 2, 3, 4])])
        let encoded = LayoutJSONCodec.encode(layout)
        XCTAssertTrue(encoded.contains(#""text":"say \"hi\" \\ \t\u0001\u001f é 😀""#), encoded)
        XCTAssertEqual(try LayoutJSONCodec.decode(encoded), layout)
    }

    func testDecodesEscapedUnicode() throws {
        let layout = try LayoutJSONCodec.decode(#"{"lines":[{"text":"\u00e9\ud83d\ude00","box":[1,2,3,4]}]}"#)
        XCTAssertEqual(layout.lines[0].text, "é😀")
    }

    func testNumberHelperWritesWholeNumbersWithoutFraction() {
        XCTAssertEqual(LayoutJSONCodec.number(432), "432")
        XCTAssertEqual(LayoutJSONCodec.number(0), "0")
        XCTAssertEqual(LayoutJSONCodec.number(97.65625), "97.65625")
    }

    func testMultipleLinesKeepTheirOrder() throws {
        let layout = makeLayout([("B", [5, 6, 7, 8]), ("A", [1, 2, 3, 4]), ("C", [0, 0, 128, 128])])
        XCTAssertEqual(try LayoutJSONCodec.decode(LayoutJSONCodec.encode(layout)), layout)
    }
}
