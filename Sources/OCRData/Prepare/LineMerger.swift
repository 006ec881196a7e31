/// Merges OCR words into text lines, the rule family TextDiffuser-2 uses to
/// build its layout data: two words are on one line when their vertical spans
/// overlap enough, their heights are alike, and the horizontal gap between
/// them is small relative to their height.
public struct LineMerger: Sendable, Codable {
    /// Vertical overlap needed, as a fraction of the shorter word's height.
    public var minimumVerticalOverlap: Double
    /// Largest gap between neighbouring words, in units of the taller word's height.
    public var maximumGap: Double
    /// Largest ratio between the heights of words on one line.
    public var maximumHeightRatio: Double

    enum CodingKeys: String, CodingKey {
        case minimumVerticalOverlap = "min_vertical_overlap", maximumGap = "max_gap", maximumHeightRatio = "max_height_ratio"
    }

    public init(minimumVerticalOverlap: Double = 0.5, maximumGap: Double = 1.0, maximumHeightRatio: Double = 2.0) {
        self.minimumVerticalOverlap = minimumVerticalOverlap
        self.maximumGap = maximumGap
        self.maximumHeightRatio = maximumHeightRatio
    }

    /// A word or line: text and pixel box (left, top, right, bottom).
    public struct Item: Hashable, Sendable {
        public var text: String
        public var left: Double
        public var top: Double
        public var right: Double
        public var bottom: Double

        public init(text: String, left: Double, top: Double, right: Double, bottom: Double) {
            self.text = text
            self.left = left
            self.top = top
            self.right = right
            self.bottom = bottom
        }

        var height: Double { bottom - top }
    }

    /// Lines in reading order (top to bottom, then left to right), each with
    /// its words joined by single spaces left to right and the union box.
    public func merge(_ words: [Item]) -> [Item] {
        var lines: [[Item]] = []
        // Left to right, so each word is tried against the right end of the lines so far.
        let ordered = words.enumerated().sorted { ($0.element.left, $0.element.top, $0.offset) < ($1.element.left, $1.element.top, $1.offset) }.map(\.element)
        for word in ordered {
            var best: (index: Int, gap: Double)? = nil
            for (index, line) in lines.enumerated() {
                let last = line[line.count - 1]
                guard joins(last, word) else { continue }
                let gap = word.left - last.right
                if best == nil || gap < best!.gap { best = (index, gap) }
            }
            if let best { lines[best.index].append(word) } else { lines.append([word]) }
        }
        let merged = lines.map { words in
            Item(text: words.map(\.text).joined(separator: " "),
                 left: words.map(\.left).min()!, top: words.map(\.top).min()!,
                 right: words.map(\.right).max()!, bottom: words.map(\.bottom).max()!)
        }
        return merged.sorted { ($0.top, $0.left) < ($1.top, $1.left) }
    }

    func joins(_ a: Item, _ b: Item) -> Bool {
        let shorter = min(a.height, b.height), taller = max(a.height, b.height)
        guard shorter > 0, taller / shorter <= maximumHeightRatio else { return false }
        let overlap = min(a.bottom, b.bottom) - max(a.top, b.top)
        guard overlap >= minimumVerticalOverlap * shorter else { return false }
        let gap = b.left - a.right
        return gap <= maximumGap * taller && gap >= -0.5 * shorter
    }
}
