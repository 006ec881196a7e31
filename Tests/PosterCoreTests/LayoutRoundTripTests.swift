import XCTest
@testable import PosterCore

/// encode -> decode gives the same layout, for every format, on seeded random layouts.
final class LayoutRoundTripTests: XCTestCase {
    static let seeds: [UInt64] = [1, 2, 0xC0FFEE, 0xDEAD_BEEF, 20_240_601]
    static let layoutsPerSeed = 80

    /// Runs `check` on the same 400 random layouts every time.
    private func forEachRandomLayout(_ check: (Layout, String) throws -> Void) rethrows {
        for seed in Self.seeds {
            var generator = RandomLayoutGenerator(seed: seed)
            for index in 0..<Self.layoutsPerSeed {
                try check(generator.layout(), "seed \(seed), layout \(index)")
            }
        }
    }

    func testGeneratorIsDeterministicAndValid() {
        var a = RandomLayoutGenerator(seed: 7), b = RandomLayoutGenerator(seed: 7)
        var sawMultiLine = false, sawNonStandardCanvas = false
        for _ in 0..<200 {
            let layout = a.layout()
            XCTAssertEqual(layout, b.layout())
            for line in layout.lines {
                XCTAssertNil(line.problem)
                XCTAssertGreaterThan(line.box.right, line.box.left)
                XCTAssertGreaterThan(line.box.bottom, line.box.top)
                XCTAssertTrue(GridBox.range.contains(line.box.left) && GridBox.range.contains(line.box.bottom))
            }
            sawMultiLine = sawMultiLine || layout.lines.count > 1
            sawNonStandardCanvas = sawNonStandardCanvas || layout.canvas != .standard
        }
        XCTAssertTrue(sawMultiLine && sawNonStandardCanvas)
        var one = SplitMix64(seed: 1), two = SplitMix64(seed: 2)
        XCTAssertNotEqual(one.next(), two.next())
    }

    func testSplitMix64KnownValues() {
        // Reference outputs of SplitMix64 seeded with 0 (as in Vigna's splitmix64.c).
        var rng = SplitMix64(seed: 0)
        XCTAssertEqual(rng.next(), 0xE220_A839_7B1D_CDAF)
        XCTAssertEqual(rng.next(), 0x6E78_9E6A_A1B9_65F4)
    }

    func testTokenRoundTrip() throws {
        try forEachRandomLayout { layout, label in
            let encoded = LayoutTokenCodec.encode(layout)
            XCTAssertEqual(try LayoutTokenCodec.decode(encoded, canvas: layout.canvas), layout, "\(label): \(encoded)")
            XCTAssertEqual(LayoutFormat.detect(encoded), .tokens, label)
            XCTAssertEqual(try Layout.parse(encoded, canvas: layout.canvas), layout, label)
        }
    }

    func testPlannerRoundTrip() throws {
        var detectable = 0, total = 0
        try forEachRandomLayout { layout, label in
            let encoded = PlannerLinesCodec.encode(layout)
            XCTAssertEqual(try PlannerLinesCodec.decode(encoded, canvas: layout.canvas), layout, "\(label): \(encoded.debugDescription)")
            // CRLF line ends read the same.
            let crlf = encoded.replacingOccurrences(of: "\n", with: "\r\n") + "\r\n"
            XCTAssertEqual(try PlannerLinesCodec.decode(crlf, canvas: layout.canvas), layout, "\(label) (CRLF)")
            total += 1
            if Self.plannerTextIsUnambiguous(encoded) {
                detectable += 1
                XCTAssertEqual(LayoutFormat.detect(encoded), .planner, "\(label): \(encoded.debugDescription)")
                XCTAssertEqual(try Layout.parse(encoded, canvas: layout.canvas), layout, label)
            } else {
                XCTAssertNotEqual(LayoutFormat.detect(encoded), .planner, "\(label): predicate and detect() disagree")
            }
        }
        // The generator does make ambiguous texts, but most are not.
        XCTAssertGreaterThan(detectable, total * 3 / 4)
        XCTAssertLessThan(detectable, total)
    }

