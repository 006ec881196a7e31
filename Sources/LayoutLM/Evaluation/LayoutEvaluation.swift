import PosterCore

/// Quality of planned layouts against reference layouts: pure metrics over
/// (reference, prediction or failure, keywords) triples, no model involved.
///
/// Definitions (all computed by `evaluate(_:)`, summed by `Summary`):
///
/// - **Parse rate**: predictions that are a layout (not a failure) / samples.
/// - **Keywords spelled**: a layout's lines are cut into consecutive groups;
///   a group whose texts joined with single spaces equal a still-unused
///   keyword spells it (a keyword split over lines at its spaces, as the
///   decoding constraint allows, counts once). The cut that spells the most
///   keywords wins (ties: fewer groups, then earlier/longer groups). Every line
///   in no spelling group is one spelled text that is no keyword. Texts are
///   compared exactly after collapsing whitespace runs to one space and
///   trimming; the keywords are a multiset (a keyword given twice must be
///   spelled twice). Without keywords the reference lines' texts are the keywords.
/// - **Keyword recall**: keywords spelled by the prediction / keywords
///   (a failed prediction spells none). **Precision**: keywords spelled /
///   texts spelled (spelling groups + lines outside them). Both micro-averaged
///   over the samples.
/// - **IoU**: for each keyword spelled by both the reference and the prediction
///   (the k-th copy of a keyword pairs with the k-th copy), the IoU of the union
///   of the reference group's boxes with the union of the predicted group's
///   boxes, on the 128 grid. `meanIoU` averages those matched pairs (how well
///   the boxes land when the text is right); `meanIoUWithMisses` averages over
///   every keyword the reference spells, 0 for the ones the prediction misses
///   (failed predictions included).
/// - **Overlap**: a layout overlaps when two of its line boxes intersect with
///   positive area (touching edges do not count). Rate over parsed predictions.
/// - **Illegible line** (the legibility rule): with the box scaled to a
///   512x512 canvas (4 px per grid unit, whatever the layout's canvas), a line
///   is illegible when its box is under `minimumHeightPixels` (12) high, or when
///   its width per character (every grapheme, spaces included) is under
///   `minimumPixelsPerCharacter` (5). Rate over the lines of parsed predictions.
///
/// The reference layouts get the same overlap and legibility figures, as a
/// baseline for the predicted ones.
public enum LayoutEvaluation {
    /// One evaluated pair.
    public struct Sample: Sendable {
        public var reference: Layout
        /// nil when planning failed (`failure` says why).
        public var predicted: Layout?
        public var keywords: [String]
        public var failure: String?

        public init(reference: Layout, predicted: Layout?, keywords: [String], failure: String? = nil) {
            self.reference = reference
            self.predicted = predicted
            self.keywords = keywords
            self.failure = predicted == nil ? (failure ?? "no layout") : nil
        }
    }

    /// The legibility rule's thresholds, in pixels at 512x512.
    public struct LegibilityRule: Sendable, Hashable, Codable {
        public var canvasSide: Double = 512
        public var minimumHeightPixels: Double = 12
        public var minimumPixelsPerCharacter: Double = 5
        public init(canvasSide: Double = 512, minimumHeightPixels: Double = 12, minimumPixelsPerCharacter: Double = 5) {
            self.canvasSide = canvasSide
            self.minimumHeightPixels = minimumHeightPixels
            self.minimumPixelsPerCharacter = minimumPixelsPerCharacter
        }

        /// True when the line's text cannot be legible at `canvasSide` pixels.
        public func isIllegible(_ line: LayoutLine) -> Bool {
            let scale = canvasSide / Double(GridBox.gridSize)
            let height = Double(line.box.height) * scale
            let width = Double(line.box.width) * scale
            let characters = max(1, line.text.count)
            return height < minimumHeightPixels || width / Double(characters) < minimumPixelsPerCharacter
        }
    }

    /// One sample's figures.
    public struct SampleMetrics: Sendable, Hashable, Codable {
        public var parsed: Bool
        public var keywords: Int
        /// Keywords the prediction spells.
        public var keywordsSpelled: Int
        /// Texts the prediction spells (spelling groups plus other lines).
        public var textsSpelled: Int
        /// IoU of each keyword spelled by both, in the reference's keyword order.
        public var ious: [Double]
        /// Keywords the reference itself spells (the IoU's full denominator).
        public var referenceKeywords: Int
        public var overlaps: Bool
        public var lines: Int
        public var illegibleLines: Int
        public var referenceOverlaps: Bool
        public var referenceLines: Int
        public var referenceIllegibleLines: Int

