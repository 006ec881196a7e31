import Foundation
import XCTest
@testable import GlyphControl

/// BPE merges learnt from captions, written as CLIP tokenizer files.
final class CLIPVocabularyBuilderTests: XCTestCase {
    /// Words (as CLIP splits them): "ab" ×3, "abc" ×2, "cd" ×1. Pair counts over
    /// [a, b</w>], [a, b, c</w>], [c, d</w>]: (a, b</w>) 3, (a, b) 2, (b, c</w>) 2,
    /// (c, d</w>) 1. So: (a, b</w>) first; then (a, b) beats (b, c</w>), tied
    /// at 2, by being seen first; then (ab, c</w>) 2; (c, d</w>) is seen once only.
    let corpus = ["AB ab ab abc", "abc  cd"]

    func testFirstMergesAreTheMostFrequentPairs() {
        let merges = CLIPVocabularyBuilder(vocabularySize: 600).merges(from: corpus)
        XCTAssertEqual(merges.map { [$0.0, $0.1] }, [["a", "b</w>"], ["a", "b"], ["ab", "c</w>"]])
        let once = CLIPVocabularyBuilder(vocabularySize: 600, minimumFrequency: 1).merges(from: corpus)
        XCTAssertEqual(once.map { [$0.0, $0.1] }, [["a", "b</w>"], ["a", "b"], ["ab", "c</w>"], ["c", "d</w>"]])
        // 256 + 256 + 2 special tokens leave one merge for a 515-entry vocabulary.
        let capped = CLIPVocabularyBuilder(vocabularySize: 515).merges(from: corpus)
        XCTAssertEqual(capped.map { [$0.0, $0.1] }, [["a", "b</w>"]])
        XCTAssertTrue(CLIPVocabularyBuilder(vocabularySize: 300).merges(from: corpus).isEmpty)
    }

    func testVocabularyLayoutFollowsOpenAICLIP() {
        let merges = CLIPVocabularyBuilder(vocabularySize: 600).merges(from: corpus)
        let vocabulary = CLIPVocabularyBuilder.vocabulary(merges: merges)
        XCTAssertEqual(vocabulary.count, 512 + 3 + 2)
        XCTAssertEqual(Set(vocabulary.values), Set(0..<517), "ids are dense")
        // Printable bytes from "!" (0x21) first, then the remapped bytes from U+0100 (byte 0).
        XCTAssertEqual(vocabulary["!"], 0)
        XCTAssertEqual(vocabulary["a"], 0x61 - 0x21)
        XCTAssertEqual(vocabulary["\u{100}"], 188, "94 + 12 + 82 printable bytes come first")
        for (i, character) in ByteLevelAlphabet.vocabularyOrder.enumerated() {
            XCTAssertEqual(vocabulary[String(character)], i)
            XCTAssertEqual(vocabulary[String(character) + "</w>"], 256 + i)
        }
        XCTAssertEqual(vocabulary["ab</w>"], 512)
        XCTAssertEqual(vocabulary["ab"], 513)
        XCTAssertEqual(vocabulary["abc</w>"], 514)
        XCTAssertEqual(vocabulary["<|startoftext|>"], 515)
        XCTAssertEqual(vocabulary["<|endoftext|>"], 516)
    }

    func testWrittenFilesLoadBackAsACLIPTokenizer() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clip-vocab-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let captions = ["a red poster with white text 'Sale'", "a dark blue poster with yellow circles and white bold text 'Open Late'",
                        "a green poster with black text 'Fresh'", "a cream poster with red text 'Café'"]
        let built = try CLIPVocabularyBuilder(vocabularySize: 600).write(from: captions + captions, to: directory)
        for name in ["vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path), name)
        }
        let merges = try String(contentsOf: directory.appendingPathComponent("merges.txt"), encoding: .utf8)
        XCTAssertTrue(merges.hasPrefix("#version: 0.2\n"))
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("tokenizer_config.json")))
            as? [String: Any])
        XCTAssertEqual(config["tokenizer_class"] as? String, "CLIPTokenizer")
        XCTAssertEqual(config["model_max_length"] as? Int, 77)

        let tokenizer = try CLIPTokenizer(directory: directory.path)
        XCTAssertEqual(tokenizer.count, built.count)
        XCTAssertEqual(tokenizer.startID, tokenizer.count - 2)
        XCTAssertEqual(tokenizer.endID, tokenizer.count - 1)
        XCTAssertEqual(tokenizer.paddingID, tokenizer.endID)
        let caption = "A  Dark Blue POSTER with white text Café"
        let ids = tokenizer.encode(caption)
        XCTAssertEqual(ids, built.encode(caption), "the files say what the builder learnt")
        XCTAssertEqual(ids.count, 77)
        XCTAssertEqual(ids.first, tokenizer.startID)
        XCTAssertEqual(tokenizer.decode(ids), "a dark blue poster with white text café")
        // Words seen often enough are one token; an unseen word falls back to bytes.
        XCTAssertEqual(tokenizer.tokenize("poster"), ["poster</w>"])
        XCTAssertEqual(tokenizer.tokenize("Poster WITH"), ["poster</w>", "with</w>"])
        XCTAssertEqual(tokenizer.tokenize("zqzq"), ["z", "q", "z", "q</w>"])
    }

    func testWordOfMergedPiecesIsOneToken() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clip-vocab-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let tokenizer = try CLIPVocabularyBuilder(vocabularySize: 600).write(from: corpus, to: directory)
        XCTAssertEqual(tokenizer.contentIDs("abc"), [514])
        XCTAssertEqual(tokenizer.contentIDs("ab ABC"), [512, 514])
        // "cd" never merged: two byte tokens, the last closing the word.
        XCTAssertEqual(tokenizer.contentIDs("cd"), [0x63 - 0x21, 256 + 0x64 - 0x21])
        XCTAssertEqual(tokenizer.decode(tokenizer.encode("ab abc cd")), "ab abc cd")
    }
}
