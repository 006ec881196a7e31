import Foundation
import PosterCore
import TensorCore
import XCTest
@testable import LayoutLM

final class LayoutTokenizerTests: XCTestCase {
    let tokenizer = LayoutTokenizer()

    static let textPools: [[String]] = [
        ["WILD", "Summer Sale", "50% off", "Don't miss it!", "a", "[x12]", "Grand Opening 2024", "~ quiet ~"],
        ["夏季特卖", "开业大吉", "東京", "こんにちは世界", "한국어 텍스트", "全场五折"],
        ["مرحبا", "تخفيضات الصيف", "عرض خاص ٥٠٪"],
        ["🎉", "👩‍👩‍👧‍👦 family", "🇯🇵🇫🇷", "café", "e\u{301}cole", "Ünïcödé ✓", "€100"],
    ]

    static func randomLayout(_ random: inout TensorRandom) throws -> Layout {
        let lineCount = 1 + Int(random.next() % 8)
        var lines: [LayoutLine] = []
        for _ in 0..<lineCount {
            let pool = textPools[Int(random.next() % UInt64(textPools.count))]
            let text = pool[Int(random.next() % UInt64(pool.count))]
            let left = Int(random.next() % 128), top = Int(random.next() % 128)
            let right = left + 1 + Int(random.next() % UInt64(128 - left))
            let bottom = top + 1 + Int(random.next() % UInt64(128 - top))
            lines.append(LayoutLine(box: GridBox(left: left, top: top, right: right, bottom: bottom), text: text))
        }
        return try Layout(lines: lines)
    }

    func testVocabularyLayout() {
        XCTAssertEqual(tokenizer.count, 518)
        XCTAssertEqual([tokenizer.padID, tokenizer.bosID, tokenizer.eosID, tokenizer.sepID], [0, 1, 2, 3])
        XCTAssertEqual(LayoutTokenizer.byteToken(0), 4)
        XCTAssertEqual(LayoutTokenizer.byteToken(255), 259)
        XCTAssertEqual(LayoutTokenizer.xToken(0), 260)
        XCTAssertEqual(LayoutTokenizer.xToken(128), 388)
        XCTAssertEqual(LayoutTokenizer.yToken(0), 389)
        XCTAssertEqual(LayoutTokenizer.yToken(128), 517)
        XCTAssertEqual(tokenizer.token(0), "<pad>")
        XCTAssertEqual(tokenizer.token(1), "<bos>")
        XCTAssertEqual(tokenizer.token(2), "<eos>")
        XCTAssertEqual(tokenizer.token(3), "<sep>")
        XCTAssertEqual(tokenizer.token(LayoutTokenizer.xToken(12)), "[x12]")
        XCTAssertEqual(tokenizer.token(LayoutTokenizer.yToken(128)), "[y128]")
        XCTAssertEqual(tokenizer.token(LayoutTokenizer.byteToken(UInt8(ascii: "W"))), "W")
        XCTAssertEqual(tokenizer.token(LayoutTokenizer.byteToken(UInt8(ascii: " "))), " ")
        XCTAssertEqual(tokenizer.token(LayoutTokenizer.byteToken(0xAB)), "<0xAB>")
        XCTAssertEqual(tokenizer.token(LayoutTokenizer.byteToken(0x0A)), "<0x0A>")
        for id in 0..<tokenizer.count {
            XCTAssertEqual(tokenizer.id(of: tokenizer.token(id)), id, "spelling of \(id)")
        }
    }

    func testEncodeLayoutMatchesDesignCard() throws {
        let layout = try Layout.parse("[x25][y89][x108][y96][W][I][L][D][x30][y10][x90][y20][S][a][l][e]")
        let ids = tokenizer.encodeLayout(layout)
        XCTAssertEqual(tokenizer.spell(ids), "[x25][y89][x108][y96]WILD[x30][y10][x90][y20]Sale")
        XCTAssertEqual(ids.count, 16)
        XCTAssertEqual(try tokenizer.decodeLayout(ids), layout)
    }

