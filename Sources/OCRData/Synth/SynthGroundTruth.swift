import Foundation
import GlyphRender
import PosterCore

/// MARIO's annotations computed from what was drawn instead of read back by
/// OCR, so they are exact: word boxes from the renderer's character boxes,
/// charseg from its class map.
enum SynthGroundTruth {
    /// One `MARIOWord` per space-separated word of each line: the axis-aligned
    /// box around its characters' pixel rects, rounded outward and clamped to
    /// the image, confidence 1.
    static func words(text: String, characters: [CharacterBox], size: Int) -> [MARIOWord] {
        let letters = Array(text)
        var rects: [Int: PixelRect] = [:]
        for box in characters { rects[box.index] = rects[box.index].map { $0.union(box.rect) } ?? box.rect }
        var words: [MARIOWord] = []
        var start = 0
        while start < letters.count {
            if letters[start] == " " { start += 1; continue }
            var end = start
            while end < letters.count, letters[end] != " " { end += 1 }
            var union: PixelRect? = nil
            for i in start..<end { if let rect = rects[i] { union = union.map { $0.union(rect) } ?? rect } }
            if let union {
                let edges = union.integral.map { max(0, min(size, $0)) }
                words.append(MARIOWord(text: String(letters[start..<end]), left: edges[0], top: edges[1],
                                       right: edges[2], bottom: edges[3], confidence: 1.0))
            }
            start = end
        }
        return words
    }

    /// The full-size class maps of all lines merged, nearest-downsampled to
    /// `size / 2`. A mark too small for nearest sampling to hit (a full stop
    /// or hairline apostrophe at small sizes) would vanish from charseg while
    /// it is on the image, so each drawn character whose class no sample in
    /// its box kept gets one sample set at its most-covered pixel.
    static func charseg(classMap: GrayImage, coverage: GrayImage, characters: [CharacterBox], size: Int) -> NumpyArray {
        let half = size / 2
        var small = classMap.resizedNearest(width: half, height: half)
        for box in characters where box.character != " " {
            guard let label = MARIOAlphabet.classIndex(of: box.character) else { continue }
            let e = box.rect.integral
            let x0 = max(0, e[0]), y0 = max(0, e[1]), x1 = min(size - 1, e[2]), y1 = min(size - 1, e[3])
            guard x0 <= x1, y0 <= y1 else { continue }
            var present = false
            for y in (y0 / 2)...(y1 / 2) where !present {
                for x in (x0 / 2)...(x1 / 2) where small[x, y] == label { present = true; break }
            }
            if present { continue }
            // Prefer a full-size pixel already labelled with this class, else the inkiest pixel.
            var best: (x: Int, y: Int, score: Int)? = nil
            for y in y0...y1 {
                for x in x0...x1 {
                    let score = (classMap[x, y] == label ? 256 : 0) + Int(coverage[x, y])
                    if score > 0, best == nil || score > best!.score { best = (x, y, score) }
                }
            }
            if let best { small[best.x / 2, best.y / 2] = label }
        }
        return NumpyArray(rows: half, columns: half, values: small.pixels)
    }
}

/// info.json of a synthetic sample: where it came from and what was drawn
/// (keys sorted, so the bytes are the same on every run).
struct SynthInfo: Encodable {
    struct Background: Encodable {
        var kind: String
        var colors: [String]
        var shapes: [String]
        var grainy: Bool
        var photo: String?
        var veil: String?
    }

    struct Line: Encodable {
        var text: String
        var role: String
        var font: String
        var color: String
        var hex: String
        var outline: String?
        var shadow: Bool
        var align: String
        /// The drawn ink in pixels: left, top, right, bottom (rounded outward).
        var box: [Int]
        /// The layout box the line was fitted to, on the 128 grid.
        var grid: [Int]
    }

    var source = "synth"
    var seed: UInt64
    var index: Int
    var size: Int
    var genre: String
    var background: Background
    var lines: [Line]

    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings, numbers and arrays cannot fail.
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }
}
