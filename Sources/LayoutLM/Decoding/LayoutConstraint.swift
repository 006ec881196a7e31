import PosterCore

/// Constrained decoding, the planner's guarantee: a state machine fed the
/// generated layout tokens one at a time that answers which token ids may come
/// next, so that what the model writes always parses into a valid `Layout`.
///
/// Grammar: per line `[xL]` `[yT]` `[xR]` `[yB]` (R >= L + minimumBoxWidth,
/// B >= T + minimumBoxHeight), then one or more characters as valid UTF-8
/// (no control characters or line breaks), then the next line's `[xL]` or
/// `<eos>`; 1...maximumLines lines.
///
/// With keywords, the lines spell exactly those keywords, each exactly once,
/// nothing else, in any order; a keyword may be split over consecutive lines
/// only at its spaces (the space itself is dropped: joining the pieces with a
/// space gives the keyword back). `<eos>` is allowed only once every keyword is
/// spelled, and a line may start only when the remaining keywords still fit in
/// `maximumLines`.
///
/// Given a remaining token budget, `allowedTokens(remainingTokens:)` also keeps
/// only tokens after which the layout can still be finished within the budget.
///
/// Legibility (keywords only, `minimumCharacterWidth` > 0): a line's box is at
/// least that many grid units wide per character of the shortest piece the
/// line can hold (the next word of a split keyword, or the first word of an
/// unused one; at most `widestRequiredBox`), and once a line holds as many
/// characters as its width allows, it must end wherever it can (a keyword's end
/// or one of its spaces). Where it cannot end (mid-word) it goes on, so the
/// rule never blocks a layout. Why: the planner learnt small subtitle boxes
/// from the synthetic posters and put whole words in them at a few pixels per
/// letter, which no generated poster draws legibly.
public struct LayoutConstraint: Sendable {
    public let keywords: [String]?
    public let maximumLines: Int
    public let minimumBoxWidth: Int
    public let minimumBoxHeight: Int
    /// Grid units of box width per character (0: no legibility rule).
    public let minimumCharacterWidth: Int
    /// The widest box the legibility rule asks for (grid units): long words may still shrink below the rule.
    public static let widestRequiredBox = 108

    /// The layout tokens accepted so far.
    public private(set) var tokens: [Int] = []
    /// Lines begun so far (the current one included).
    public private(set) var linesStarted = 0
    /// True once `<eos>` was accepted.
    public var isComplete: Bool { phase == .complete }

    enum Phase: Sendable, Equatable { case left, top, right, bottom, text, complete }
    var phase: Phase = .left
    var box: [Int] = []
    var lineBytes = 0
    /// Characters (UTF-8 lead bytes) on the current line.
    var lineCharacters = 0
    // Free text: the UTF-8 sequence in progress.
    var pendingContinuations = 0
    var scalarSoFar: UInt32 = 0
    var nextContinuation: ClosedRange<UInt8> = 0x80...0xBF
    // Keywords.
    let keywordBytes: [[UInt8]]
    let allKeywords: UInt64
    var hypotheses: [Hypothesis]

    /// One reading of the lines so far: which keywords are finished, and which
    /// one the current (or next, when pending) line is spelling and how far.
    struct Hypothesis: Hashable, Sendable {
        var used: UInt64
        var active: Int      // -1: none yet (a fresh line picks any unused keyword)
        var offset: Int
    }

    static let byteTokens = LayoutTokenizer.byteOffset..<(LayoutTokenizer.byteOffset + LayoutTokenizer.byteCount)

    // MARK: - Setup

    /// - Parameters:
    ///   - keywords: the texts the lines must spell (nil or empty: any text).
    ///   - maximumLines: the most lines a layout may have (>= 1).
    ///   - minimumBoxWidth, minimumBoxHeight: the smallest box, in grid units (1...128),
    ///     to leave room for the text.
    ///   - minimumCharacterWidth: the legibility rule's grid units per character (0: off).
    public init(keywords: [String]?, maximumLines: Int = 8,
                minimumBoxWidth: Int = 1, minimumBoxHeight: Int = 1, minimumCharacterWidth: Int = 0) throws(LayoutConstraintError) {
        let keywords = (keywords?.isEmpty ?? true) ? nil : keywords
        try Self.validate(keywords: keywords ?? [], maximumLines: maximumLines)
        for (name, value) in [("minimumBoxWidth", minimumBoxWidth), ("minimumBoxHeight", minimumBoxHeight)]
            where !(1...GridBox.gridSize).contains(value) {
            throw LayoutConstraintError("\(name) \(value) is out of range: expected 1...\(GridBox.gridSize)")
        }
        guard (0...GridBox.gridSize).contains(minimumCharacterWidth) else {
            throw LayoutConstraintError("minimumCharacterWidth \(minimumCharacterWidth) is out of range: expected 0...\(GridBox.gridSize)")
        }
        self.minimumCharacterWidth = minimumCharacterWidth
        self.keywords = keywords
        self.maximumLines = maximumLines
        self.minimumBoxWidth = minimumBoxWidth
        self.minimumBoxHeight = minimumBoxHeight
        keywordBytes = (keywords ?? []).map { Array($0.utf8) }
        allKeywords = keywordBytes.isEmpty ? 0 : (keywordBytes.count == 64 ? ~0 : (UInt64(1) << UInt64(keywordBytes.count)) - 1)
        hypotheses = [Hypothesis(used: 0, active: -1, offset: 0)]
    }

