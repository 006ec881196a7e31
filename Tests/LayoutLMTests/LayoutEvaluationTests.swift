import PosterCore
import XCTest
@testable import LayoutLM

final class LayoutEvaluationTests: XCTestCase {
    typealias E = LayoutEvaluation

    func line(_ l: Int, _ t: Int, _ r: Int, _ b: Int, _ text: String) -> LayoutLine {
        LayoutLine(box: GridBox(left: l, top: t, right: r, bottom: b), text: text)
    }

    func layout(_ lines: LayoutLine...) throws -> Layout { try Layout(lines: lines) }

    func testPerfectPredictionScoresOne() throws {
        let reference = try layout(line(10, 10, 110, 30, "SUMMER SALE"), line(20, 40, 100, 50, "up to 50% off"))
        let metrics = E.evaluate(E.Sample(reference: reference, predicted: reference, keywords: ["SUMMER SALE", "up to 50% off"]))
        XCTAssertTrue(metrics.parsed)
        XCTAssertEqual(metrics.keywordsSpelled, 2)
        XCTAssertEqual(metrics.textsSpelled, 2)
        XCTAssertEqual(metrics.ious, [1, 1])
        XCTAssertFalse(metrics.overlaps)
        XCTAssertEqual(metrics.illegibleLines, 0)
        let summary = E.Summary([metrics])
        XCTAssertEqual(summary.parseRate, 1)
        XCTAssertEqual(summary.keywordRecall, 1)
        XCTAssertEqual(summary.keywordPrecision, 1)
        XCTAssertEqual(summary.meanIoU, 1)
        XCTAssertEqual(summary.meanIoUWithMisses, 1)
        XCTAssertEqual(summary.overlapRate, 0)
        XCTAssertEqual(summary.illegibleLineRate, 0)
    }

    func testSplitKeywordCountsOnceAndUsesTheUnionBox() throws {
        let reference = try layout(line(0, 0, 64, 16, "Grand Opening Today"))
        // The keyword split over two lines at a space; union box (0,0)-(64,32).
        let predicted = try layout(line(0, 0, 64, 16, "Grand Opening"), line(0, 16, 32, 32, "Today"))
        let spelling = E.spell(predicted.lines, keywords: ["Grand Opening Today"])
        XCTAssertEqual(spelling.keywords, ["Grand Opening Today"])
        XCTAssertEqual(spelling.groups.first?.lines, 0..<2)
        XCTAssertTrue(spelling.unmatchedLines.isEmpty)
        let metrics = E.evaluate(E.Sample(reference: reference, predicted: predicted, keywords: ["Grand Opening Today"]))
        XCTAssertEqual(metrics.keywordsSpelled, 1)
        XCTAssertEqual(metrics.textsSpelled, 1)
        XCTAssertEqual(metrics.ious.count, 1)
        XCTAssertEqual(metrics.ious[0], 1024.0 / 2048.0, accuracy: 1e-12)
    }

