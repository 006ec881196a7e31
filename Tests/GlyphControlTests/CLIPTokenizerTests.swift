import Foundation
import XCTest
@testable import GlyphControl

/// Ids must equal transformers' CLIPTokenizer on the same files exactly.
final class CLIPTokenizerTests: XCTestCase {
    typealias F = TextEncoderFixtures

    func tokenizer() throws -> CLIPTokenizer {
        try CLIPTokenizer(vocabularyFile: F.tokenizerDirectory.appendingPathComponent("vocab.json").path,
                          mergesFile: F.tokenizerDirectory.appendingPathComponent("merges.txt").path)
    }

    func assertRows(_ actual: [[Int]], _ expected: [[Int]], _ prompts: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.count, expected.count, file: file, line: line)
        for (i, (a, e)) in zip(actual, expected).enumerated() where a != e {
            XCTFail("prompt \(i) \(prompts[i].prefix(60).debugDescription):\n got      \(a)\n expected \(e)", file: file, line: line)
        }
    }

    func testBaseIdsMatchTransformers() throws {
        let tok = try tokenizer()
        XCTAssertEqual(tok.count, F.meta.baseVocabSize)
        XCTAssertEqual(tok.maxLength, 77)
        assertRows(tok.encode(F.meta.prompts), try F.idRows("ids.base"), F.meta.prompts)
    }

    func testUnpaddedUntruncatedIds() throws {
        let tok = try tokenizer()
        let ids = F.meta.prompts.map { tok.encode($0, padding: .none, truncation: false) }
        assertRows(ids, F.meta.unpaddedIds, F.meta.prompts)
        // The long prompts really exercise truncation.
        XCTAssertGreaterThan(F.meta.unpaddedIds.map(\.count).max()!, 77)
    }

    func testTruncationKeepsTheEndToken() throws {
        let tok = try tokenizer()
        for prompt in F.meta.prompts {
            let ids = tok.encode(prompt)
            XCTAssertEqual(ids.count, 77)
            XCTAssertEqual(ids.first, tok.startID)
            XCTAssertTrue(ids.contains(tok.endID))
        }
        let long = tok.encode(F.meta.prompts[11])
        XCTAssertEqual(long.last, tok.endID)
        XCTAssertEqual(Array(long[1..<76]), Array(tok.contentIDs(F.meta.prompts[11]).prefix(75)))
    }

    func testPaddingWithExclamationMark() throws {
        var tok = try tokenizer()
        try tok.setPaddingToken("!")
        XCTAssertEqual(tok.paddingID, F.meta.padBangId)
        assertRows(tok.encode(F.meta.prompts), try F.idRows("ids.pad_bang"), F.meta.prompts)
        XCTAssertThrowsError(try tok.setPaddingToken("<not-a-token>"))
    }

    func testLayoutTokensAddedThroughTheAPI() throws {
        var tok = try tokenizer()
        XCTAssertEqual(tok.addTokens(F.layoutTokens), F.meta.layoutTokenCount)
        XCTAssertEqual(tok.addTokens(["l0", "[a]"]), 0, "adding again adds nothing")
        XCTAssertEqual(tok.count, F.meta.baseVocabSize + F.meta.layoutTokenCount)
        XCTAssertEqual(tok.id(of: "l0"), F.meta.baseVocabSize)
        XCTAssertEqual(tok.id(of: "[ ]"), tok.count - 1)
        let prompts = F.meta.layoutPrompts + F.meta.prompts.prefix(4)
        assertRows(tok.encode(prompts), try F.idRows("ids.layout"), prompts)
        // "[S]" and "[s]" stay distinct (case-sensitive), "L12" is not "l12".
        XCTAssertNotEqual(tok.id(of: "[S]"), tok.id(of: "[s]"))
        XCTAssertEqual(tok.tokenize("[S][s]"), ["[S]", "[s]"])
        XCTAssertFalse(tok.tokenize("L12").contains("l12"))
    }

    /// Random strings: odd white space, combining marks, case-mapping corner
    /// cases (İ, ẞ, Σ, ǅ), CJK, emoji, control characters, special-token
    /// spellings in other cases, layout tokens glued to text.
    func testRandomStringsMatchTransformers() throws {
        var tok = try tokenizer()
        tok.addTokens(F.layoutTokens)
        let ids = F.meta.fuzzPrompts.map { tok.encode($0, padding: .none, truncation: false) }
        assertRows(ids, F.meta.fuzzIds, F.meta.fuzzPrompts)
    }

    func testAddedTokensFromTokenizerConfig() throws {
        let tok = try CLIPTokenizer(directory: F.tokenizerDirectory.path)
        XCTAssertEqual(tok.count, F.meta.baseVocabSize + F.meta.fileAddedTokens.count)
        let user = tok.addedTokens.filter { !$0.special }
        XCTAssertEqual(user.map(\.content), F.meta.fileAddedTokens.map(\.content))
        XCTAssertEqual(user.map(\.normalized), F.meta.fileAddedTokens.map(\.normalized))
        let prompts = F.meta.fileAddedPrompts + F.meta.prompts.prefix(3)
        assertRows(tok.encode(prompts), try F.idRows("ids.file_added"), prompts)
    }

    func testTokenizerJSONAsTransformersSavesIt() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: F.tokenizerJSONDirectory.path)
        XCTAssertFalse(files.contains("vocab.json"))
        let tok = try CLIPTokenizer(directory: F.tokenizerJSONDirectory.path)
        let prompts = F.meta.fileAddedPrompts + F.meta.prompts.prefix(3)
        assertRows(tok.encode(prompts), try F.idRows("ids.file_added"), prompts)
        // Prompts without its added tokens ("hello world" is one) tokenize as the bare BPE does.
        let base = try tokenizer()
        let plain = F.meta.prompts.filter { !CLIPTextNormalizer.normalize($0).contains("hello world") }
        XCTAssertEqual(plain.count, F.meta.prompts.count - 1)
        assertRows(plain.map { tok.encode($0) }, plain.map { base.encode($0) }, plain)
        XCTAssertEqual(tok.encoder.mergeCount, base.encoder.mergeCount)
    }

    func testDecodeMatchesTransformers() throws {
        var tok = try tokenizer()
        for (ids, text) in zip(F.meta.unpaddedIds, F.meta.decoded) { XCTAssertEqual(tok.decode(ids), text) }
        tok.addTokens(F.layoutTokens)
        for (prompt, text) in zip(F.meta.layoutPrompts, F.meta.layoutDecoded) {
            XCTAssertEqual(tok.decode(tok.encode(prompt, padding: .none, truncation: false)), text)
        }
    }

    func testPreTokenizerPattern() {
        XCTAssertEqual(CLIPPreTokenizer.split("it's a 2024 sale!!! they'll"), ["it", "'s", "a", "2", "0", "2", "4", "sale", "!!!", "they", "'ll"])
        XCTAssertEqual(CLIPPreTokenizer.split("!'s 'salut"), ["!'", "s", "'s", "alut"])
        XCTAssertEqual(CLIPPreTokenizer.split("<|endoftext|>x"), ["<|", "endoftext", "|>", "x"])
        XCTAssertEqual(CLIPTextNormalizer.normalize("Hello \t\n  WORLD e\u{301}"), "hello world \u{e9}")
    }

    func testByteLevelAlphabet() {
        XCTAssertEqual(ByteLevelAlphabet.characters.count, 256)
        XCTAssertEqual(Set(ByteLevelAlphabet.characters).count, 256)
        XCTAssertEqual(ByteLevelAlphabet.characters[Int(UInt8(ascii: "a"))], "a")
        XCTAssertEqual(ByteLevelAlphabet.characters[32], "\u{120}") // space -> Ġ
        XCTAssertEqual(ByteLevelAlphabet.decode(String(ByteLevelAlphabet.encode("é 東"))), "é 東")
    }

    func testBPECacheGivesTheSameIdsTwice() throws {
        let tok = try tokenizer()
        let first = tok.encode("posters posters poster")
        XCTAssertEqual(first, tok.encode("posters posters poster"))
    }

    // MARK: errors

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("clip-tok-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func testMissingFilesAreNamed() throws {
        let dir = try temporaryDirectory()
        XCTAssertThrowsError(try CLIPTokenizer(directory: dir.path)) { error in
            guard case CLIPTokenizerError.missingFile(_, let expected) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(expected, ["vocab.json", "tokenizer.json"])
            XCTAssertTrue("\(error)".contains("vocab.json"))
        }
        try FileManager.default.copyItem(at: F.tokenizerDirectory.appendingPathComponent("vocab.json"), to: dir.appendingPathComponent("vocab.json"))
        XCTAssertThrowsError(try CLIPTokenizer(directory: dir.path)) { error in
            guard case CLIPTokenizerError.missingFile(_, let expected) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(expected, ["merges.txt", "tokenizer.json"])
        }
        XCTAssertThrowsError(try CLIPTokenizer(vocabularyFile: dir.appendingPathComponent("nope.json").path,
                                               mergesFile: dir.appendingPathComponent("merges.txt").path))
    }

    func testMalformedFilesAreRejected() throws {
        let dir = try temporaryDirectory()
        let vocab = dir.appendingPathComponent("vocab.json"), merges = dir.appendingPathComponent("merges.txt")
        try FileManager.default.copyItem(at: F.tokenizerDirectory.appendingPathComponent("vocab.json"), to: vocab)

        try "#version: 0.2\nt h\nthree parts here\n".write(to: merges, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try CLIPTokenizer(directory: dir.path)) { error in
            guard case CLIPTokenizerError.malformedFile(_, let reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("line 3"), reason)
        }
        try "#version: 0.2\nq zz\n".write(to: merges, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try CLIPTokenizer(directory: dir.path)) { error in
            XCTAssertEqual(error as? CLIPTokenizerError, .mergeOutOfVocabulary(merge: "q zz", token: "zz"))
        }
        try "#version: 0.2\nt h\n".write(to: merges, atomically: true, encoding: .utf8)
        XCTAssertNoThrow(try CLIPTokenizer(directory: dir.path))

        try "{\"a\": 0, \"b\": \"one\"}".write(to: vocab, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try CLIPTokenizer(directory: dir.path)) { error in
            guard case CLIPTokenizerError.malformedFile = error else { return XCTFail("\(error)") }
        }
        try "[1, 2, 3]".write(to: vocab, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try CLIPTokenizer(directory: dir.path)) { error in
            guard case CLIPTokenizerError.malformedFile(_, let reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("JSON object"))
        }
        // A vocabulary without the special tokens.
        try "{\"a\": 0, \"b\": 1}".write(to: vocab, atomically: true, encoding: .utf8)
        try "#version: 0.2\n".write(to: merges, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try CLIPTokenizer(directory: dir.path)) { error in
            XCTAssertEqual(error as? CLIPTokenizerError, .specialTokenNotInVocabulary(role: "start", token: "<|startoftext|>"))
        }
    }

    func testAddedTokensJSONIsReadCaseSensitively() throws {
        let dir = try temporaryDirectory()
        for name in ["vocab.json", "merges.txt"] {
            try FileManager.default.copyItem(at: F.tokenizerDirectory.appendingPathComponent(name), to: dir.appendingPathComponent(name))
        }
        let base = F.meta.baseVocabSize
        try "{\"[S]\": \(base), \"[s]\": \(base + 1), \"l12\": \(base + 2)}".write(
            to: dir.appendingPathComponent("added_tokens.json"), atomically: true, encoding: .utf8)
        let tok = try CLIPTokenizer(directory: dir.path)
        XCTAssertEqual(tok.contentIDs("[S][s] l12 L12").prefix(3), [base, base + 1, base + 2])
        XCTAssertEqual(tok.count, base + 3)
        try "{\"t h\": 5}".write(to: dir.appendingPathComponent("added_tokens.json"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try CLIPTokenizer(directory: dir.path)) { error in
            guard case CLIPTokenizerError.conflictingAddedToken = error else { return XCTFail("\(error)") }
        }
    }
}
