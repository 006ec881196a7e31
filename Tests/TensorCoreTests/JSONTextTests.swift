import XCTest
@testable import TensorCore

/// The header JSON reader and the serde_json-compatible string writer.
final class JSONTextTests: XCTestCase {
    private func parse(_ text: String) throws -> JSONValue { try JSONText.parse(Array(text.utf8)) }

    func testParsesValuesKeepingOrderAndNumberText() throws {
        let value = try parse(#" {"b": [1, -2, 3.5, 1e3, 0], "a": {"x": null, "y": true, "z": false}, "s": "q\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"} "#)
        XCTAssertEqual(value.members?.map(\.key), ["b", "a", "s"])
        XCTAssertEqual(value["b"], .array([.number("1"), .number("-2"), .number("3.5"), .number("1e3"), .number("0")]))
        XCTAssertEqual(value["b"].flatMap { if case .array(let a) = $0 { a.map(\.integer) } else { nil } }, [1, -2, nil, nil, 0])
        XCTAssertEqual(value["a"]?["y"], .bool(true))
        XCTAssertEqual(value["s"]?.stringValue, "q\"\\/\u{08}\u{0C}\n\r\té😀")
    }

    func testRejectsInvalidJSON() {
        for text in ["", "{", "[1,]", "{\"a\" 1}", "01", "-", "1.", "1e", "tru", "\"abc", "\"\\x\"", "\"\\u12\"", "{\"a\":1} x",
                     "[1] [2]", "\"\\udc00\"", "\"\\ud800x\"", "NaN", "+1", ".5"] {
            XCTAssertThrowsError(try parse(text), text)
        }
        XCTAssertThrowsError(try JSONText.parse([0x22, 0xFF, 0x22]))        // invalid UTF-8
        XCTAssertThrowsError(try JSONText.parse([0x22, 0xED, 0xA0, 0x80, 0x22]))  // encoded surrogate
        XCTAssertThrowsError(try JSONText.parse([0x22, 0xC0, 0x80, 0x22]))  // overlong
        XCTAssertNoThrow(try JSONText.parse([0x22, 0xF0, 0x9F, 0x98, 0x80, 0x22]))
        XCTAssertThrowsError(try parse(String(repeating: "[", count: 129) + String(repeating: "]", count: 129)))
        XCTAssertNoThrow(try parse(String(repeating: "[", count: 100) + String(repeating: "]", count: 100)))
    }

    func testStringEscapingMatchesSerdeJSON() {
        var out: [UInt8] = []
        JSONText.appendString("a\"b\\c\n\t\u{01}\u{1F}/é\u{7F}\u{08}\u{0C}\r", to: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), #""a\"b\\c\n\t\u0001\u001f/é"# + "\u{7F}" + #"\b\f\r""#)
    }
}
