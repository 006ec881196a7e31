import PosterCore
import TensorCore
import XCTest
@testable import LayoutLM

/// Helpers shared by the constraint and decoder tests.
enum LayoutTestSupport {
    static let tokenizer = LayoutTokenizer()

    /// Line tokens for a text in a fixed box.
    static func lineTokens(_ text: String, box: (Int, Int, Int, Int) = (10, 10, 100, 30)) -> [Int] {
        [LayoutTokenizer.xToken(box.0), LayoutTokenizer.yToken(box.1), LayoutTokenizer.xToken(box.2), LayoutTokenizer.yToken(box.3)]
            + text.utf8.map { LayoutTokenizer.byteToken($0) }
    }

    /// Whether the lines spell exactly the keywords: a partition of the lines
    /// into runs of consecutive lines whose space-joined texts are the keywords,
    /// each used once, in any order.
    static func linesSpell(_ lines: [String], keywords: [String]) -> Bool {
        func search(_ start: Int, _ unused: [String]) -> Bool {
            if start == lines.count { return unused.isEmpty }
            var joined = ""
            for end in start..<lines.count {
                joined = end == start ? lines[start] : joined + " " + lines[end]
                if let index = unused.firstIndex(where: { Array($0.utf8) == Array(joined.utf8) }) {
                    var rest = unused
                    rest.remove(at: index)
                    if search(end + 1, rest) { return true }
                }
            }
            return false
        }
        return search(0, keywords)
    }
}

final class LayoutConstraintTests: XCTestCase {
    typealias S = LayoutTestSupport

    /// Feeds lines then `<eos>`; returns the error, or nil when every token was accepted.
    @discardableResult
    func feed(_ lines: [String], keywords: [String]?, maximumLines: Int = 8, eos: Bool = true) throws -> LayoutConstraintError? {
        var constraint = try LayoutConstraint(keywords: keywords, maximumLines: maximumLines)
        var tokens = lines.flatMap { S.lineTokens($0) }
        if eos { tokens.append(LayoutTokenizer.eosID) }
        for token in tokens {
            XCTAssertEqual(constraint.allowedTokens().contains(token), constraint.allows(token))
            do { try constraint.advance(token) } catch { return error }
        }
        if eos { XCTAssertTrue(constraint.isComplete) }
        return nil
    }

    func testKeywordLineSplitsOnlyAtSpaces() throws {
        let keywords = ["Summer Sale", "50% off"]
        XCTAssertNil(try feed(["Summer Sale", "50% off"], keywords: keywords))
        XCTAssertNil(try feed(["50% off", "Summer Sale"], keywords: keywords))
        XCTAssertNil(try feed(["50% off", "Summer", "Sale"], keywords: keywords))
        XCTAssertNil(try feed(["Summer", "Sale", "50%", "off"], keywords: keywords))
        XCTAssertNotNil(try feed(["Summer", "50% off", "Sale"], keywords: keywords), "a split keyword stays on consecutive lines")
        XCTAssertNotNil(try feed(["Summer Sal"], keywords: keywords))
        XCTAssertNotNil(try feed(["Summer Sale"], keywords: keywords), "<eos> before every keyword is spelled")
        XCTAssertNotNil(try feed(["Summer Sale", "50% off", "extra"], keywords: keywords))
        XCTAssertNotNil(try feed(["Summer Sale!"], keywords: keywords, eos: false))
        XCTAssertNotNil(try feed(["Summer Sale", "Summer Sale"], keywords: keywords), "each keyword once")
        XCTAssertNotNil(try feed(["Sum", "mer Sale"], keywords: keywords), "no splits inside a word")
        XCTAssertNotNil(try feed(["Summer ", "Sale"], keywords: keywords, eos: false), "the space is dropped, not kept")
    }