        public var keywordRecall: Double { keywords == 0 ? 1 : Double(keywordsSpelled) / Double(keywords) }
        public var meanIoU: Double? { ious.isEmpty ? nil : ious.reduce(0, +) / Double(ious.count) }
    }

    /// Figures over many samples.
    public struct Summary: Sendable, Hashable, Codable {
        public var samples = 0
        public var parsed = 0
        public var keywords = 0
        public var keywordsSpelled = 0
        public var textsSpelled = 0
        public var matchedPairs = 0
        public var iouSum = 0.0
        public var referenceKeywords = 0
        public var layoutsOverlapping = 0
        public var lines = 0
        public var illegibleLines = 0
        public var referenceLayoutsOverlapping = 0
        public var referenceLines = 0
        public var referenceIllegibleLines = 0

        public init() {}

        public init(_ metrics: [SampleMetrics]) {
            for m in metrics { add(m) }
        }

        public mutating func add(_ m: SampleMetrics) {
            samples += 1
            if m.parsed { parsed += 1 }
            keywords += m.keywords
            keywordsSpelled += m.keywordsSpelled
            textsSpelled += m.textsSpelled
            matchedPairs += m.ious.count
            iouSum += m.ious.reduce(0, +)
            referenceKeywords += m.referenceKeywords
            if m.parsed && m.overlaps { layoutsOverlapping += 1 }
            lines += m.lines
            illegibleLines += m.illegibleLines
            if m.referenceOverlaps { referenceLayoutsOverlapping += 1 }
            referenceLines += m.referenceLines
            referenceIllegibleLines += m.referenceIllegibleLines
        }

        static func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }

