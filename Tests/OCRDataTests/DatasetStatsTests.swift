import Foundation
import OCRData
import PosterCore
import XCTest

/// `poster data stats` on a small tree.
final class DatasetStatsTests: XCTestCase {
    func makeTree() throws -> URL {
        let root = try makeScratchFolder(self)
        // Two lines: "Summer Sale" across the top left, "SUMMER" lower down on the right.
        var two = SampleFactory.sample(id: 0, words: ["Summer", "Sale"], top: 40, height: 40)
        two.words.append(MARIOWord(text: "SUMMER", left: 300, top: 400, right: 460, bottom: 440, confidence: 0.9))
        try MARIOStore.write(two, to: root)
        try MARIOStore.write(SampleFactory.sample(id: 1, words: ["sale"]), to: root)
        var none = SampleFactory.sample(id: 2)
        none.words = []
        try MARIOStore.write(none, to: root)
        var many = SampleFactory.sample(id: 3)
        many.words = (0..<10).map { MARIOWord(text: "r\($0)", left: 10, top: 5 + $0 * 50, right: 50, bottom: 25 + $0 * 50, confidence: 0.9) }
        try MARIOStore.write(many, to: root)
        try MARIOStore.write(SampleFactory.sample(id: 4, words: ["Broken"]), to: root)
        try Data("garbage".utf8).write(to: root.appendingPathComponent("00000/000000004/image.jpg"))
        return root
    }

    func testCountsLinesAndTopWords() throws {
        let stats = try DatasetStats.collect(try makeTree())
        XCTAssertEqual(stats.samples, 5)
        XCTAssertEqual(stats.unreadable, 1)
        XCTAssertEqual(stats.words, 3 + 1 + 0 + 10)
        XCTAssertEqual(stats.characters, 6 + 4 + 6 + 4 + 10 * 2)
        XCTAssertEqual(stats.linesPerImage, [1, 1, 1, 0, 0, 0, 0, 0, 0, 1])
        XCTAssertEqual(stats.boxWidths.reduce(0, +), 2 + 1 + 10)
        XCTAssertEqual(stats.boxHeights.reduce(0, +), 13)
        XCTAssertEqual(stats.centres.reduce(0, +), 13)
        // "Summer Sale" (grid 10...63 x 10...20) centres in the top row, second column;
        // "SUMMER" (75...115 x 100...110) in the bottom row, third column, alone there.
        XCTAssertEqual(stats.centres[1], 1)
        XCTAssertEqual(stats.centres[14], 1)
        XCTAssertEqual(stats.centres[2] + stats.centres[3] + stats.centres[15], 0)
        // Words are counted case-insensitively; ties are broken alphabetically.
        let top = stats.topWords(3)
        XCTAssertEqual(top.map(\.0), ["sale", "summer", "r0"])
        XCTAssertEqual(top.map(\.1), [2, 2, 1])
        XCTAssertEqual(stats.topWords(100).count, 12)
    }

    func testTextAndJSONOutput() throws {
        let stats = try DatasetStats.collect(try makeTree())
        XCTAssertTrue(stats.text.hasPrefix("samples: 5 (unreadable: 1)\nwords: 14, characters: 40\n"), stats.text)
        XCTAssertTrue(stats.text.contains("lines per image: 0:1 1:1 2:1 3:0 4:0 5:0 6:0 7:0 8:0 9+:1"), stats.text)
        XCTAssertTrue(stats.text.contains("top words: sale (2), summer (2), r0 (1)"), stats.text)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(stats.json.utf8)) as? [String: Any])
        XCTAssertEqual((json["samples"] as? NSNumber)?.intValue, 5)
        XCTAssertEqual((json["lines_per_image"] as? [Any])?.count, 10)
        let topWords = try XCTUnwrap(json["top_words"] as? [[Any]])
        XCTAssertEqual(topWords.first?.first as? String, "sale")
        XCTAssertEqual((topWords.first?.last as? NSNumber)?.intValue, 2)
    }

    func testEmptyTreeAndMissingRoot() throws {
        let root = try makeScratchFolder(self)
        let stats = try DatasetStats.collect(root)
        XCTAssertEqual(stats.samples, 0)
        XCTAssertTrue(stats.topWords().isEmpty)
        XCTAssertThrowsError(try DatasetStats.collect(root.appendingPathComponent("absent")))
    }
}