    func testErrorNamesTheTokenPosition() throws {
        var constraint = try LayoutConstraint(keywords: ["Sale"])
        for token in S.lineTokens("Sa") { try constraint.advance(token) }
        XCTAssertThrowsError(try constraint.advance(LayoutTokenizer.byteToken(UInt8(ascii: "x")))) { error in
            let error = error as! LayoutConstraintError
            XCTAssertEqual(error.position, 6)
            XCTAssertTrue(error.description.contains("layout token 6 x"), error.description)
            XCTAssertTrue(error.description.contains("\"Sale\""), error.description)
        }
        XCTAssertEqual(constraint.allowedTokens(), [LayoutTokenizer.byteToken(UInt8(ascii: "l"))])
        XCTAssertThrowsError(try constraint.advance(LayoutTokenizer.eosID))
        XCTAssertEqual(constraint.tokens.count, 6, "a refused token leaves the state as it was")
    }

    func testDuplicateAndPrefixKeywords() throws {
        XCTAssertNil(try feed(["Sale", "Sale"], keywords: ["Sale", "Sale"]))
        XCTAssertNotNil(try feed(["Sale"], keywords: ["Sale", "Sale"]))
        let keywords = ["Sale", "Sale Now"]
        XCTAssertNil(try feed(["Sale", "Sale Now"], keywords: keywords))
        XCTAssertNil(try feed(["Sale Now", "Sale"], keywords: keywords))
        XCTAssertNil(try feed(["Sale", "Sale", "Now"], keywords: keywords))
        XCTAssertNil(try feed(["Sale", "Now", "Sale"], keywords: keywords))
        XCTAssertNotNil(try feed(["Now", "Sale", "Sale"], keywords: keywords))
        XCTAssertNotNil(try feed(["Sale", "Now"], keywords: keywords))
    }

    func testKeywordSplitsRespectMaximumLines() throws {
        // "A B C" + "D" in 2 lines: no room to split the first keyword.
        var constraint = try LayoutConstraint(keywords: ["A B C", "D"], maximumLines: 2)
        for token in S.lineTokens("A") { try constraint.advance(token) }
        let allowed = constraint.allowedTokens()
        XCTAssertEqual(allowed, [LayoutTokenizer.byteToken(UInt8(ascii: " "))])
        XCTAssertNil(try feed(["A B C", "D"], keywords: ["A B C", "D"], maximumLines: 2))
        XCTAssertNotNil(try feed(["A", "B C", "D"], keywords: ["A B C", "D"], maximumLines: 2))
        XCTAssertNil(try feed(["A", "B C", "D"], keywords: ["A B C", "D"], maximumLines: 3))
        XCTAssertNil(try feed(["D", "A", "B", "C"], keywords: ["A B C", "D"], maximumLines: 4))
    }

    func testFreeTextMaximumLines() throws {
        XCTAssertNil(try feed(["a", "b", "c"], keywords: nil, maximumLines: 3))
        XCTAssertNotNil(try feed(["a", "b", "c", "d"], keywords: nil, maximumLines: 3))
        var constraint = try LayoutConstraint(keywords: nil, maximumLines: 1)
        for token in S.lineTokens("a") { try constraint.advance(token) }
        XCTAssertFalse(constraint.allowedTokens().contains(LayoutTokenizer.xToken(0)))
        XCTAssertTrue(constraint.allowedTokens().contains(LayoutTokenizer.eosID))
    }