    /// The upfront check: throws a clear error when the keywords cannot be
    /// planned (an empty keyword, one with a line break, or more keywords than
    /// `maximumLines`, since each needs at least one line even unsplit).
    public static func validate(keywords: [String], maximumLines: Int) throws(LayoutConstraintError) {
        guard maximumLines >= 1 else {
            throw LayoutConstraintError("maximumLines is \(maximumLines): a layout needs at least one line")
        }
        for (index, keyword) in keywords.enumerated() {
            if keyword.isEmpty || keyword.allSatisfy(\.isWhitespace) {
                throw LayoutConstraintError("keyword \(index + 1) is empty: every keyword needs at least one visible character")
            }
            if keyword.contains(where: \.isNewline) {
                throw LayoutConstraintError("keyword \(index + 1) \"\(keyword.debugDescription.dropFirst().dropLast())\" contains a line break: pass each line as its own keyword")
            }
        }
        if keywords.count > maximumLines {
            throw LayoutConstraintError("\(keywords.count) keywords cannot fit in at most \(maximumLines) lines: each keyword needs at least one line; drop keywords or raise the line limit")
        }
        if keywords.count > 64 {
            throw LayoutConstraintError("\(keywords.count) keywords: at most 64 are supported")
        }
    }

    // MARK: - Queries

    /// The token ids allowed next, ascending (empty once complete).
    /// `remainingTokens`, when given, is how many tokens may still be generated
    /// (this one included): tokens after which the layout could not be finished
    /// within that many are left out.
    public func allowedTokens(remainingTokens: Int? = nil) -> [Int] {
        let all = grammarAllowedTokens()
        guard let budget = remainingTokens else { return all }
        let slack = 8 + 4 * maximumLines
        if budget >= minimumTokensToComplete + 1 + slack { return all }
        return all.filter { token in
            var copy = self
            guard (try? copy.advance(token)) != nil else { return false }
            return 1 + copy.minimumTokensToComplete <= budget
        }
    }

    /// The allowed tokens as a mask over `size` ids (the vocabulary by default).
    public func allowedMask(size: Int = LayoutTokenizer.vocabularySize, remainingTokens: Int? = nil) -> [Bool] {
        var mask = [Bool](repeating: false, count: size)
        for token in allowedTokens(remainingTokens: remainingTokens) where token < size { mask[token] = true }
        return mask
    }

    /// Whether `token` may come next (grammar only, no budget).
    public func allows(_ token: Int) -> Bool {
        var copy = self
        return (try? copy.advance(token)) != nil
    }

    /// The fewest tokens (`<eos>` included) that can still finish the layout.
    public var minimumTokensToComplete: Int {
        let coordinatesLeft: Int
        switch phase {
        case .complete: return 0
        case .left: coordinatesLeft = 4
        case .top: coordinatesLeft = 3
        case .right: coordinatesLeft = 2
        case .bottom: coordinatesLeft = 1
        case .text: coordinatesLeft = 0
        }
        if keywordBytes.isEmpty {
            if phase != .text { return coordinatesLeft + 2 }
            if pendingContinuations > 0 { return pendingContinuations + 1 }
            return lineBytes == 0 ? 2 : 1
        }
        return coordinatesLeft + (hypotheses.map(textCost).min() ?? 0)
    }

    /// Tokens to finish one reading from the current line's text on.
    func textCost(_ h: Hypothesis) -> Int {
        var cost = 1 // <eos>
        var others = 0
        for k in keywordBytes.indices where h.used & (1 << UInt64(k)) == 0 && k != h.active {
            cost += 4 + keywordBytes[k].count
            others += 1
        }
        if h.active >= 0 { return cost + keywordBytes[h.active].count - h.offset }
        // A fresh line takes one of the unused keywords without new coordinates.
        return others == 0 ? Int.max / 4 : cost - 4
    }

