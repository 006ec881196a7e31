import Foundation

/// What `poster data prepare` did, as counts with a reason each: samples kept
/// per split, samples dropped by each filter or bad input, and words and
/// ocr.txt lines skipped inside kept samples. Written as report.json.
public struct PrepareReport: Sendable, Equatable {
    public private(set) var counts: [String: Int] = [:]
    /// A few examples per reason (sample path and message), so a person can look.
    public private(set) var examples: [String: [String]] = [:]

    public init() {}

    public subscript(key: String) -> Int { counts[key] ?? 0 }

    public mutating func count(_ key: String, by amount: Int = 1, example: String? = nil) {
        counts[key, default: 0] += amount
        if let example, examples[key, default: []].count < 5 { examples[key, default: []].append(example) }
    }

    public mutating func merge(_ other: PrepareReport) {
        for (key, value) in other.counts { counts[key, default: 0] += value }
        for (key, list) in other.examples {
            examples[key, default: []] += list.prefix(max(0, 5 - examples[key, default: []].count))
        }
    }

    public func json() -> String {
        let countLines = counts.keys.sorted().map { "    \(quote($0)): \(counts[$0]!)" }.joined(separator: ",\n")
        let exampleLines = examples.keys.sorted().map { key in
            "    \(quote(key)): [" + examples[key]!.map(quote).joined(separator: ", ") + "]"
        }.joined(separator: ",\n")
        return "{\n  \"counts\": {\n\(countLines)\n  },\n  \"examples\": {\n\(exampleLines)\n  }\n}\n"
    }

    public static func parse(_ data: Data) -> PrepareReport? {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let counts = object["counts"] as? [String: Int] else { return nil }
        var report = PrepareReport()
        report.counts = counts
        report.examples = (object["examples"] as? [String: [String]]) ?? [:]
        return report
    }

    private func quote(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8)
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }
}
