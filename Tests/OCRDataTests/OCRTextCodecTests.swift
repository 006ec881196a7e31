import OCRData
import XCTest

/// MARIO's ocr.txt: `WORD x1,y1,...,x4,y4 conf`, one word a line.
final class OCRTextCodecTests: XCTestCase {
    let words = [
        MARIOWord(text: "SUMMER", polygon: [10, 20, 110, 20, 110, 60, 10, 60], confidence: 0.987),
        MARIOWord(text: "50%", polygon: [120, 22, 180, 21, 181, 58, 119, 59], confidence: 0.5),
        MARIOWord(text: "Café", left: 0, top: 0, right: 512, bottom: 512, confidence: 1),
    ]

    func testEncodeWritesMARIOLines() {
        XCTAssertEqual(OCRTextCodec.encode(words), """
            SUMMER 10,20,110,20,110,60,10,60 0.987
            50% 120,22,180,21,181,58,119,59 0.500
            Café 0,0,512,0,512,512,0,512 1.000

            """)
        XCTAssertEqual(OCRTextCodec.encode([]), "")
    }

    func testRoundTrip() {
        let (decoded, errors) = OCRTextCodec.decode(OCRTextCodec.encode(words))
        XCTAssertEqual(errors, [])
        XCTAssertEqual(decoded, words)
    }

    func testRectangleInitialiserIsClockwiseFromTopLeft() {
        let word = MARIOWord(text: "a", left: 1, top: 2, right: 30, bottom: 40, confidence: 0.9)
        XCTAssertEqual(word.polygon, [1, 2, 30, 2, 30, 40, 1, 40])
        let box = word.boundingBox
        XCTAssertEqual([box.left, box.top, box.right, box.bottom], [1, 2, 30, 40])
        let skewed = MARIOWord(text: "b", polygon: [5, 9, 50, 3, 52, 44, 4, 47], confidence: 0.9).boundingBox
        XCTAssertEqual([skewed.left, skewed.top, skewed.right, skewed.bottom], [4, 3, 52, 47])
    }

    func testCRLFAndBlankLinesAreAccepted() {
        let text = "\r\nSUMMER 10,20,110,20,110,60,10,60 0.987\r\n\r\n   \n\t\n50% 120,22,180,21,181,58,119,59 0.5\r\n"
        let (decoded, errors) = OCRTextCodec.decode(text)
        XCTAssertEqual(errors, [])
        XCTAssertEqual(decoded, Array(words.prefix(2)))
        XCTAssertFalse(decoded.contains { $0.text.contains("\r") })
    }

    func testMissingFinalNewlineAndFloatCoordinates() {
        let (decoded, errors) = OCRTextCodec.decode("A 1.4,2.6,30,2,30,40,1,40 0.75")
        XCTAssertEqual(errors, [])
        XCTAssertEqual(decoded, [MARIOWord(text: "A", polygon: [1, 3, 30, 2, 30, 40, 1, 40], confidence: 0.75)])
    }

    /// Every malformed class is reported with its 1-based line number (blank
    /// lines still count), and the good lines around it are kept.
    func testEveryMalformedLineIsReportedWithItsLineNumber() {
        let text = [
            "GOOD 1,2,3,2,3,4,1,4 0.9",               // 1
            "two words 1,2,3,2,3,4,1,4 0.9",          // 2: four fields
            "NOPOLYGON 0.9",                          // 3: two fields
            "",                                       // 4: blank, skipped
            "SEVEN 1,2,3,2,3,4,1 0.9",                // 5: seven numbers
            "NINE 1,2,3,2,3,4,1,4,5 0.9",             // 6: nine numbers
            "LETTERS 1,2,3,two,3,4,1,4 0.9",          // 7: non-numeric coordinate
            "EMPTYCOORD 1,2,,2,3,4,1,4 0.9",          // 8: empty coordinate
            "BADCONF 1,2,3,2,3,4,1,4 high",           // 9: confidence not a number
            "NANCONF 1,2,3,2,3,4,1,4 nan",            // 10: confidence not finite
            "INFCOORD 1,2,inf,2,3,4,1,4 0.9",         // 11: coordinate not finite
            "ALSOGOOD 5,6,7,6,7,8,5,8 0.25",          // 12
        ].joined(separator: "\r\n")
        let (decoded, errors) = OCRTextCodec.decode(text)
        XCTAssertEqual(decoded.map(\.text), ["GOOD", "ALSOGOOD"])
        XCTAssertEqual(errors.map(\.line), [2, 3, 5, 6, 7, 8, 9, 10, 11])
        func message(_ line: Int) -> String { errors.first { $0.line == line }?.message ?? "" }
        XCTAssertTrue(message(2).contains("found 4 fields"), message(2))
        XCTAssertTrue(message(3).contains("found 2 fields"), message(3))
        for line in [5, 6, 7, 8, 11] {
            XCTAssertTrue(message(line).contains("eight comma-separated numbers"), "line \(line): \(message(line))")
        }
        XCTAssertTrue(message(7).contains("1,2,3,two,3,4,1,4"), "names the bad polygon: \(message(7))")
        XCTAssertTrue(message(9).contains("'high' is not a number"), message(9))
        XCTAssertTrue(message(10).contains("is not a number"), message(10))
        XCTAssertEqual(errors.first?.description.hasPrefix("line 2: "), true)
    }

    func testDecodedLinesPlusErrorsAccountForEveryNonBlankLine() {
        let lines = (0..<50).map { i in i % 3 == 0 ? "W\(i) 1,2,3,2,3,4,1,4 0.9" : i % 3 == 1 ? "broken\(i)" : "" }
        let (decoded, errors) = OCRTextCodec.decode(lines.joined(separator: "\n"))
        XCTAssertEqual(decoded.count + errors.count, lines.filter { !$0.isEmpty }.count)
        XCTAssertEqual(Set(errors.map(\.line)), Set(lines.indices.filter { $0 % 3 == 1 }.map { $0 + 1 }))
    }
}
