import Foundation
import XCTest
@testable import PosterStudio

/// MARIO-Eval (multiset matching, accuracy on sorted concatenations, F from
/// averaged P and R) and the line metrics, on hand-computed cases.
final class OCRMetricsTests: XCTestCase {
    func testGroundTruthIsTheQuotedWordsLowerCased() {
        XCTAssertEqual(MARIOEval.groundTruth(prompt: "a poster that says 'Open Late' and \"SALE 50%\""), ["open", "late", "sale", "50%"])
        XCTAssertEqual(MARIOEval.groundTruth(prompt: "a sign with 'Don't  Stop' on it"), ["don't", "stop"])
        XCTAssertTrue(MARIOEval.groundTruth(prompt: "a poster with no quotes").isEmpty)
    }

    func testMultisetMatching() {
        // "late" is in the truth once, so the second "late" does not match; "x" never does: P 2/4, R 2/2.
        var s = MARIOEval.score(predicted: ["Open", "late", "LATE", "x"], truth: ["open", "late"])
        XCTAssertEqual(s, MARIOEval.ImageScore(precision: 0.5, recall: 1, accuracy: 0))
        // A repeated truth word must be read twice.
        s = MARIOEval.score(predicted: ["la", "land"], truth: ["la", "la", "land"])
        XCTAssertEqual(s.precision, 1)
        XCTAssertEqual(s.recall, 2.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(s.accuracy, 0)
        XCTAssertEqual(MARIOEval.score(predicted: [], truth: ["open"]), MARIOEval.ImageScore(precision: 0, recall: 0, accuracy: 0))
        XCTAssertEqual(MARIOEval.score(predicted: ["open"], truth: []), MARIOEval.ImageScore(precision: 0, recall: 0, accuracy: 0))
    }

    func testAccuracyComparesSortedConcatenations() {
        XCTAssertEqual(MARIOEval.score(predicted: ["LATE", "open"], truth: ["open", "late"]), MARIOEval.ImageScore(precision: 1, recall: 1, accuracy: 1))
        // Split differently, no word matches, but the sorted concatenations are both "abc".
        XCTAssertEqual(MARIOEval.score(predicted: ["ab", "c"], truth: ["a", "bc"]), MARIOEval.ImageScore(precision: 0, recall: 0, accuracy: 1))
        XCTAssertEqual(MARIOEval.score(predicted: ["open", "late", "now"], truth: ["open", "late"]).accuracy, 0)
    }

    func testSummaryTakesFFromTheAveragedPrecisionAndRecall() {
        let scores = [MARIOEval.ImageScore(precision: 0.5, recall: 1, accuracy: 0), MARIOEval.ImageScore(precision: 1, recall: 1, accuracy: 1),
                      MARIOEval.ImageScore(precision: 1, recall: 2.0 / 3, accuracy: 0)]
        let summary = MARIOEval.summarize(scores)
        XCTAssertEqual(summary.images, 3)
        XCTAssertEqual(summary.precision, 5.0 / 6, accuracy: 1e-12)
        XCTAssertEqual(summary.recall, 8.0 / 9, accuracy: 1e-12)
        // 2·(5/6)·(8/9) / (5/6 + 8/9) = 80/93, not the mean of the per-image F (0.8222...).
        XCTAssertEqual(summary.f, 80.0 / 93, accuracy: 1e-12)
        XCTAssertEqual(summary.accuracy, 1.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(MARIOEval.summarize([]), MARIOEval.Summary(images: 0, precision: 0, recall: 0, f: 0, accuracy: 0))
    }

    func testLineExactnessAndNormalisedEditDistance() {
        XCTAssertEqual(LineMetrics.normalize("  Open \t  Late\n"), "Open Late")
        XCTAssertTrue(LineMetrics.isExact("Open   Late ", "Open Late"))
        XCTAssertFalse(LineMetrics.isExact("open late", "Open Late"), "case counts")
        XCTAssertEqual(LineMetrics.normalizedEditDistance("Open Late", "Open Late"), 1)
        // kitten -> sitting: 3 edits over 7 characters.
        XCTAssertEqual(LineMetrics.normalizedEditDistance("kitten", "sitting"), 1 - 3.0 / 7, accuracy: 1e-12)
        // "Opn Late" (whitespace collapsed) vs "Open Late": one insertion over 9.
        XCTAssertEqual(LineMetrics.normalizedEditDistance("Opn   Late", "Open Late"), 1 - 1.0 / 9, accuracy: 1e-12)
        XCTAssertEqual(LineMetrics.normalizedEditDistance("", "abc"), 0)
        XCTAssertEqual(LineMetrics.normalizedEditDistance("", " "), 1, "both empty once normalised")
        XCTAssertEqual(LineMetrics.normalizedEditDistance("Café", "Cafe"), 0.75, "characters, not bytes")
    }

    func testPromptsFileSkipsCommentsAndRefusesUnquotedPrompts() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("prompts-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("# comment\n\n  a red poster with white text 'Sale'  \nsay 'Hi'\n".utf8).write(to: file)
        XCTAssertEqual(try OCREvaluation.prompts(from: file), ["a red poster with white text 'Sale'", "say 'Hi'"])
        try Data("say 'Hi'\na poster without quotes\n".utf8).write(to: file)
        XCTAssertThrowsError(try OCREvaluation.prompts(from: file)) { XCTAssertTrue("\($0)".contains("prompt 2 quotes no text"), "\($0)") }
        try Data("# only a comment\n".utf8).write(to: file)
        XCTAssertThrowsError(try OCREvaluation.prompts(from: file))
    }
}