    func testRandomLayoutsRoundTripExactly() throws {
        var random = TensorRandom(seed: 7)
        for run in 0..<400 {
            let layout = try Self.randomLayout(&random)
            let ids = tokenizer.encodeLayout(layout)
            let decoded = try tokenizer.decodeLayout(ids)
            XCTAssertEqual(decoded, layout, "run \(run)")
            // Byte-exact texts (not just canonically equivalent).
            XCTAssertEqual(decoded.lines.map { Array($0.text.utf8) }, layout.lines.map { Array($0.text.utf8) })
            XCTAssertEqual(try tokenizer.decodeLayout(ids + [tokenizer.eosID, 77, 0]), layout, "stops at <eos>")
            let sequence = tokenizer.trainingSequence(prompt: "poster \(run) 'X'", layout: layout)
            XCTAssertEqual(try tokenizer.decodeLayout(sequence.ids), layout, "whole sequence")
        }
    }

    func testPromptIsUTF8Bytes() {
        let prompt = "Poster «夏» 🎉"
        XCTAssertEqual(tokenizer.encodePrompt(prompt), prompt.utf8.map { Int($0) + 4 })
        XCTAssertEqual(tokenizer.encodePrompt(""), [])
        // Truncation keeps whole characters: "夏" is 3 bytes.
        let cut = tokenizer.encodePrompt("ab夏c", maximumBytes: 4)
        XCTAssertEqual(cut, [UInt8(ascii: "a"), UInt8(ascii: "b")].map { Int($0) + 4 })
        XCTAssertEqual(tokenizer.encodePrompt("ab夏c", maximumBytes: 5).count, 5)
    }

    func testTrainingSequenceAndMask() throws {
        let layout = try Layout.parse("[x25][y89][x108][y96][W][I][L][D][x30][y10][x90][y20][夏]")
        let prompt = "a poster with the text 'WILD'"
        let (ids, mask) = tokenizer.trainingSequence(prompt: prompt, layout: layout)
        let promptIDs = tokenizer.encodePrompt(prompt)
        let layoutIDs = tokenizer.encodeLayout(layout)
        XCTAssertEqual(ids, [1] + promptIDs + [3] + layoutIDs + [2])
        XCTAssertEqual(ids.count, mask.count)
        XCTAssertEqual(mask, Array(repeating: false, count: promptIDs.count + 2) + Array(repeating: true, count: layoutIDs.count + 1))
        XCTAssertEqual(mask.filter { $0 }.count, layoutIDs.count + 1)
        XCTAssertEqual(ids.last, tokenizer.eosID)
        XCTAssertFalse(mask[ids.firstIndex(of: 3)!], "<sep> is given, not predicted")
        XCTAssertTrue(mask[ids.firstIndex(of: 3)! + 1], "the first layout token is predicted")
    }

    private func assertDecodeError(_ ids: [Int], position: Int?, contains fragment: String,
                                   file: StaticString = #filePath, line: UInt = #line) {
        do {
            let layout = try tokenizer.decodeLayout(ids)
            XCTFail("decoded \(layout)", file: file, line: line)
        } catch {
            XCTAssertEqual(error.position, position, "\(error)", file: file, line: line)
            XCTAssertTrue(error.description.contains(fragment), "\(error)", file: file, line: line)
        }
    }

    func testMalformedSequencesReportPosition() {
        let x = LayoutTokenizer.xToken, y = LayoutTokenizer.yToken
        let b = { (s: String) in s.utf8.map { LayoutTokenizer.byteToken($0) } }
        assertDecodeError(b("Hi"), position: 0, contains: "before any line box")
        assertDecodeError([x(1), y(2)] + b("Hi"), position: 2, contains: "inside a line box")
        assertDecodeError([x(1), x(2)], position: 1, contains: "[x2] where [yN] (top) was expected")
        assertDecodeError([y(1)], position: 0, contains: "[y1] where [xN] (left) was expected")
        assertDecodeError([x(10), y(2), x(10), y(5)] + b("A"), position: 2, contains: "right [x10] must be greater than left [x10]")
        assertDecodeError([x(10), y(5), x(20), y(4)] + b("A"), position: 3, contains: "bottom [y4] must be greater than top [y5]")
        assertDecodeError([x(1), y(1), x(2), y(2), x(3), y(3), x(4), y(4)] + b("A"), position: 4, contains: "line 1 has no characters")
        assertDecodeError([x(1), y(1), x(2), y(2)] + [LayoutTokenizer.byteToken(0xE5)], position: 0, contains: "not valid UTF-8")
        assertDecodeError([x(1), y(1), x(2), y(2)] + b("A\nB"), position: 0, contains: "line break")
        assertDecodeError([x(1), y(1), x(2), y(2)] + b("A") + [0], position: 5, contains: "unexpected <pad>")
        assertDecodeError([x(1), y(1), x(2), y(2)] + b("A") + [3], position: 5, contains: "unexpected <sep>")
        assertDecodeError([x(1), y(1), x(2), y(2)] + b("A") + [518], position: 5, contains: "outside the vocabulary")
        assertDecodeError([2], position: 0, contains: "<eos> before any line")
        assertDecodeError([], position: 0, contains: "no layout tokens")
        assertDecodeError([x(1), y(1), x(2)], position: 3, contains: "after 3 of its 4 coordinate tokens")
        assertDecodeError([1] + b("prompt"), position: nil, contains: "no <sep>")
    }