        public var parseRate: Double { Self.ratio(parsed, samples) }
        public var keywordRecall: Double { Self.ratio(keywordsSpelled, keywords) }
        public var keywordPrecision: Double { Self.ratio(keywordsSpelled, textsSpelled) }
        /// Mean IoU over keywords spelled by both reference and prediction.
        public var meanIoU: Double { matchedPairs == 0 ? 0 : iouSum / Double(matchedPairs) }
        /// Mean IoU over every keyword the reference spells, misses as 0.
        public var meanIoUWithMisses: Double { referenceKeywords == 0 ? 0 : iouSum / Double(referenceKeywords) }
        public var overlapRate: Double { Self.ratio(layoutsOverlapping, parsed) }
        public var illegibleLineRate: Double { Self.ratio(illegibleLines, lines) }
        public var referenceOverlapRate: Double { Self.ratio(referenceLayoutsOverlapping, samples) }
        public var referenceIllegibleLineRate: Double { Self.ratio(referenceIllegibleLines, referenceLines) }
    }

    public static func evaluate(_ samples: [Sample], rule: LegibilityRule = LegibilityRule()) -> Summary {
        Summary(samples.map { evaluate($0, rule: rule) })
    }

    public static func evaluate(_ sample: Sample, rule: LegibilityRule = LegibilityRule()) -> SampleMetrics {
        let reference = sample.reference
        var keywords = sample.keywords.map(normalize).filter { !$0.isEmpty }
        if keywords.isEmpty { keywords = reference.lines.map { normalize($0.text) } }
        let referenceSpelling = spell(reference.lines, keywords: keywords)
        var metrics = SampleMetrics(
            parsed: sample.predicted != nil, keywords: keywords.count, keywordsSpelled: 0, textsSpelled: 0, ious: [],
            referenceKeywords: referenceSpelling.groups.count, overlaps: false, lines: 0, illegibleLines: 0,
            referenceOverlaps: hasOverlap(reference), referenceLines: reference.lines.count,
            referenceIllegibleLines: reference.lines.filter(rule.isIllegible).count)
        guard let predicted = sample.predicted else { return metrics }
        let spelling = spell(predicted.lines, keywords: keywords)
        metrics.keywordsSpelled = spelling.groups.count
        metrics.textsSpelled = spelling.groups.count + spelling.unmatchedLines.count
        metrics.overlaps = hasOverlap(predicted)
        metrics.lines = predicted.lines.count
        metrics.illegibleLines = predicted.lines.filter(rule.isIllegible).count
        // Pair the k-th copy of each keyword in the reference with the k-th in the prediction.
        var predictedByKeyword: [String: [GridBox]] = [:]
        for group in spelling.groups {
            predictedByKeyword[group.keyword, default: []].append(unionBox(predicted.lines[group.lines]))
        }
        for group in referenceSpelling.groups.sorted(by: { $0.keywordIndex < $1.keywordIndex }) {
            guard var boxes = predictedByKeyword[group.keyword], !boxes.isEmpty else { continue }
            let box = boxes.removeFirst()
            predictedByKeyword[group.keyword] = boxes
            metrics.ious.append(iou(unionBox(reference.lines[group.lines]), box))
        }
        return metrics
    }

    // MARK: - Pieces (public for tests and reports)

    /// A run of consecutive lines that spells one keyword.
    public struct SpelledKeyword: Sendable, Hashable {
        public var keyword: String
        /// The keyword's index in the keyword list (its k-th copy for repeated keywords).
        public var keywordIndex: Int
        public var lines: Range<Int>
    }

    /// How lines spell keywords: the spelling groups (in line order) and the lines in none.
    public struct Spelling: Sendable, Hashable {
        public var groups: [SpelledKeyword]
        public var unmatchedLines: [Int]
        /// The keywords spelled, in line order.
        public var keywords: [String] { groups.map(\.keyword) }
    }

    /// Cuts `lines` into keyword-spelling groups: the cut spelling the most
    /// keywords (each keyword copy at most once), then with the fewest texts,
    /// then the one whose groups start earliest.
    public static func spell(_ lines: [LayoutLine], keywords: [String]) -> Spelling {
        let texts = lines.map { normalize($0.text) }
        let keywords = keywords.map(normalize)
        var remaining: [String: [Int]] = [:]   // keyword -> its unused indices, ascending
        for (index, keyword) in keywords.enumerated() { remaining[keyword, default: []].append(index) }
        let maximumKeywordLength = keywords.map(\.count).max() ?? 0

        struct Best { var spelled: Int; var texts: Int; var groups: [(String, Range<Int>)] }
        var memo: [String: Best] = [:]
        func search(_ start: Int, _ remaining: [String: [Int]]) -> Best {
            if start == texts.count { return Best(spelled: 0, texts: 0, groups: []) }
            let key = "\(start)|" + remaining.filter { !$0.value.isEmpty }.map { "\($0.key)\u{1}\($0.value.count)" }.sorted().joined(separator: "\u{2}")
            if let cached = memo[key] { return cached }
            var best: Best?
            func better(_ a: Best, than b: Best?) -> Bool {
                guard let b else { return true }
                return a.spelled > b.spelled || (a.spelled == b.spelled && a.texts < b.texts)
            }
            var joined = ""
            for end in (start + 1)...texts.count {
                joined = end == start + 1 ? texts[start] : joined + " " + texts[end - 1]
                if joined.count > maximumKeywordLength { break }
                guard let unused = remaining[joined], !unused.isEmpty else { continue }
                var rest = remaining
                rest[joined] = Array(unused.dropFirst())
                var candidate = search(end, rest)
                candidate.spelled += 1
                candidate.texts += 1
                candidate.groups.insert((joined, start..<end), at: 0)
                if better(candidate, than: best) { best = candidate }
            }
            // Line `start` outside every group: only when strictly better, so ties spell early lines.
            var skip = search(start + 1, remaining)
            skip.texts += 1
            if better(skip, than: best) { best = skip }
            memo[key] = best!
            return best!
        }
        let best = search(0, remaining)
        var covered = Set<Int>()
        var groups: [SpelledKeyword] = []
        for (keyword, range) in best.groups {
            let index = remaining[keyword]!.removeFirst()
            groups.append(SpelledKeyword(keyword: keyword, keywordIndex: index, lines: range))
            covered.formUnion(range)
        }
        return Spelling(groups: groups, unmatchedLines: texts.indices.filter { !covered.contains($0) })
    }

    /// True when two line boxes intersect with positive area.
    public static func hasOverlap(_ layout: Layout) -> Bool {
        let boxes = layout.lines.map(\.box)
        for i in boxes.indices {
            for j in boxes.indices where j > i && intersectionArea(boxes[i], boxes[j]) > 0 { return true }
        }
        return false
    }

    public static func intersectionArea(_ a: GridBox, _ b: GridBox) -> Int {
        let w = min(a.right, b.right) - max(a.left, b.left)
        let h = min(a.bottom, b.bottom) - max(a.top, b.top)
        return w > 0 && h > 0 ? w * h : 0
    }

    public static func iou(_ a: GridBox, _ b: GridBox) -> Double {
        let inter = intersectionArea(a, b)
        let union = a.width * a.height + b.width * b.height - inter
        return union > 0 ? Double(inter) / Double(union) : 0
    }

    /// The smallest box around the lines' boxes.
    public static func unionBox<C: Collection>(_ lines: C) -> GridBox where C.Element == LayoutLine {
        let boxes = lines.map(\.box)
        return GridBox(left: boxes.map(\.left).min() ?? 0, top: boxes.map(\.top).min() ?? 0,
                       right: boxes.map(\.right).max() ?? 0, bottom: boxes.map(\.bottom).max() ?? 0)
    }

    /// Whitespace runs to one space, trimmed.
    public static func normalize(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
