import Foundation

/// MARIO's `ocr.txt`: one word per line, `WORD x1,y1,x2,y2,x3,y3,x4,y4 conf`,
/// split on single spaces as TextDiffuser's loaders do (so a word holds no
/// space), confidence written with three decimals.
public enum OCRTextCodec {
    public static func encode(_ words: [MARIOWord]) -> String {
        words.map { word in
            "\(word.text) \(word.polygon.map(String.init).joined(separator: ",")) \(String(format: "%.3f", word.confidence))\n"
        }.joined()
    }

    /// A line that could not be read: 1-based line number and why.
    public struct LineError: Error, Hashable, Sendable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// Reads every well-formed line; malformed lines come back as errors (the
    /// caller decides whether to skip them or stop), so nothing is dropped silently.
    public static func decode(_ text: String) -> (words: [MARIOWord], errors: [LineError]) {
        var words: [MARIOWord] = []
        var errors: [LineError] = []
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            var line = Substring(raw)
            if line.last == "\r" { line = line.dropLast() }
            if line.allSatisfy(\.isWhitespace) { continue }
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            func fail(_ message: String) { errors.append(LineError(line: index + 1, message: message)) }
            guard fields.count == 3 else {
                fail("expected 'WORD x1,y1,x2,y2,x3,y3,x4,y4 conf' (three space-separated fields), found \(fields.count) fields in '\(line.prefix(60))'")
                continue
            }
            let coordinates = fields[1].split(separator: ",", omittingEmptySubsequences: false)
            let values = coordinates.compactMap { Int($0) ?? Double($0).flatMap { $0.isFinite ? Int($0.rounded()) : nil } }
            guard coordinates.count == 8, values.count == 8 else {
                fail("expected eight comma-separated numbers for the polygon, found '\(fields[1].prefix(60))'")
                continue
            }
            guard let confidence = Double(fields[2]), confidence.isFinite else {
                fail("confidence '\(fields[2].prefix(20))' is not a number")
                continue
            }
            words.append(MARIOWord(text: String(fields[0]), polygon: values, confidence: confidence))
        }
        return (words, errors)
    }
}