    func testTokenizerJSONRoundTrip() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tok-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try tokenizer.save(to: directory)
        let file = directory.appendingPathComponent("tokenizer.json")
        XCTAssertTrue(FileManager.default.fileExists(atPath: file.path))
        XCTAssertEqual(try LayoutTokenizer.load(from: directory), tokenizer)
        XCTAssertEqual(try LayoutTokenizer.load(from: file), tokenizer)
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as! [String: Any]
        XCTAssertEqual(object["version"] as? Int, 1)
        XCTAssertEqual(object["grid"] as? Int, 128)
        XCTAssertEqual(object["byteOffset"] as? Int, 4)
        XCTAssertEqual(object["vocabularySize"] as? Int, 518)
        XCTAssertEqual(object["specials"] as? [String: Int], ["<pad>": 0, "<bos>": 1, "<eos>": 2, "<sep>": 3])
        XCTAssertEqual(object["coordinates"] as? [String: Int], ["x": 260, "y": 389])
        XCTAssertEqual(tokenizer.jsonData(), tokenizer.jsonData(), "stable bytes")
    }

    private func mutated(_ change: (inout [String: Any]) -> Void) throws -> Data {
        var object = try JSONSerialization.jsonObject(with: tokenizer.jsonData()) as! [String: Any]
        change(&object)
        return try JSONSerialization.data(withJSONObject: object)
    }

    private func assertLoadError(_ data: Data, contains fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        do {
            _ = try LayoutTokenizer(jsonData: data)
            XCTFail("accepted a malformed tokenizer.json", file: file, line: line)
        } catch {
            XCTAssertTrue(error.description.contains(fragment), "\(error)", file: file, line: line)
        }
    }

    func testMalformedTokenizerFiles() throws {
        assertLoadError(Data("not json".utf8), contains: "not valid JSON")
        assertLoadError(Data("[1,2]".utf8), contains: "must be a JSON object")
        assertLoadError(try mutated { $0["version"] = 2 }, contains: "version 2 is not supported")
        assertLoadError(try mutated { $0["grid"] = 256 }, contains: "grid 256")
        assertLoadError(try mutated { $0["format"] = "gpt2" }, contains: "format is \"gpt2\"")
        assertLoadError(try mutated { $0.removeValue(forKey: "byteOffset") }, contains: "missing \"byteOffset\"")
        assertLoadError(try mutated { $0["byteOffset"] = "four" }, contains: "wrong type")
        assertLoadError(try mutated { $0["byteOffset"] = 5 }, contains: "byte tokens 5..<261")
        assertLoadError(try mutated { $0["specials"] = ["<pad>": 0, "<bos>": 2, "<eos>": 1, "<sep>": 3] }, contains: "specials")
        assertLoadError(try mutated { $0["coordinates"] = ["x": 261, "y": 389] }, contains: "coordinate offsets")
        assertLoadError(try mutated { $0["vocabularySize"] = 600 }, contains: "vocabularySize 600")
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-\(UUID().uuidString).json")
        XCTAssertThrowsError(try LayoutTokenizer.load(from: missing)) { error in
            XCTAssertTrue("\(error)".contains("cannot read"), "\(error)")
        }
    }
}
