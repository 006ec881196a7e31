import Foundation
import LayoutLM
import PosterCore
import XCTest

/// `poster plan` on a small random planner: whatever the weights, the layout
/// parses and spells exactly the quoted keywords; bad input exits 2.
final class PlanCommandTests: XCTestCase {
    func makeModel(in dir: TemporaryDirectory) throws -> String {
        let folder = dir.url.appendingPathComponent("planner")
        let configuration = LlamaConfiguration(vocabSize: LayoutTokenizer.vocabularySize, hiddenSize: 16, intermediateSize: 32,
                                               numHiddenLayers: 1, numAttentionHeads: 2, maxPositionEmbeddings: 256)
        try LlamaForCausalLM(configuration: configuration, seed: 4).save(to: folder)
        try LayoutTokenizer().save(to: folder.appendingPathComponent(LayoutTokenizer.fileName))
        return folder.path
    }

    func testLayoutsSpellTheQuotedKeywordsInEveryFormat() throws {
        let dir = try TemporaryDirectory()
        let model = try makeModel(in: dir)
        let prompt = "a poster of a beach at sunset that says 'Summer Sale' and 'Up to 50% off'"
        var result = try Poster.run(["plan", prompt, "--model", model, "--format", "json", "--preview", dir.path("p.png")])
        assertSuccess(result)
        let layout = try Layout.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        let texts = layout.lines.map(\.text)
        XCTAssertEqual(Set(texts.joined(separator: " ").split(separator: " ").map(String.init)),
                       Set(["Summer", "Sale", "Up", "to", "50%", "off"]))
        XCTAssertEqual(try PNGCodec.readRGB(from: dir.path("p.png")).width, 512)
        for format in ["tokens", "td2", "encoder"] {
            result = try Poster.run(["plan", prompt, "--model", model, "--format", format, "--temperature", "0.8", "--seed", "3"])
            assertSuccess(result)
            XCTAssertNoThrow(try Layout.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), format)
        }
        result = try Poster.run(["plan", "a sign", "--keywords", "OPEN/Since 1990", "--model", model])
        assertSuccess(result)
        let lines = try Layout.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)).lines.map(\.text)
        XCTAssertEqual(lines.joined(separator: " ").split(separator: " ").sorted(), ["1990", "OPEN", "Since"])
    }

    /// --legible-at 256: 24 px lines (12 grid units) and 12 px (6 units) per character; a line only takes a space
    /// (and goes on to the next word) while its box has room for it, whatever the random weights prefer.
    func testLegibleAtKeepsLinesLargeEnough() throws {
        let dir = try TemporaryDirectory()
        let model = try makeModel(in: dir)
        let prompt = "a poster that says 'Summer Sale' and 'Up to 50% off'"
        for seed in 0..<6 {
            let result = try Poster.run(["plan", prompt, "--model", model, "--legible-at", "256", "--temperature", "1.5", "--seed", "\(seed)"])
            assertSuccess(result)
            let layout = try Layout.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
            for line in layout.lines {
                XCTAssertGreaterThanOrEqual(line.box.height, 12, "\(line)")
                XCTAssertGreaterThanOrEqual(line.box.width, 12, "\(line): at least the shortest word, 'Up'")
                if let space = line.text.lastIndex(of: " ") {
                    XCTAssertGreaterThanOrEqual(line.box.width, 6 * (line.text.distance(from: line.text.startIndex, to: space) + 1), "\(line)")
                }
            }
        }
        assertInputError(try Poster.run(["plan", prompt, "--model", model, "--legible-at", "8"]), ["--legible-at"])
    }

    func testBadInputExitsTwo() throws {
        let dir = try TemporaryDirectory()
        let model = try makeModel(in: dir)
        assertInputError(try Poster.run(["plan", "   ", "--model", model]), ["empty prompt"])
        assertInputError(try Poster.run(["plan", String(repeating: "very long prompt ", count: 40), "--model", model]), ["context"])
        assertInputError(try Poster.run(["plan", "x", "--keywords", "A/B/C/D", "--max-lines", "3", "--model", model]), ["cannot fit"])
        assertInputError(try Poster.run(["plan", "x", "--model", dir.path("missing")]), ["config.json"])
    }
}