    func testGrammarOrderAndBoxes() throws {
        var constraint = try LayoutConstraint(keywords: nil)
        XCTAssertEqual(constraint.allowedTokens(), Array(LayoutTokenizer.xToken(0)...LayoutTokenizer.xToken(127)))
        XCTAssertEqual(constraint.minimumTokensToComplete, 6)
        try constraint.advance(LayoutTokenizer.xToken(40))
        XCTAssertEqual(constraint.allowedTokens(), Array(LayoutTokenizer.yToken(0)...LayoutTokenizer.yToken(127)))
        try constraint.advance(LayoutTokenizer.yToken(100))
        XCTAssertEqual(constraint.allowedTokens(), Array(LayoutTokenizer.xToken(41)...LayoutTokenizer.xToken(128)))
        XCTAssertThrowsError(try constraint.advance(LayoutTokenizer.xToken(40)))
        try constraint.advance(LayoutTokenizer.xToken(41))
        XCTAssertEqual(constraint.allowedTokens(), Array(LayoutTokenizer.yToken(101)...LayoutTokenizer.yToken(128)))
        try constraint.advance(LayoutTokenizer.yToken(128))
        XCTAssertFalse(constraint.allows(LayoutTokenizer.eosID), "a line needs a character")
        XCTAssertFalse(constraint.allows(LayoutTokenizer.xToken(3)))

        // Leaving room: boxes at least 10 wide and 4 high.
        var roomy = try LayoutConstraint(keywords: nil, minimumBoxWidth: 10, minimumBoxHeight: 4)
        XCTAssertEqual(roomy.allowedTokens().last, LayoutTokenizer.xToken(118))
        try roomy.advance(LayoutTokenizer.xToken(100))
        XCTAssertEqual(roomy.allowedTokens().last, LayoutTokenizer.yToken(124))
        try roomy.advance(LayoutTokenizer.yToken(20))
        XCTAssertEqual(roomy.allowedTokens().first, LayoutTokenizer.xToken(110))
        try roomy.advance(LayoutTokenizer.xToken(110))
        XCTAssertEqual(roomy.allowedTokens().first, LayoutTokenizer.yToken(24))
        XCTAssertThrowsError(try LayoutConstraint(keywords: nil, minimumBoxWidth: 0))
    }

    func testFreeTextIsValidUTF8WithoutLineBreaks() throws {
        var constraint = try LayoutConstraint(keywords: nil)
        for token in S.lineTokens("") { try constraint.advance(token) }
        let start = Set(constraint.allowedTokens())
        for forbidden: UInt8 in [0x00, 0x09, 0x0A, 0x0D, 0x1F, 0x7F, 0x80, 0xBF, 0xC0, 0xC1, 0xF5, 0xFF] {
            XCTAssertFalse(start.contains(LayoutTokenizer.byteToken(forbidden)), "byte \(forbidden)")
        }
        XCTAssertTrue(start.contains(LayoutTokenizer.byteToken(0x20)))
        XCTAssertTrue(start.contains(LayoutTokenizer.byteToken(0xE5)))
        XCTAssertFalse(start.contains(LayoutTokenizer.eosID))
        // A lead byte needs its continuations before the line can end.
        try constraint.advance(LayoutTokenizer.byteToken(0xE5))
        XCTAssertEqual(constraint.allowedTokens(), (UInt8(0x80)...0xBF).map { LayoutTokenizer.byteToken($0) })
        try constraint.advance(LayoutTokenizer.byteToken(0xA4))
        XCTAssertFalse(constraint.allows(LayoutTokenizer.eosID))
        try constraint.advance(LayoutTokenizer.byteToken(0x8F))   // 复
        XCTAssertTrue(constraint.allows(LayoutTokenizer.eosID))
        // Overlong / surrogate / out-of-range second bytes, C1 controls, U+2028.
        func allowedAfter(_ bytes: [UInt8]) throws -> Set<UInt8> {
            var c = try LayoutConstraint(keywords: nil)
            for token in S.lineTokens("") { try c.advance(token) }
            for byte in bytes { try c.advance(LayoutTokenizer.byteToken(byte)) }
            return Set(c.allowedTokens().compactMap(LayoutTokenizer.byte(of:)))
        }
        XCTAssertEqual(try allowedAfter([0xE0]), Set(0xA0...0xBF))
        XCTAssertEqual(try allowedAfter([0xED]), Set(0x80...0x9F))
        XCTAssertEqual(try allowedAfter([0xF0]), Set(0x90...0xBF))
        XCTAssertEqual(try allowedAfter([0xF4]), Set(0x80...0x8F))
        XCTAssertEqual(try allowedAfter([0xC2]), Set(0xA0...0xBF), "no C1 controls (U+0085 is a line break)")
        XCTAssertFalse(try allowedAfter([0xE2, 0x80]).contains(0xA8), "no U+2028")
        XCTAssertFalse(try allowedAfter([0xE2, 0x80]).contains(0xA9), "no U+2029")
        XCTAssertTrue(try allowedAfter([0xE2, 0x80]).contains(0xA6), "… is fine")
    }

