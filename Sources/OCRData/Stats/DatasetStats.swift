import Foundation
import PosterCore

/// `poster data stats`: what a MARIO-format tree holds: samples, words,
/// lines per image, characters, where and how large the line boxes are (on
/// the 128 grid), and the most frequent words.
public struct DatasetStats: Sendable {
    public var samples = 0
    public var unreadable = 0
    public var words = 0
    public var characters = 0
    /// Number of images with n lines, n = 0...8 and 9 for "more".
    public var linesPerImage = [Int](repeating: 0, count: 10)
    /// Line box widths and heights in grid units, bins of 16 (0-15, ..., 112-128).
    public var boxWidths = [Int](repeating: 0, count: 8)
    public var boxHeights = [Int](repeating: 0, count: 8)
    /// Line box centres on a 4x4 grid over the image (row-major, top-left first).
    public var centres = [Int](repeating: 0, count: 16)
    public var wordCounts: [String: Int] = [:]

    public init() {}

    public static func collect(_ root: URL, merger: LineMerger = LineMerger()) throws(MARIOStore.ReadError) -> DatasetStats {
        var stats = DatasetStats()
        for entry in try MARIOStore.entries(in: root) {
            stats.samples += 1
            guard let (sample, _) = try? MARIOStore.read(entry) else { stats.unreadable += 1; continue }
            let width = sample.image.width, height = sample.image.height
            let items = sample.words.map { word -> LineMerger.Item in
                let b = word.boundingBox
                return LineMerger.Item(text: word.text, left: Double(b.left), top: Double(b.top), right: Double(b.right), bottom: Double(b.bottom))
            }
            for word in sample.words {
                stats.words += 1
                stats.characters += word.text.count
                stats.wordCounts[word.text.lowercased(), default: 0] += 1
            }
            let lines = merger.merge(items)
            stats.linesPerImage[min(9, lines.count)] += 1
            for line in lines {
                let box = GridQuantizer.box(left: line.left, top: line.top, right: line.right, bottom: line.bottom, width: width, height: height)
                stats.boxWidths[min(7, box.width / 16)] += 1
                stats.boxHeights[min(7, box.height / 16)] += 1
                let cx = min(3, (box.left + box.right) / 2 / 32), cy = min(3, (box.top + box.bottom) / 2 / 32)
                stats.centres[cy * 4 + cx] += 1
            }
        }
        return stats
    }

    public func topWords(_ n: Int = 20) -> [(String, Int)] {
        wordCounts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(n).map { ($0.key, $0.value) }
    }

    public var text: String {
        var out = "samples: \(samples) (unreadable: \(unreadable))\nwords: \(words), characters: \(characters)\n"
        out += "lines per image: " + linesPerImage.enumerated().map { "\($0.offset == 9 ? "9+" : String($0.offset)):\($0.element)" }.joined(separator: " ") + "\n"
        out += "line box width (grid, bins of 16): " + boxWidths.map(String.init).joined(separator: " ") + "\n"
        out += "line box height (grid, bins of 16): " + boxHeights.map(String.init).joined(separator: " ") + "\n"
        out += "line centres (4x4, top row first):\n"
        for row in 0..<4 { out += "  " + centres[(row * 4)..<(row * 4 + 4)].map { String($0).padding(toLength: 6, withPad: " ", startingAt: 0) }.joined() + "\n" }
        out += "top words: " + topWords().map { "\($0.0) (\($0.1))" }.joined(separator: ", ") + "\n"
        return out
    }

    public var json: String {
        func list(_ values: [Int]) -> String { "[" + values.map(String.init).joined(separator: ",") + "]" }
        let top = topWords().map { "[\(LayoutJSONCodec.quoted($0.0)),\($0.1)]" }.joined(separator: ",")
        return "{\"samples\":\(samples),\"unreadable\":\(unreadable),\"words\":\(words),\"characters\":\(characters),"
            + "\"lines_per_image\":\(list(linesPerImage)),\"box_widths\":\(list(boxWidths)),\"box_heights\":\(list(boxHeights)),"
            + "\"centres\":\(list(centres)),\"top_words\":[\(top)]}"
    }
}
