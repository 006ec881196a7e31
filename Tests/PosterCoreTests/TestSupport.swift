import XCTest
@testable import PosterCore

/// SplitMix64: a tiny deterministic PRNG, so the random-layout tests are reproducible
/// on every platform (the standard library's generator is seeded per process).
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random but valid layouts: canvases of any allowed size, boxes with right > left and
/// bottom > top in 0...128, and texts that mix ASCII, the bracket formats' own syntax
/// (`[`, `]`, `x`, `y`, digits, `[x12]`, `l5 t6`, `<|endoftext|>`, `,`), accented and
/// combining letters, CJK, Hangul, Arabic, Devanagari and emoji (ZWJ, flags, skin tones).
///
/// Texts never contain line breaks (a layout line is one line). They also never start
/// with a lone combining mark: the bracket formats write `[` + mark, which Unicode fuses
/// into one grapheme (see `LayoutRoundTripTests.testTextStartingWithCombiningMarkNeverDecodesToAnotherText`).
struct RandomLayoutGenerator {
    var rng: SplitMix64

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    /// Pieces a text is glued from; each starts with a base character (never a combining mark).
    static let pieces: [String] = [
        // ASCII, including everything the formats use as syntax.
        "A", "b", "Z", "q", "0", "7", "42", " ", "  ", "[", "]", "[]", "][", "x", "y", "X", "Y",
        "[x]", "[y]", "[x12]", "[y128]", "[ ]", "x12", "y7", "l5", "t6", "r9", "b3", "l5 t6",
        "<|endoftext|>", "<", "|", ">", "{", "}", ",", "1,2,3,4", "\"", "\\", "'", "/", "#", "~", "\t", "\u{1}",
        "Summer Sale", "50% OFF", "WILD", "e-mail",
        // Accented: precomposed, and base + combining marks (one grapheme each).
        "é", "Ünïcödé", "e\u{301}", "n\u{303}\u{323}", "a\u{30A}", "o\u{308}\u{304}", "Å",
        // CJK, Hangul.
        "漢字", "日本語", "中", "한국어",
        // Arabic (right-to-left), Devanagari (conjuncts, vowel signs).
        "مرحبا", "سلام", "नमस्ते", "क्षि", "हिन्दी",
        // Emoji: plain, skin tone, ZWJ sequence, flag, keycap.
        "😀", "👍🏽", "👩‍💻", "🇫🇷", "1️⃣",
    ]

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }

    mutating func canvas() -> CanvasSize {
        switch int(0...3) {
        case 0: .standard
        case 1: CanvasSize(width: int(1...CanvasSize.maximumSide), height: int(1...CanvasSize.maximumSide))
        case 2: CanvasSize(width: [1, 2, 128, 8192].randomElement(using: &rng)!, height: [1, 3, 512, 8192].randomElement(using: &rng)!)
        default: CanvasSize(width: int(64...2048), height: int(64...2048))
        }
    }

    mutating func box() -> GridBox {
        let left = int(0...(GridBox.gridSize - 1))
        let top = int(0...(GridBox.gridSize - 1))
        return GridBox(left: left, top: top, right: int((left + 1)...GridBox.gridSize), bottom: int((top + 1)...GridBox.gridSize))
    }

    mutating func text() -> String {
        var out = ""
        for _ in 0..<int(1...6) { out += Self.pieces.randomElement(using: &rng)! }
        return out
    }

    mutating func lines() -> [LayoutLine] {
        (0..<int(1...5)).map { _ in LayoutLine(box: box(), text: text()) }
    }

    mutating func layout() -> Layout {
        // Every generated value is valid, so this never throws.
        try! Layout(canvas: canvas(), lines: lines())
    }
}

/// Builds a layout from `(text, [l, t, r, b])` pairs.
func makeLayout(_ lines: [(String, [Int])], canvas: CanvasSize = .standard,
                file: StaticString = #filePath, line: UInt = #line) -> Layout {
    do {
        return try Layout(canvas: canvas, lines: lines.map { LayoutLine(box: GridBox(left: $0.1[0], top: $0.1[1], right: $0.1[2], bottom: $0.1[3]), text: $0.0) })
    } catch {
        XCTFail("invalid test layout: \(error)", file: file, line: line)
        return try! Layout(lines: [LayoutLine(box: GridBox(left: 0, top: 0, right: 1, bottom: 1), text: "?")])
    }
}

/// The error `body` throws, failing the test (and returning nil) when it parses instead.
func parseError(_ body: () throws(LayoutParseError) -> Layout,
                file: StaticString = #filePath, line: UInt = #line) -> LayoutParseError? {
    do {
        let layout = try body()
        XCTFail("expected a parse error, got \(layout)", file: file, line: line)
        return nil
    } catch {
        return error
    }
}

/// Asserts that `body` throws a `LayoutParseError` for `format`, at exactly `position`
/// ("" for errors about the whole input), whose message contains every one of `mentions`,
/// and whose description repeats the position and the message.
func assertParseError(_ format: LayoutFormat?, at position: String, mentions: [String],
                      file: StaticString = #filePath, line: UInt = #line,
                      _ body: () throws(LayoutParseError) -> Layout) {
    guard let error = parseError(body, file: file, line: line) else { return }
    XCTAssertEqual(error.format, format, "format of \(error)", file: file, line: line)
    XCTAssertEqual(error.position, position, "position of \(error)", file: file, line: line)
    for word in mentions {
        XCTAssertTrue(error.message.contains(word), "message '\(error.message)' should mention '\(word)'", file: file, line: line)
    }
    XCTAssertTrue(error.description.contains(error.message), file: file, line: line)
    if !position.isEmpty {
        XCTAssertTrue(error.description.contains(position), "description '\(error.description)' should give the position", file: file, line: line)
    }
}

/// A fresh empty directory under the system's temporary directory, removed by the caller.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("PosterCoreTests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