    func testEncoderRoundTrip() throws {
        try forEachRandomLayout { layout, label in
            let encoded = EncoderStringCodec.encode(layout)
            XCTAssertEqual(try EncoderStringCodec.decode(encoded, canvas: layout.canvas), layout, "\(label): \(encoded)")
            XCTAssertEqual(LayoutFormat.detect(encoded), .encoder, label)
            XCTAssertEqual(try Layout.parse(encoded, canvas: layout.canvas), layout, label)
            // The last <|endoftext|> is optional.
            let trimmed = String(encoded.dropLast(EncoderStringCodec.lineEnd.count))
            XCTAssertEqual(try EncoderStringCodec.decode(trimmed, canvas: layout.canvas), layout, "\(label) without the last end-of-text")
        }
    }

    func testJSONRoundTripKeepsTheCanvas() throws {
        try forEachRandomLayout { layout, label in
            let encoded = LayoutJSONCodec.encode(layout)
            XCTAssertEqual(try LayoutJSONCodec.decode(encoded), layout, "\(label): \(encoded)")
            XCTAssertEqual(LayoutFormat.detect(encoded), .json, label)
            XCTAssertEqual(try Layout.parse(encoded), layout, label)
        }
    }

    func testEveryFormatThroughTheFormatEnum() throws {
        try forEachRandomLayout { layout, label in
            for format in LayoutFormat.allCases {
                XCTAssertEqual(try format.decode(format.encode(layout), canvas: layout.canvas), layout, "\(label), \(format)")
            }
        }
    }

    func testConversionBetweenFormatsKeepsTheLayout() throws {
        var generator = RandomLayoutGenerator(seed: 99)
        for _ in 0..<50 {
            let original = generator.layout()
            let viaTokens = try LayoutTokenCodec.decode(LayoutTokenCodec.encode(original), canvas: original.canvas)
            let viaEncoder = try EncoderStringCodec.decode(EncoderStringCodec.encode(viaTokens), canvas: original.canvas)
            let viaPlanner = try PlannerLinesCodec.decode(PlannerLinesCodec.encode(viaEncoder), canvas: original.canvas)
            XCTAssertEqual(try LayoutJSONCodec.decode(LayoutJSONCodec.encode(viaPlanner)), original)
        }
    }

    /// A text whose first grapheme is a lone combining mark (possible only at the start of a
    /// text or after a control character such as a tab) cannot be written in the bracket
    /// formats: `[` and the mark fuse into one grapheme. Decoding must then fail with an
    /// error, never crash or yield a different text. Planner lines and JSON round-trip it.
    func testTextStartingWithCombiningMarkNeverDecodesToAnotherText() throws {
        for text in ["\u{301}", "\u{301}abc", "a\t\u{308}", "\u{200D}x"] {
            let layout = makeLayout([(text, [1, 2, 3, 4])])
            for format in [LayoutFormat.tokens, .encoder] {
                do {
                    let decoded = try format.decode(format.encode(layout))
                    XCTAssertEqual(decoded, layout, "\(format) \(text.debugDescription)")
                } catch {
                    XCTAssertFalse(error.position.isEmpty, "\(error)")
                }
            }
            XCTAssertEqual(try PlannerLinesCodec.decode(PlannerLinesCodec.encode(layout)), layout)
            XCTAssertEqual(try LayoutJSONCodec.decode(LayoutJSONCodec.encode(layout)), layout)
        }
    }

    /// Whether `detect` can tell this planner text from the other formats: its first
    /// non-blank character is not `[` (tokens) or `{` (JSON), and its first two words are
    /// not `l<digits> t<digits>` (encoder string). Written independently of `detect`.
    static func plannerTextIsUnambiguous(_ text: String) -> Bool {
        guard let first = text.first(where: { !$0.isWhitespace }) else { return false }
        if first == "[" || first == "{" { return false }
        let words = text.split(whereSeparator: \.isWhitespace)
        func isCoordinate(_ word: Substring, _ axis: Character) -> Bool {
            word.count > 1 && word.first == axis && word.dropFirst().allSatisfy { ("0"..."9").contains($0) }
        }
        return !(words.count >= 2 && isCoordinate(words[0], "l") && isCoordinate(words[1], "t"))
    }
}