    func testWrongAndMissingTexts() throws {
        let reference = try layout(line(0, 0, 60, 10, "OPEN"), line(0, 20, 60, 30, "NOW"), line(0, 40, 60, 50, "DAILY"))
        // "OPEN" right, "NOW" misspelt, "DAILY" missing, one extra line.
        let predicted = try layout(line(0, 0, 30, 10, "OPEN"), line(0, 20, 60, 30, "N0W"), line(70, 70, 120, 80, "extra"))
        let metrics = E.evaluate(E.Sample(reference: reference, predicted: predicted, keywords: ["OPEN", "NOW", "DAILY"]))
        XCTAssertEqual(metrics.keywords, 3)
        XCTAssertEqual(metrics.keywordsSpelled, 1)
        XCTAssertEqual(metrics.textsSpelled, 3)
        XCTAssertEqual(metrics.ious, [0.5])
        let summary = E.Summary([metrics])
        XCTAssertEqual(summary.keywordRecall, 1.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(summary.keywordPrecision, 1.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(summary.meanIoU, 0.5, accuracy: 1e-12)
        XCTAssertEqual(summary.meanIoUWithMisses, 0.5 / 3, accuracy: 1e-12)
    }

    func testRepeatedKeywordsAreAMultiset() throws {
        let reference = try layout(line(0, 0, 40, 10, "GO"), line(0, 50, 40, 60, "GO"))
        let once = try layout(line(0, 50, 40, 60, "GO"))
        let thrice = try layout(line(0, 0, 40, 10, "GO"), line(0, 50, 40, 60, "GO"), line(0, 100, 40, 110, "GO"))
        let a = E.evaluate(E.Sample(reference: reference, predicted: once, keywords: ["GO", "GO"]))
        XCTAssertEqual(a.keywordsSpelled, 1)
        XCTAssertEqual(a.textsSpelled, 1)
        XCTAssertEqual(a.ious, [0])   // the first reference copy pairs with the first predicted copy
        let b = E.evaluate(E.Sample(reference: reference, predicted: thrice, keywords: ["GO", "GO"]))
        XCTAssertEqual(b.keywordsSpelled, 2)
        XCTAssertEqual(b.textsSpelled, 3)
        XCTAssertEqual(b.ious, [1, 1])
    }

    func testSpellingPrefersMoreKeywordsThenFewerGroups() throws {
        // "A B" as one keyword and "A" and "B" as others: two lines "A", "B" spell A and B (2 keywords)
        // rather than "A B" (1 keyword).
        let lines = [line(0, 0, 10, 10, "A"), line(0, 10, 10, 20, "B")]
        XCTAssertEqual(E.spell(lines, keywords: ["A B", "A", "B"]).keywords, ["A", "B"])
        // Only "A B" and "A": the cut with fewer texts wins the tie (1 keyword each).
        let spelling = E.spell(lines, keywords: ["A B", "A"])
        XCTAssertEqual(spelling.keywords, ["A B"])
        XCTAssertTrue(spelling.unmatchedLines.isEmpty)
        // Whitespace is collapsed before comparing.
        XCTAssertEqual(E.spell([line(0, 0, 10, 10, " Big   Sale ")], keywords: ["Big Sale"]).keywords, ["Big Sale"])
        // A split elsewhere than at a space spells nothing.
        XCTAssertEqual(E.spell([line(0, 0, 10, 10, "Sa"), line(0, 10, 10, 20, "le")], keywords: ["Sale"]).keywords, [])
    }

    func testParseFailures() throws {
        let reference = try layout(line(0, 0, 60, 10, "ONE"), line(0, 20, 60, 30, "TWO"))
        let failed = E.Sample(reference: reference, predicted: nil, keywords: ["ONE", "TWO"], failure: "too long")
        XCTAssertEqual(failed.failure, "too long")
        let good = E.Sample(reference: reference, predicted: reference, keywords: ["ONE", "TWO"])
        let summary = E.evaluate([failed, good])
        XCTAssertEqual(summary.samples, 2)
        XCTAssertEqual(summary.parseRate, 0.5)
        XCTAssertEqual(summary.keywordRecall, 0.5)
        XCTAssertEqual(summary.keywordPrecision, 1)
        XCTAssertEqual(summary.meanIoU, 1)
        XCTAssertEqual(summary.meanIoUWithMisses, 0.5)
        XCTAssertEqual(summary.overlapRate, 0)   // over parsed layouts only
        XCTAssertEqual(summary.lines, 2)
    }

    func testOverlapNeedsPositiveArea() throws {
        let touching = try layout(line(0, 0, 50, 10, "a"), line(50, 0, 100, 10, "b"), line(0, 10, 50, 20, "c"))
        XCTAssertFalse(E.hasOverlap(touching))
        let overlapping = try layout(line(0, 0, 50, 10, "a"), line(49, 9, 100, 20, "b"))
        XCTAssertTrue(E.hasOverlap(overlapping))
        let reference = try layout(line(0, 0, 50, 10, "a"), line(0, 20, 50, 30, "b"))
        let summary = E.evaluate([
            E.Sample(reference: reference, predicted: touching, keywords: []),
            E.Sample(reference: reference, predicted: overlapping, keywords: []),
        ])
        XCTAssertEqual(summary.overlapRate, 0.5)
        XCTAssertEqual(summary.referenceOverlapRate, 0)
    }

    func testLegibilityRule() throws {
        let rule = E.LegibilityRule()
        // 3 grid units = 12 px high: legible; 2 units = 8 px: too short.
        XCTAssertFalse(rule.isIllegible(line(0, 0, 40, 3, "HI")))
        XCTAssertTrue(rule.isIllegible(line(0, 0, 40, 2, "HI")))
        // 10 characters in 13 units = 52 px: 5.2 px each, legible; in 12 units = 4.8 px: not.
        XCTAssertFalse(rule.isIllegible(line(0, 0, 13, 20, "ABCDE FGHI")))
        XCTAssertTrue(rule.isIllegible(line(0, 0, 12, 20, "ABCDE FGHI")))
        // The rule is at 512 px whatever the canvas.
        let big = try Layout(canvas: CanvasSize(width: 1024, height: 1024), lines: [line(0, 0, 40, 2, "HI")])
        XCTAssertTrue(rule.isIllegible(big.lines[0]))
        let reference = try layout(line(0, 0, 100, 20, "Title"), line(0, 30, 100, 50, "Subtitle"))
        let predicted = try layout(line(0, 0, 100, 20, "Title"), line(0, 30, 100, 32, "Subtitle"))
        let summary = E.evaluate([E.Sample(reference: reference, predicted: predicted, keywords: ["Title", "Subtitle"])])
        XCTAssertEqual(summary.illegibleLineRate, 0.5)
        XCTAssertEqual(summary.referenceIllegibleLineRate, 0)
    }

    func testWithoutKeywordsTheReferenceLinesAreTheKeywords() throws {
        let reference = try layout(line(0, 0, 60, 10, "Hello"), line(0, 20, 60, 30, "World"))
        let predicted = try layout(line(0, 0, 60, 10, "Hello World"))
        let metrics = E.evaluate(E.Sample(reference: reference, predicted: predicted, keywords: []))
        XCTAssertEqual(metrics.keywords, 2)
        XCTAssertEqual(metrics.keywordsSpelled, 0)
        XCTAssertEqual(metrics.textsSpelled, 1)
    }

    func testSummaryIsCodable() throws {
        let reference = try layout(line(0, 0, 60, 10, "X"))
        let summary = E.evaluate([E.Sample(reference: reference, predicted: reference, keywords: ["X"])])
        let data = try JSONEncoder().encode(summary)
        XCTAssertEqual(try JSONDecoder().decode(E.Summary.self, from: data), summary)
    }
}
