import LayoutLM

/// TextDiffuser's MARIO-Eval OCR metrics (REFERENCE 4): ground truth is the
/// words inside the prompt's quotes split on spaces, predictions the OCR's
/// words, both lower-cased. Per image: precision = matched / predicted,
/// recall = matched / ground truth (multiset matching), accuracy = 1 when the
/// sorted concatenations are equal. P and R are averaged over images, then
/// F = 2PR / (P + R).
public enum MARIOEval {
    public struct ImageScore: Sendable, Equatable, Codable {
        public var precision: Double
        public var recall: Double
        public var accuracy: Double
    }

    public static func groundTruth(prompt: String) -> [String] {
        PromptKeywords.extract(from: prompt).flatMap { $0.split(separator: " ").map { $0.lowercased() } }
    }

    public static func score(predicted: [String], truth: [String]) -> ImageScore {
        let predicted = predicted.map { $0.lowercased() }, truth = truth.map { $0.lowercased() }
        var remaining: [String: Int] = [:]
        for word in truth { remaining[word, default: 0] += 1 }
        var matched = 0
        for word in predicted where (remaining[word] ?? 0) > 0 {
            remaining[word]! -= 1
            matched += 1
        }
        let precision = predicted.isEmpty ? 0 : Double(matched) / Double(predicted.count)
        let recall = truth.isEmpty ? 0 : Double(matched) / Double(truth.count)
        let accuracy = predicted.sorted().joined() == truth.sorted().joined() ? 1.0 : 0
        return ImageScore(precision: precision, recall: recall, accuracy: accuracy)
    }

    public struct Summary: Sendable, Equatable, Codable {
        public var images: Int
        public var precision: Double
        public var recall: Double
        public var f: Double
        public var accuracy: Double
    }

    public static func summarize(_ scores: [ImageScore]) -> Summary {
        let n = Double(max(1, scores.count))
        let p = scores.map(\.precision).reduce(0, +) / n, r = scores.map(\.recall).reduce(0, +) / n
        return Summary(images: scores.count, precision: p, recall: r, f: p + r > 0 ? 2 * p * r / (p + r) : 0,
                       accuracy: scores.map(\.accuracy).reduce(0, +) / n)
    }
}

/// AnyText's line metrics on each planned box: sentence accuracy (the OCR of
/// the box crop equals the line's text exactly, whitespace collapsed) and
/// normalised edit distance, 1 − Levenshtein / max(length) (1 is perfect).
public enum LineMetrics {
    public static func normalize(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    public static func isExact(_ predicted: String, _ truth: String) -> Bool { normalize(predicted) == normalize(truth) }

    public static func normalizedEditDistance(_ predicted: String, _ truth: String) -> Double {
        let a = Array(normalize(predicted)), b = Array(normalize(truth))
        let longest = max(a.count, b.count)
        guard longest > 0 else { return 1 }
        return 1 - Double(levenshtein(a, b)) / Double(longest)
    }

    static func levenshtein(_ a: [Character], _ b: [Character]) -> Int {
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count), current = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