    /// Lines still needed after the current line, for a reading at a line end.
    func linesNeeded(_ h: Hypothesis) -> Int {
        var count = h.active >= 0 ? 1 : 0
        for k in keywordBytes.indices where h.used & (1 << UInt64(k)) == 0 && k != h.active { count += 1 }
        return count
    }

    func grammarAllowedTokens() -> [Int] {
        let x = LayoutTokenizer.xOffset, y = LayoutTokenizer.yOffset, grid = GridBox.gridSize
        switch phase {
        case .complete: return []
        case .left: return Array(x...(x + grid - requiredWidth(hypotheses)))
        case .top: return Array(y...(y + grid - minimumBoxHeight))
        case .right: return Array((x + box[0] + requiredWidth(hypotheses))...(x + grid))
        case .bottom: return Array((y + box[1] + minimumBoxHeight)...(y + grid))
        case .text: break
        }
        var allowed: [Int] = []
        let atCharacterEnd = lineBytes > 0 && pendingContinuations == 0
        let canEndLayout = atCharacterEnd && canEnd()
        // Readings that can go on to a new line here (computed once: the new-line tokens and the legibility rule both need them).
        let nextLines = atCharacterEnd && linesStarted < maximumLines && !keywordBytes.isEmpty ? nextLineHypotheses() : []
        let canStartNewLine = atCharacterEnd && linesStarted < maximumLines && (keywordBytes.isEmpty || !nextLines.isEmpty)
        if canEndLayout { allowed.append(LayoutTokenizer.eosID) }
        if keywordBytes.isEmpty {
            if pendingContinuations > 0 {
                for b in nextContinuation where continuationAllowed(b) { allowed.append(LayoutTokenizer.byteToken(b)) }
            } else {
                for b in UInt8(0x20)...0x7E { allowed.append(LayoutTokenizer.byteToken(b)) }
                for b in UInt8(0xC2)...0xF4 { allowed.append(LayoutTokenizer.byteToken(b)) }
            }
        } else {
            var bytes = Set<UInt8>()
            for h in hypotheses {
                if h.active >= 0 {
                    let word = keywordBytes[h.active]
                    if h.offset < word.count { bytes.insert(word[h.offset]) }
                } else {
                    for k in keywordBytes.indices where h.used & (1 << UInt64(k)) == 0 { bytes.insert(keywordBytes[k][0]) }
                }
            }
            let canBreak = canEndLayout || canStartNewLine
            allowed += bytes.sorted().filter { !lineIsFull(before: $0, canBreak: canBreak) }.map(LayoutTokenizer.byteToken)
        }
        if canStartNewLine {
            let required = keywordBytes.isEmpty ? minimumBoxWidth : requiredWidth(nextLines)
            allowed += Array(x...(x + grid - required))
        }
        return allowed
    }

    /// The narrowest box the next line may have: `minimumBoxWidth`, or with the
    /// legibility rule the width its shortest possible piece needs.
    func requiredWidth(_ readings: [Hypothesis]) -> Int {
        guard minimumCharacterWidth > 0, !keywordBytes.isEmpty, !readings.isEmpty else { return minimumBoxWidth }
        let shortest = readings.map { h -> Int in
            if h.active >= 0 { return Self.pieceCharacters(keywordBytes[h.active], from: h.offset) }
            return keywordBytes.indices.filter { h.used & (1 << UInt64($0)) == 0 }
                .map { Self.pieceCharacters(keywordBytes[$0], from: 0) }.min() ?? 1
        }.min() ?? 1
        return max(minimumBoxWidth, min(Self.widestRequiredBox, shortest * minimumCharacterWidth))
    }

    /// Characters from `offset` up to the next space or the keyword's end: the shortest line that can start there.
    static func pieceCharacters(_ word: [UInt8], from offset: Int) -> Int {
        var count = 0
        var i = offset
        while i < word.count && word[i] != 0x20 {
            if word[i] & 0xC0 != 0x80 { count += 1 }
            i += 1
        }
        return max(1, count)
    }

    /// With the legibility rule: true when `byte` would start a character the
    /// line's box has no width for while the line could end here instead
    /// (`canBreak`, when the caller already knows it).
    func lineIsFull(before byte: UInt8, canBreak: Bool? = nil) -> Bool {
        guard minimumCharacterWidth > 0, !keywordBytes.isEmpty, box.count == 4, byte & 0xC0 != 0x80 else { return false }
        guard (lineCharacters + 1) * minimumCharacterWidth > box[2] - box[0] else { return false }
        return lineBytes > 0 && (canBreak ?? (canEnd() || canStartLine()))
    }

