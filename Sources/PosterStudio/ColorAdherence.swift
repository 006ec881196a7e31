import GlyphRender
import OCRData
import PosterCore

/// Does the poster have the colours its prompt names? Two checks, for prompts
/// that name them in the synthetic captions' words: the text colour ("white
/// bold text 'A'": the median colour under the glyph mask) and a flat
/// background ("a dark blue poster": the median colour away from the text).
/// A colour counts as matched when the named colour is, within 25%, the
/// nearest caption colour to the measured one.
public enum ColorAdherence {
    public struct Check: Sendable, Codable, Equatable {
        public var part: String
        public var named: String
        public var measured: String
        public var matched: Bool
    }

    static let palette = CaptionColorNames.all
    /// Longest names first, so "dark blue" wins over "blue".
    static let names = palette.map(\.name).sorted { $0.count > $1.count }

    /// Words that end the text's own phrase: a colour before them ("a blue poster with text") names something else.
    static let phraseBreaks: Set<String> = ["a", "an", "and", "with", "poster", "of", "on"]

    /// The colour named just before "text" (up to three style words between), if any.
    public static func textColor(in prompt: String) -> String? {
        let words = prompt.lowercased().split(whereSeparator: { !$0.isLetter }).map(String.init)
        guard let t = words.firstIndex(of: "text") else { return nil }
        for start in stride(from: t - 1, through: max(0, t - 5), by: -1) {
            if phraseBreaks.contains(words[start]) { break }
            for length in [2, 1] where start - length + 1 >= 0 {
                let phrase = words[(start - length + 1)...start].joined(separator: " ")
                if names.contains(phrase) { return phrase }
            }
        }
        return nil
    }

    /// The colour of a flat background: "a|an <colour> poster".
    public static func backgroundColor(in prompt: String) -> String? {
        let words = prompt.lowercased().split(whereSeparator: { !$0.isLetter }).map(String.init)
        guard let p = words.firstIndex(of: "poster"), p >= 1 else { return nil }
        for length in [2, 1] where p - length >= 1 {
            let phrase = words[(p - length)..<p].joined(separator: " ")
            if names.contains(phrase), ["a", "an"].contains(words[p - length - 1]) { return phrase }
        }
        return nil
    }

    public static func checks(prompt: String, image: RGBImage, mask: GrayImage) -> [Check] {
        var out: [Check] = []
        let fitted = mask.width == image.width && mask.height == image.height ? mask : mask.resizedNearest(width: image.width, height: image.height)
        if let name = textColor(in: prompt), let measured = GlyphColorHint.measuredColor(image: image, mask: fitted) {
            out.append(check("text", name, measured))
        }
        if let name = backgroundColor(in: prompt), let measured = median(image, where: { x, y in far(fitted, x, y, radius: 6) }) {
            out.append(check("background", name, measured))
        }
        return out
    }

    static func check(_ part: String, _ name: String, _ measured: RGBColor) -> Check {
        let target = palette.first { $0.name == name }!.rgb
        let nearest = palette.map { distance($0.rgb, measured) }.min() ?? 0
        return Check(part: part, named: name, measured: measured.hex, matched: distance(target, measured) <= 1.25 * nearest + 1e-9)
    }

    static func distance(_ a: RGBColor, _ b: RGBColor) -> Double {
        let dr = Double(a.red) - Double(b.red), dg = Double(a.green) - Double(b.green), db = Double(a.blue) - Double(b.blue)
        return (dr * dr + dg * dg + db * db).squareRoot()
    }

    /// Pixels with no text within `radius` (checked on a coarse ring).
    static func far(_ mask: GrayImage, _ x: Int, _ y: Int, radius: Int) -> Bool {
        for dy in stride(from: -radius, through: radius, by: 3) {
            for dx in stride(from: -radius, through: radius, by: 3) {
                let (xx, yy) = (x + dx, y + dy)
                if xx >= 0, yy >= 0, xx < mask.width, yy < mask.height, mask[xx, yy] > 0 { return false }
            }
        }
        return true
    }

    /// Per-channel median of the selected pixels (nil when none are).
    static func median(_ image: RGBImage, where selected: (Int, Int) -> Bool) -> RGBColor? {
        var channels: [[UInt8]] = [[], [], []]
        for y in 0..<image.height {
            for x in 0..<image.width where selected(x, y) {
                let i = (y * image.width + x) * 3
                for c in 0..<3 { channels[c].append(image.pixels[i + c]) }
            }
        }
        guard !channels[0].isEmpty else { return nil }
        let m = channels.map { $0.sorted()[$0.count / 2] }
        return RGBColor(red: m[0], green: m[1], blue: m[2])
    }
}
