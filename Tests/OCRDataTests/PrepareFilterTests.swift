import Foundation
import OCRData
import PosterCore
import XCTest

/// Every filter of `poster data prepare` drops its samples with a count.
final class PrepareFilterTests: XCTestCase {
    /// Runs prepare on `samples` (plus one good sample, id 0) and returns the
    /// report counts and the kept ids.
    func prepare(_ samples: [MARIOSample], _ configure: (inout PrepareOptions) -> Void = { _ in }) throws -> (counts: [String: Int], kept: [String], records: [[String: Any]]) {
        let root = try makeScratchFolder(self)
        let input = root.appendingPathComponent("mario"), output = root.appendingPathComponent("prepared")
        try MARIOStore.write(SampleFactory.sample(id: 0), to: input)
        for sample in samples { try MARIOStore.write(sample, to: input) }
        _ = try PrepareRun.preparer(configure).run(input: input, output: output, numShards: 1, quiet: true)
        let records = try PrepareRun.records("layout", in: output.appendingPathComponent("shard-00000-of-00001"))
        let counts = try PrepareRun.reportCounts(output)
        XCTAssertEqual(counts["samples.seen"], samples.count + 1)
        let dropped = counts.filter { $0.key.hasPrefix("dropped.") || $0.key.hasPrefix("filtered.") }.values.reduce(0, +)
        XCTAssertEqual(records.count + dropped, samples.count + 1, "every sample kept or counted: \(counts)")
        return (counts, records.compactMap { $0["id"] as? String }.sorted(), records)
    }

    /// A sample with one word per row.
    func rows(id: Int, count: Int, height: Int = 20) -> MARIOSample {
        var sample = SampleFactory.sample(id: id, words: [])
        sample.words = (0..<count).map { row in
            MARIOWord(text: "Row\(row)", left: 40, top: 10 + row * 50, right: 200, bottom: 10 + row * 50 + height, confidence: 0.9)
        }
        sample.caption = "rows " + sample.words.map(\.text).joined(separator: " ")
        return sample
    }

    func testTooManyLines() throws {
        let result = try prepare([rows(id: 1, count: 9), rows(id: 2, count: 8)])
        XCTAssertEqual(result.counts["filtered.too_many_lines"], 1)
        XCTAssertEqual(result.kept, ["000000000", "000000002"])
        let loose = try prepare([rows(id: 1, count: 9)]) { $0.maximumLines = 9 }
        XCTAssertEqual(loose.kept, ["000000000", "000000001"])
        XCTAssertNil(loose.counts["filtered.too_many_lines"])
    }

    func testNoTextAndLowConfidence() throws {
        let faint = SampleFactory.sample(id: 1, words: ["Faint", "Words"], confidence: 0.3)
        var empty = SampleFactory.sample(id: 2)
        empty.words = []
        let result = try prepare([faint, empty])
        XCTAssertEqual(result.counts["filtered.no_text"], 2)
        XCTAssertEqual(result.counts["skipped_words.low_confidence"], 2)
        XCTAssertEqual(result.kept, ["000000000"])
        let lenient = try prepare([faint]) { $0.minimumConfidence = 0.25 }
        XCTAssertEqual(lenient.kept, ["000000000", "000000001"])
    }

    func testLowConfidenceWordsAreDroppedFromKeptSamples() throws {
        var sample = SampleFactory.sample(id: 1, words: ["Clear", "Words"])
        sample.words.append(MARIOWord(text: "smudge", left: 40, top: 400, right: 200, bottom: 440, confidence: 0.2))
        let result = try prepare([sample])
        XCTAssertEqual(result.counts["skipped_words.low_confidence"], 1)
        let record = try XCTUnwrap(result.records.first { $0["id"] as? String == "000000001" })
        XCTAssertEqual(record["keywords"] as? [String], ["Clear Words"])
    }

    func testTextTooSmall() throws {
        // One 12x10 word: 120 px of a 262,144 px image, under the 0.2% default.
        let tiny = SampleFactory.sample(id: 1, words: ["a"], height: 10)
        var small = tiny
        small.words = [MARIOWord(text: "a", left: 40, top: 40, right: 52, bottom: 50, confidence: 0.9)]
        let result = try prepare([small])
        XCTAssertEqual(result.counts["filtered.text_too_small"], 1)
        XCTAssertEqual(result.kept, ["000000000"])
        let any = try prepare([small]) { $0.minimumTextArea = 0 }
        XCTAssertEqual(any.kept, ["000000000", "000000001"])
    }

    func testImageTooSmallByInfoJSONOrByTheImage() throws {
        let fromInfo = SampleFactory.sample(id: 1, info: "{\"original_width\": 200, \"original_height\": 900}")
        let bigOriginal = SampleFactory.sample(id: 2, info: "{\"original_width\": 2000, \"original_height\": 1500, \"url\": \"x\"}")
        var smallImage = SampleFactory.sample(id: 3)
        smallImage.image = SampleFactory.solid(width: 300, height: 200, .white)
        smallImage.words = [MARIOWord(text: "Sale3", left: 20, top: 50, right: 150, bottom: 90, confidence: 0.9)]
        smallImage.caption = "'Sale3'"
        smallImage.imageIsPNG = true
        let result = try prepare([fromInfo, bigOriginal, smallImage])
        XCTAssertEqual(result.counts["filtered.image_too_small"], 2)
        XCTAssertEqual(result.kept, ["000000000", "000000002"])
        let any = try prepare([fromInfo, smallImage]) { $0.minimumImageSide = 100 }
        XCTAssertEqual(any.kept, ["000000000", "000000001", "000000003"])
    }

    func testKeywordsMustAppearInTheCaptionUnlessTurnedOff() throws {
        let missing = SampleFactory.sample(id: 1, words: ["Grand", "Opening"], caption: "a shop front at night")
        let partly = SampleFactory.sample(id: 2, words: ["Grand", "Opening"], caption: "the Grand shop")
        let otherCase = SampleFactory.sample(id: 3, words: ["GRAND", "OPENING"], caption: "A 'grand opening' banner")
        let result = try prepare([missing, partly, otherCase])
        XCTAssertEqual(result.counts["filtered.keywords_not_in_caption"], 2)
        XCTAssertEqual(result.kept, ["000000000", "000000003"])

        let off = try prepare([missing]) { $0.requireKeywordsInCaption = false }
        XCTAssertEqual(off.kept, ["000000000", "000000001"])
        XCTAssertNil(off.counts["filtered.keywords_not_in_caption"])
        let record = try XCTUnwrap(off.records.first { $0["id"] as? String == "000000001" })
        XCTAssertEqual(record["prompt"] as? String, "a shop front at night with the text 'Grand Opening'")
    }
}