    func canEnd() -> Bool {
        if keywordBytes.isEmpty { return true }
        return hypotheses.contains { h in
            guard let e = lineEnd(h) else { return false }
            return e.active < 0 && e.used == allKeywords
        }
    }

    func canStartLine() -> Bool {
        guard linesStarted < maximumLines else { return false }
        if keywordBytes.isEmpty { return true }
        return !nextLineHypotheses().isEmpty
    }

    /// The reading after the current line ends here, or nil when it cannot end here.
    func lineEnd(_ h: Hypothesis) -> Hypothesis? {
        guard h.active >= 0 else { return nil }
        let word = keywordBytes[h.active]
        if h.offset == word.count {
            return Hypothesis(used: h.used | (1 << UInt64(h.active)), active: -1, offset: 0)
        }
        if h.offset > 0, word[h.offset] == 0x20, h.offset + 1 < word.count {
            return Hypothesis(used: h.used, active: h.active, offset: h.offset + 1)
        }
        return nil
    }

    /// Readings that can go on to a new line now, within the line limit.
    func nextLineHypotheses() -> [Hypothesis] {
        var seen = Set<Hypothesis>()
        var result: [Hypothesis] = []
        for h in hypotheses {
            guard let e = lineEnd(h) else { continue }
            let needed = linesNeeded(e)
            guard needed >= 1, linesStarted + needed <= maximumLines else { continue }
            if seen.insert(e).inserted { result.append(e) }
        }
        return result
    }

    func continuationAllowed(_ b: UInt8) -> Bool {
        guard nextContinuation.contains(b) else { return false }
        if pendingContinuations == 1 {
            let scalar = (scalarSoFar << 6) | UInt32(b & 0x3F)
            if Self.forbiddenScalars.contains(scalar) { return false }
        }
        return true
    }

    /// Line and paragraph separators (a layout line holds one line of text).
    /// C0/C1 controls are excluded by byte ranges.
    static let forbiddenScalars: Set<UInt32> = [0x2028, 0x2029]

    // MARK: - Advancing

    /// Accepts the next generated token; throws (and leaves the state as it
    /// was) when the grammar or the keywords do not allow it.
    public mutating func advance(_ token: Int) throws(LayoutConstraintError) {
        let position = tokens.count
        func reject(_ why: String) -> LayoutConstraintError {
            LayoutConstraintError("layout token \(position) \(LayoutTokenizer().token(token)): \(why)", position: position)
        }
        let x = LayoutTokenizer.xValue(of: token), y = LayoutTokenizer.yValue(of: token)
        switch phase {
        case .complete:
            throw reject("the layout is already complete (after <eos>)")
        case .left:
            guard let x else { throw reject("expected [xN] (left)") }
            let required = requiredWidth(hypotheses)
            guard x <= GridBox.gridSize - required else { throw reject("left leaves no room for a box at least \(required) wide") }
            linesStarted = 1
            box = [x]
            phase = .top
        case .top:
            guard let y else { throw reject("expected [yN] (top)") }
            guard y <= GridBox.gridSize - minimumBoxHeight else { throw reject("top leaves no room for a box at least \(minimumBoxHeight) high") }
            box.append(y)
            phase = .right
        case .right:
            guard let x else { throw reject("expected [xN] (right)") }
            let required = requiredWidth(hypotheses)
            guard x >= box[0] + required else { throw reject("right must be at least left [x\(box[0])] + \(required)") }
            box.append(x)
            phase = .bottom
        case .bottom:
            guard let y else { throw reject("expected [yN] (bottom)") }
            guard y >= box[1] + minimumBoxHeight else { throw reject("bottom must be at least top [y\(box[1])] + \(minimumBoxHeight)") }
            box.append(y)
            phase = .text
            lineBytes = 0
            lineCharacters = 0
        case .text:
            if let byte = LayoutTokenizer.byte(of: token) {
                try acceptByte(byte, reject: reject)
            } else if token == LayoutTokenizer.eosID {
                guard lineBytes > 0 else { throw reject("the line has no characters yet") }
                guard pendingContinuations == 0 else { throw reject("a UTF-8 character is unfinished") }
                if !keywordBytes.isEmpty {
                    let finals = hypotheses.compactMap(lineEnd).filter { $0.active < 0 && $0.used == allKeywords }
                    guard let final = finals.first else { throw reject("not every keyword is spelled yet (\(missingDescription()))") }
                    hypotheses = [final]
                }
                phase = .complete
            } else if let x {
                guard lineBytes > 0 else { throw reject("the line has no characters yet") }
                guard pendingContinuations == 0 else { throw reject("a UTF-8 character is unfinished") }
                guard linesStarted < maximumLines else { throw reject("at most \(maximumLines) lines") }
                if !keywordBytes.isEmpty {
                    let next = nextLineHypotheses()
                    guard !next.isEmpty else {
                        throw reject("the line cannot end here: it must end at a keyword's end or at a space inside one, and the remaining keywords must fit in \(maximumLines) lines")
                    }
                    let required = requiredWidth(next)
                    guard x <= GridBox.gridSize - required else { throw reject("left leaves no room for a box at least \(required) wide") }
                    hypotheses = next
                } else {
                    guard x <= GridBox.gridSize - minimumBoxWidth else { throw reject("left leaves no room for a box at least \(minimumBoxWidth) wide") }
                }
                linesStarted += 1
                box = [x]
                lineBytes = 0
                phase = .top
            } else {
                throw reject("expected a character byte, [xN] for a new line, or <eos>")
            }
        }
        tokens.append(token)
    }

