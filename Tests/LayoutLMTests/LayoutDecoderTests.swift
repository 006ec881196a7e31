import PosterCore
import TensorCore
import XCTest
@testable import LayoutLM

final class LayoutDecoderTests: XCTestCase {
    typealias S = LayoutTestSupport
    let vocabulary = LayoutTokenizer.vocabularySize

    /// A "model" of seeded random logits; `lineBias` makes ending lines likelier.
    func randomModel(seed: UInt64, scale: Float = 3, lineBias: Float = 4) -> ([Int]) -> [Float] {
        var random = TensorRandom(seed: seed)
        return { _ in
            var logits = (0..<LayoutTokenizer.vocabularySize).map { _ in scale * random.normal() }
            logits[LayoutTokenizer.eosID] += lineBias
            for x in 0...128 { logits[LayoutTokenizer.xToken(x)] += lineBias }
            return logits
        }
    }

    func testRandomLogitsAlwaysGiveValidLayouts() throws {
        for run in 0..<300 {
            let options = LayoutDecodingOptions(temperature: run % 3 == 0 ? 0 : 1, topP: run % 2 == 0 ? 0.9 : 1,
                                                seed: UInt64(run), maximumLines: 1 + run % 8,
                                                maximumNewTokens: 24 + run % 64)
            let model = randomModel(seed: UInt64(1000 + run), lineBias: Float(run % 5))
            let generation = try LayoutDecoder.generate(prompt: "poster \(run)", options: options, nextLogits: model)
            let layout = generation.layout
            XCTAssertEqual(layout.canvas, CanvasSize(width: 512, height: 512))
            XCTAssertLessThanOrEqual(layout.lines.count, options.maximumLines)
            XCTAssertLessThanOrEqual(generation.layoutTokens.count, options.maximumNewTokens)
            XCTAssertEqual(generation.layoutTokens.last, LayoutTokenizer.eosID)
            XCTAssertEqual(try S.tokenizer.decodeLayout(generation.layoutTokens), layout)
            for line in layout.lines { XCTAssertNil(line.problem) }
            // The canonical token string parses back to the same layout.
            XCTAssertEqual(S.tokenizer.encodeLayout(layout) + [2], generation.layoutTokens)
        }
    }

    func testRandomLogitsAlwaysSpellTheKeywords() throws {
        let keywordSets: [[String]] = [
            ["Summer Sale", "50% off"],
            ["WILD"],
            ["Grand Opening Sale Today Only", "Free Coffee"],
            ["夏季 特卖", "全场五折", "东京"],
            ["مرحبا بكم", "🎉 Party 🎉"],
            ["Sale", "Sale Now", "Now"],
            ["a", "b", "c", "d", "e", "f", "g", "h"],
            ["one two three four five six seven eight nine"],
        ]
        var splitSeen = false
        for run in 0..<320 {
            let keywords = keywordSets[run % keywordSets.count]
            let maximumLines = max(keywords.count, 1 + run % 8)
            let options = LayoutDecodingOptions(temperature: run % 4 == 0 ? 0 : 1.5, topP: run % 3 == 0 ? 0.8 : 1,
                                                seed: UInt64(run), maximumLines: maximumLines, maximumNewTokens: 200)
            let layout = try LayoutDecoder.decode(prompt: "p", keywords: keywords, options: options,
                                                  nextLogits: randomModel(seed: UInt64(run), lineBias: 2))
            let texts = layout.lines.map(\.text)
            XCTAssertTrue(S.linesSpell(texts, keywords: keywords), "run \(run): \(texts) from \(keywords)")
            XCTAssertLessThanOrEqual(texts.count, maximumLines)
            XCTAssertGreaterThanOrEqual(texts.count, keywords.count)
            if texts.count > keywords.count { splitSeen = true }
            for text in texts { XCTAssertEqual(String(decoding: Array(text.utf8), as: UTF8.self), text) }
        }
        XCTAssertTrue(splitSeen, "some runs split a keyword at its spaces")
    }

    func testCJKKeywordBytesStayValid() throws {
        let keywords = ["夏季特卖", "開業 大吉"]
        for run in 0..<50 {
            let options = LayoutDecodingOptions(temperature: 1, seed: UInt64(run))
            let generation = try LayoutDecoder.generate(prompt: "海报 '夏季特卖'", keywords: keywords, options: options,
                                                        nextLogits: randomModel(seed: UInt64(run)))
            XCTAssertTrue(S.linesSpell(generation.layout.lines.map(\.text), keywords: keywords))
            XCTAssertTrue(Set(generation.layout.lines.map(\.text)).isSubset(of: ["夏季特卖", "開業 大吉", "開業", "大吉"]))
        }
    }

    func testTemperatureZeroIsGreedy() throws {
        let target = try Layout.parse("[x25][y89][x108][y96][W][I][L][D][x30][y10][x90][y20][夏][ ][🎉]")
        let wanted = S.tokenizer.encodeLayout(target) + [LayoutTokenizer.eosID]
        let prefix = S.tokenizer.promptPrefix("a poster")
        var noise = TensorRandom(seed: 9)
        var calls = 0
        let model: ([Int]) -> [Float] = { tokens in
            calls += 1
            XCTAssertEqual(Array(tokens.prefix(prefix.count)), prefix)
            let generated = tokens.count - prefix.count
            XCTAssertEqual(Array(tokens[prefix.count...]), Array(wanted.prefix(generated)))
            var logits = (0..<LayoutTokenizer.vocabularySize).map { _ in noise.normal() }
            logits[wanted[generated]] = 10
            return logits
        }
        let generation = try LayoutDecoder.generate(prompt: "a poster", options: LayoutDecodingOptions(temperature: 0, skipForcedTokens: false),
                                                    nextLogits: model)
        XCTAssertEqual(generation.layout, target)
        XCTAssertEqual(generation.layoutTokens, wanted)
        XCTAssertEqual(calls, wanted.count, "without skipping, one call per token")

        // Keywords force most bytes: the model is asked only where there is a choice.
        calls = 0
        let keyworded = try LayoutDecoder.generate(prompt: "a poster", keywords: ["WILD", "夏 🎉"], nextLogits: model)
        XCTAssertEqual(keyworded.layout, target)
        XCTAssertLessThan(calls, wanted.count)
    }

