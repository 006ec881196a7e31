import OCRData
import XCTest

/// OCR words to text lines: vertical overlap, height ratio, gap, order.
final class LineMergerTests: XCTestCase {
    typealias Item = LineMerger.Item
    let merger = LineMerger()

    func word(_ text: String, _ left: Double, _ top: Double, _ right: Double, _ bottom: Double) -> Item {
        Item(text: text, left: left, top: top, right: right, bottom: bottom)
    }

    func testWordsOnOneLineMergeLeftToRightWhateverTheInputOrder() {
        let words = [word("GRAND", 10, 100, 110, 140), word("OPENING", 120, 102, 260, 141), word("TODAY", 270, 99, 370, 139)]
        let expected = [word("GRAND OPENING TODAY", 10, 99, 370, 141)]
        for order in [[0, 1, 2], [2, 1, 0], [1, 2, 0], [2, 0, 1]] {
            XCTAssertEqual(merger.merge(order.map { words[$0] }), expected, "input order \(order)")
        }
    }

    func testTwoRowsStayTwoLinesInReadingOrder() {
        let lines = merger.merge([
            word("Sale", 120, 300, 200, 340), word("Summer", 10, 300, 110, 340),
            word("Today", 100, 100, 200, 140), word("Only", 10, 100, 90, 140),
        ])
        XCTAssertEqual(lines.map(\.text), ["Only Today", "Summer Sale"])
        XCTAssertEqual(lines[0], word("Only Today", 10, 100, 200, 140))
        XCTAssertEqual(lines[1], word("Summer Sale", 10, 300, 200, 340))
    }

    func testABigGapSplitsALine() {
        // Gap 40 <= one height (40): one line; gap 41 > 40: two.
        XCTAssertEqual(merger.merge([word("a", 0, 0, 50, 40), word("b", 90, 0, 140, 40)]).map(\.text), ["a b"])
        XCTAssertEqual(merger.merge([word("a", 0, 0, 50, 40), word("b", 91, 0, 140, 40)]).map(\.text), ["a", "b"])
        // The gap is measured in the taller word's height.
        XCTAssertEqual(merger.merge([word("a", 0, 0, 50, 40), word("b", 120, 0, 170, 70)]).map(\.text), ["a b"])
        let wide = LineMerger(maximumGap: 3)
        XCTAssertEqual(wide.merge([word("a", 0, 0, 50, 40), word("b", 160, 0, 200, 40)]).map(\.text), ["a b"])
    }

    func testOverlappingWordsBeyondHalfTheirHeightDoNotChain() {
        // b starts 30 px left of a's end: more than half the shorter height (20) of overlap.
        XCTAssertEqual(merger.merge([word("a", 0, 0, 100, 40), word("b", 70, 0, 170, 40)]).count, 2)
        XCTAssertEqual(merger.merge([word("a", 0, 0, 100, 40), word("b", 85, 0, 170, 40)]).map(\.text), ["a b"])
    }

    func testATinyWordNextToAHugeOneDoesNotMerge() {
        // Heights 100 and 30: ratio 3.3 > 2; the tiny word sits well inside the huge one's vertical span.
        let lines = merger.merge([word("HUGE", 0, 100, 300, 200), word("tiny", 310, 150, 360, 180)])
        XCTAssertEqual(lines.map(\.text), ["HUGE", "tiny"])
        // Heights 100 and 50: ratio 2, allowed.
        XCTAssertEqual(merger.merge([word("BIG", 0, 100, 300, 200), word("half", 310, 140, 400, 190)]).map(\.text), ["BIG half"])
        // A looser ratio lets the tiny one join.
        XCTAssertEqual(LineMerger(maximumHeightRatio: 4).merge([word("HUGE", 0, 100, 300, 200), word("tiny", 310, 150, 360, 180)]).map(\.text),
                       ["HUGE tiny"])
    }

    func testVerticalOverlapThreshold() {
        // Both 40 tall: overlap 20 = half the height joins, 19 does not.
        XCTAssertEqual(merger.merge([word("a", 0, 0, 50, 40), word("b", 60, 20, 110, 60)]).map(\.text), ["a b"])
        XCTAssertEqual(merger.merge([word("a", 0, 0, 50, 40), word("b", 60, 21, 110, 61)]).map(\.text), ["a", "b"])
        let strict = LineMerger(minimumVerticalOverlap: 0.9)
        XCTAssertEqual(strict.merge([word("a", 0, 0, 50, 40), word("b", 60, 4, 110, 44)]).map(\.text), ["a b"])
        XCTAssertEqual(strict.merge([word("a", 0, 0, 50, 40), word("b", 60, 5, 110, 45)]).map(\.text), ["a", "b"])
    }

    func testAWordJoinsTheNearestLineEnd() {
        // Two lines end at x=120 and x=140; the third word (at 150) could join either and takes the nearer.
        let lines = merger.merge([word("one", 0, 0, 120, 40), word("two", 0, 15, 140, 55), word("three", 150, 10, 200, 50)])
        XCTAssertEqual(Set(lines.map(\.text)), ["one", "two three"])
    }

    func testOutputIsInReadingOrderTopToBottomThenLeftToRight() {
        let lines = merger.merge([
            word("bottom", 10, 400, 100, 440),
            word("right", 300, 100, 400, 140),
            word("left", 10, 100, 100, 140),
            word("top", 200, 10, 260, 50),
        ])
        XCTAssertEqual(lines.map(\.text), ["top", "left", "right", "bottom"])
    }

    func testDegenerateAndEmptyInput() {
        XCTAssertEqual(merger.merge([]), [])
        // Zero-height words never join anything (and never divide by zero).
        let lines = merger.merge([word("flat", 0, 10, 50, 10), word("b", 55, 0, 100, 20)])
        XCTAssertEqual(lines.count, 2)
    }

    func testOptionsAreCodedUnderTheirManifestNames() throws {
        let data = try JSONEncoder().encode(LineMerger(minimumVerticalOverlap: 0.25, maximumGap: 2, maximumHeightRatio: 3))
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(object.compactMapValues { ($0 as? NSNumber)?.doubleValue }, ["min_vertical_overlap": 0.25, "max_gap": 2, "max_height_ratio": 3])
        let back = try JSONDecoder().decode(LineMerger.self, from: data)
        XCTAssertEqual(back.maximumHeightRatio, 3)
    }
}