    private mutating func acceptByte(_ byte: UInt8, reject: (String) -> LayoutConstraintError) throws(LayoutConstraintError) {
        if lineIsFull(before: byte) {
            throw reject("the line's box is full: \(lineCharacters) characters at \(minimumCharacterWidth) grid units each; the line must end here")
        }
        if keywordBytes.isEmpty {
            if pendingContinuations > 0 {
                guard continuationAllowed(byte) else { throw reject("not a valid UTF-8 continuation here") }
                scalarSoFar = (scalarSoFar << 6) | UInt32(byte & 0x3F)
                pendingContinuations -= 1
                nextContinuation = 0x80...0xBF
            } else {
                switch byte {
                case 0x20...0x7E: break
                case 0xC2...0xDF:
                    pendingContinuations = 1; scalarSoFar = UInt32(byte & 0x1F)
                    nextContinuation = byte == 0xC2 ? 0xA0...0xBF : 0x80...0xBF // no C1 controls
                case 0xE0...0xEF:
                    pendingContinuations = 2; scalarSoFar = UInt32(byte & 0x0F)
                    nextContinuation = byte == 0xE0 ? 0xA0...0xBF : (byte == 0xED ? 0x80...0x9F : 0x80...0xBF)
                case 0xF0...0xF4:
                    pendingContinuations = 3; scalarSoFar = UInt32(byte & 0x07)
                    nextContinuation = byte == 0xF0 ? 0x90...0xBF : (byte == 0xF4 ? 0x80...0x8F : 0x80...0xBF)
                default:
                    throw reject(byte < 0x20 || byte == 0x7F ? "control characters are not allowed in a line"
                                                              : "not a valid UTF-8 lead byte")
                }
            }
        } else {
            var next = Set<Hypothesis>()
            var ordered: [Hypothesis] = []
            for h in hypotheses {
                if h.active >= 0 {
                    let word = keywordBytes[h.active]
                    if h.offset < word.count, word[h.offset] == byte {
                        let e = Hypothesis(used: h.used, active: h.active, offset: h.offset + 1)
                        if next.insert(e).inserted { ordered.append(e) }
                    }
                } else {
                    for k in keywordBytes.indices where h.used & (1 << UInt64(k)) == 0 && keywordBytes[k][0] == byte {
                        let e = Hypothesis(used: h.used, active: k, offset: 1)
                        if next.insert(e).inserted { ordered.append(e) }
                    }
                }
            }
            guard !ordered.isEmpty else { throw reject("does not continue any keyword (\(missingDescription()))") }
            hypotheses = ordered
        }
        lineBytes += 1
        if byte & 0xC0 != 0x80 { lineCharacters += 1 }
    }

    private func missingDescription() -> String {
        guard let keywords else { return "" }
        let used = hypotheses.reduce(allKeywords) { $0 & $1.used }
        let missing = keywords.indices.filter { used & (1 << UInt64($0)) == 0 }.map { "\"\(keywords[$0])\"" }
        return missing.isEmpty ? "keywords: \(keywords.map { "\"\($0)\"" }.joined(separator: ", "))"
                               : "still to spell: \(missing.joined(separator: ", "))"
    }
}

/// A keyword list that cannot be planned, or a token the constraint refuses.
public struct LayoutConstraintError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    /// The layout token index a refused token had, when the error is about one.
    public var position: Int?

    public init(_ message: String, position: Int? = nil) {
        self.message = message
        self.position = position
    }

    public var description: String { message }
}