    func testSamplingIsDeterministicPerSeed() throws {
        func run(_ seed: UInt64) throws -> Layout {
            try LayoutDecoder.decode(prompt: "x", options: LayoutDecodingOptions(temperature: 1, seed: seed, maximumNewTokens: 64),
                                     nextLogits: randomModel(seed: 5))
        }
        XCTAssertEqual(try run(1), try run(1))
        let distinct = Set(try (1...6).map { try run($0) })
        XCTAssertGreaterThan(distinct.count, 1)
    }

    func testTopPRestrictsChoices() {
        let probabilities: [Float] = [0.5, 0.3, 0.15, 0.05]
        var logits = [Float](repeating: -50, count: vocabulary)
        let tokens = [10, 20, 30, 40]
        for (token, p) in zip(tokens, probabilities) { logits[token] = log(p) }
        let allowed = tokens + [50, 60]
        let nucleus = LayoutSampler.candidates(logits: logits, allowed: allowed, temperature: 1, topP: 0.7)
        XCTAssertEqual(nucleus.map(\.token), [10, 20])
        XCTAssertEqual(nucleus[0].probability, 0.625, accuracy: 1e-4)
        XCTAssertEqual(nucleus[1].probability, 0.375, accuracy: 1e-4)
        XCTAssertEqual(LayoutSampler.candidates(logits: logits, allowed: allowed, temperature: 1, topP: 0.5).map(\.token), [10])
        XCTAssertEqual(LayoutSampler.candidates(logits: logits, allowed: allowed, temperature: 1, topP: 0.9).map(\.token), [10, 20, 30])
        XCTAssertEqual(LayoutSampler.candidates(logits: logits, allowed: allowed, temperature: 1, topK: 2).map(\.token), [10, 20])
        // Disallowed tokens never come out, however large their logits.
        logits[99] = 100
        XCTAssertFalse(LayoutSampler.candidates(logits: logits, allowed: allowed, temperature: 1).map(\.token).contains(99))
        XCTAssertEqual(LayoutSampler.greedy(logits: logits, allowed: allowed), 10)

        var sampler = LayoutSampler(temperature: 1, topP: 0.7, seed: 42)
        var counts: [Int: Int] = [:]
        for _ in 0..<4000 { counts[sampler.sample(logits: logits, allowed: allowed), default: 0] += 1 }
        XCTAssertEqual(Set(counts.keys), [10, 20])
        XCTAssertEqual(Double(counts[10]!) / 4000, 0.625, accuracy: 0.03)

        var greedy = LayoutSampler(temperature: 0, seed: 1)
        for _ in 0..<10 { XCTAssertEqual(greedy.sample(logits: logits, allowed: allowed), 10) }
        // NaN and infinite logits still give an allowed token.
        let broken = [Float](repeating: .nan, count: vocabulary)
        var hot = LayoutSampler(temperature: 1, seed: 2)
        XCTAssertTrue(allowed.contains(hot.sample(logits: broken, allowed: allowed)))
        XCTAssertTrue(allowed.contains(LayoutSampler.greedy(logits: broken, allowed: allowed)))
    }

    func testDecoderErrors() {
        let model: ([Int]) -> [Float] = { _ in [Float](repeating: 0, count: LayoutTokenizer.vocabularySize) }
        XCTAssertThrowsError(try LayoutDecoder.decode(prompt: "p", keywords: (1...9).map { "w\($0)" }, nextLogits: model)) { error in
            XCTAssertTrue("\(error)".contains("cannot fit"), "\(error)")
        }
        XCTAssertThrowsError(try LayoutDecoder.decode(prompt: "p", keywords: ["a long keyword here"],
                                                      options: LayoutDecodingOptions(maximumNewTokens: 10), nextLogits: model)) { error in
            XCTAssertTrue("\(error)".contains("maximumNewTokens"), "\(error)")
        }
        XCTAssertThrowsError(try LayoutDecoder.decode(prompt: "p", nextLogits: { _ in [0, 1, 2] })) { error in
            XCTAssertTrue("\(error)".contains("3 logits"), "\(error)")
        }
        struct ModelFailed: Error {}
        XCTAssertThrowsError(try LayoutDecoder.decode(prompt: "p", nextLogits: { _ in throw ModelFailed() })) { error in
            XCTAssertTrue(error is ModelFailed)
        }
    }

    func testPromptKeywordsFeedTheDecoder() throws {
        let prompt = "a beach poster with the text 'Summer Sale' and \"50% off\""
        let keywords = PromptKeywords.extract(from: prompt)
        XCTAssertEqual(keywords, ["Summer Sale", "50% off"])
        let layout = try LayoutDecoder.decode(prompt: prompt, keywords: keywords,
                                              options: LayoutDecodingOptions(temperature: 0.8, seed: 3),
                                              nextLogits: randomModel(seed: 11))
        XCTAssertTrue(S.linesSpell(layout.lines.map(\.text), keywords: keywords))
    }
}