    func testUpfrontKeywordChecks() {
        XCTAssertThrowsError(try LayoutConstraint(keywords: (1...9).map { "k\($0)" })) { error in
            XCTAssertTrue("\(error)".contains("9 keywords cannot fit in at most 8 lines"), "\(error)")
        }
        XCTAssertNoThrow(try LayoutConstraint(keywords: (1...8).map { "k\($0)" }))
        XCTAssertThrowsError(try LayoutConstraint(keywords: ["a", "b", "c"], maximumLines: 2))
        XCTAssertThrowsError(try LayoutConstraint(keywords: ["ok", ""])) { error in
            XCTAssertTrue("\(error)".contains("keyword 2 is empty"), "\(error)")
        }
        XCTAssertThrowsError(try LayoutConstraint(keywords: ["  "]))
        XCTAssertThrowsError(try LayoutConstraint(keywords: ["two\nlines"])) { error in
            XCTAssertTrue("\(error)".contains("line break"), "\(error)")
        }
        XCTAssertThrowsError(try LayoutConstraint(keywords: nil, maximumLines: 0))
        XCTAssertNoThrow(try LayoutConstraint(keywords: [], maximumLines: 1), "no keywords: free text")
    }

    /// Random walks: every allowed token is accepted, every other refused, and
    /// the walk always ends in a layout that decodes.
    func testRandomWalksAgreeWithAdvanceAndAlwaysParse() throws {
        let keywordSets: [[String]?] = [nil, ["Summer Sale", "50% off"], ["夏季 特卖", "A"], ["a b c d"], ["Sale", "Sale Now", "Now"]]
        var random = TensorRandom(seed: 3)
        for run in 0..<60 {
            let keywords = keywordSets[run % keywordSets.count]
            let maximumLines = 3 + run % 4
            // Every third walk under the legibility rule, at 1...6 grid units per character.
            var constraint = try LayoutConstraint(keywords: keywords, maximumLines: maximumLines,
                                                  minimumCharacterWidth: run % 3 == 0 ? 1 + run % 6 : 0)
            let budget = 40 + run % 30
            var steps = 0
            while !constraint.isComplete {
                let allowed = constraint.allowedTokens(remainingTokens: budget - steps)
                XCTAssertFalse(allowed.isEmpty)
                if run < 10 {
                    let grammar = Set(constraint.allowedTokens())
                    for token in 0..<LayoutTokenizer.vocabularySize {
                        XCTAssertEqual(constraint.allows(token), grammar.contains(token), "token \(token)")
                    }
                }
                // Prefer ending lines now and then so walks have several lines.
                let enders = allowed.filter { $0 == LayoutTokenizer.eosID || LayoutTokenizer.xValue(of: $0) != nil }
                let pool = (!enders.isEmpty && random.uniform() < 0.15) ? enders : allowed
                try constraint.advance(pool[Int(random.next() % UInt64(pool.count))])
                steps += 1
            }
            XCTAssertLessThanOrEqual(steps, budget)
            let layout = try S.tokenizer.decodeLayout(constraint.tokens)
            XCTAssertLessThanOrEqual(layout.lines.count, maximumLines)
            if let keywords {
                XCTAssertTrue(S.linesSpell(layout.lines.map(\.text), keywords: keywords), "\(layout.lines.map(\.text))")
            }
        }
    }

    /// The legibility rule: boxes wide enough for the shortest piece a line can hold, full lines end at the next
    /// place they can, and where they cannot (mid-word, or at the line limit) the rule gives way.
    func testLegibilityRuleWidensBoxesAndEndsFullLines() throws {
        let x = LayoutTokenizer.xToken, y = LayoutTokenizer.yToken, space = LayoutTokenizer.byteToken(0x20)
        var c = try LayoutConstraint(keywords: ["Swim Lessons"], minimumCharacterWidth: 6)
        // "Swim" is the shortest first line: 4 characters x 6 = 24 grid units.
        XCTAssertEqual(c.allowedTokens().last, x(128 - 24))
        XCTAssertFalse(c.allows(x(128 - 23)))
        try c.advance(x(10))
        try c.advance(y(10))
        XCTAssertEqual(c.allowedTokens().first, x(34))
        XCTAssertThrowsError(try c.advance(x(33)))
        try c.advance(x(39))   // 29 wide: room for 4 characters
        try c.advance(y(30))
        for byte in "Swim".utf8 { try c.advance(LayoutTokenizer.byteToken(byte)) }
        XCTAssertFalse(c.allowedTokens().contains(space), "the box is full: the line ends at the space")
        XCTAssertThrowsError(try c.advance(space)) { XCTAssertTrue("\($0)".contains("box is full"), "\($0)") }
        // The next line holds "Lessons": 7 x 6 = 42 wide, so it starts at x86 at the latest.
        XCTAssertTrue(c.allowedTokens().contains(x(86)))
        XCTAssertFalse(c.allows(x(87)))
        try c.advance(x(10))
        try c.advance(y(40))
        XCTAssertEqual(c.allowedTokens().first, x(52))
        try c.advance(x(60))
        try c.advance(y(60))
        for byte in "Lessons".utf8 { try c.advance(LayoutTokenizer.byteToken(byte)) }
        try c.advance(LayoutTokenizer.eosID)
        XCTAssertEqual(try S.tokenizer.decodeLayout(c.tokens).lines.map(\.text), ["Swim", "Lessons"])

        // Off by default: the same narrow box takes the whole keyword.
        XCTAssertNil(try feed(["Swim Lessons"], keywords: ["Swim Lessons"]))
        var off = try LayoutConstraint(keywords: ["Swim Lessons"])
        for token in [x(10), y(10), x(39), y(30)] + "Swim".utf8.map(LayoutTokenizer.byteToken) { try off.advance(token) }
        XCTAssertTrue(off.allows(space))

        // At the line limit the full line cannot end, so it goes on; long words ask for at most the widest box.
        var limited = try LayoutConstraint(keywords: ["Swim Lessons"], maximumLines: 1, minimumCharacterWidth: 6)
        for token in [x(10), y(10), x(39), y(30)] + "Swim".utf8.map(LayoutTokenizer.byteToken) { try limited.advance(token) }
        XCTAssertTrue(limited.allows(space))
        let long = try LayoutConstraint(keywords: [String(repeating: "w", count: 30)], minimumCharacterWidth: 6)
        XCTAssertEqual(long.allowedTokens().last, x(128 - LayoutConstraint.widestRequiredBox))
        XCTAssertThrowsError(try LayoutConstraint(keywords: ["A"], minimumCharacterWidth: 129))
    }

    func testPromptKeywordExtraction() {
        XCTAssertEqual(PromptKeywords.extract(from: "a poster of a beach with the text 'Summer Sale'"), ["Summer Sale"])
        XCTAssertEqual(PromptKeywords.extract(from: "poster with words \"Summer Sale\" and '50% off'"), ["Summer Sale", "50% off"])
        XCTAssertEqual(PromptKeywords.extract(from: "a logo that says 'Don't Stop' in red"), ["Don't Stop"])
        XCTAssertEqual(PromptKeywords.extract(from: "Don't miss the cats' show 'Meow' at Joe's"), ["Meow"])
        XCTAssertEqual(PromptKeywords.extract(from: "the 90's party, text: 'Retro'"), ["Retro"])
        XCTAssertEqual(PromptKeywords.extract(from: "a cover saying “夏季特卖” and ‘全场五折’"), ["夏季特卖", "全场五折"])
        XCTAssertEqual(PromptKeywords.extract(from: "no quotes here"), [])
        XCTAssertEqual(PromptKeywords.extract(from: "empty '' and ' spaced ' and unclosed 'oops"), [])
        XCTAssertEqual(PromptKeywords.extract(from: "'Grand   Opening\n2024'"), ["Grand Opening 2024"])
        XCTAssertEqual(PromptKeywords.extract(from: "'Rock'n'Roll' night"), ["Rock'n'Roll"])
        XCTAssertEqual(PromptKeywords.extract(from: "sign: \"It's 5 o'clock\"."), ["It's 5 o'clock"])
        XCTAssertEqual(PromptKeywords.parseList("Summer Sale / 50% off//"), ["Summer Sale", "50% off"])
    }
}
