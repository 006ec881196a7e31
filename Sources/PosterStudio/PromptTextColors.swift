import GlyphRender
import LayoutLM
import OCRData
import PosterCore

/// The text colour a prompt names for each quoted phrase, in the synthetic
/// captions' words ("cream bold text 'Summer Open' and 'Mic Night'": both
/// cream; "white text 'A' and black text 'B'"), and the colour-hint image
/// that hands those colours to a colour-hint model.
public enum PromptTextColors {
    public struct Phrase: Sendable, Equatable {
        public var text: String
        /// A caption colour name (`CaptionColorNames`), nil when none is named.
        public var color: String?
    }

    /// Each quoted phrase with the colour named before it (since the previous
    /// phrase): "<colour> [style words] text". A phrase joined on without a
    /// "text" of its own ("... and 'B'") keeps the previous phrase's colour.
    public static func phrases(in prompt: String) -> [Phrase] {
        var out: [Phrase] = []
        var searchFrom = prompt.startIndex
        for keyword in PromptKeywords.extract(from: prompt) {
            guard let range = prompt.range(of: keyword, range: searchFrom..<prompt.endIndex) else {
                out.append(Phrase(text: keyword, color: nil))
                continue
            }
            let lead = String(prompt[searchFrom..<range.lowerBound])
            searchFrom = range.upperBound
            let namesText = lead.lowercased().split(whereSeparator: { !$0.isLetter }).contains("text")
            let color = ColorAdherence.textColor(in: lead) ?? (namesText ? nil : out.last?.color)
            out.append(Phrase(text: keyword, color: color))
        }
        return out
    }

    /// The RGB value of a caption colour name.
    public static func rgb(_ name: String) -> RGBColor? {
        CaptionColorNames.all.first { $0.name == name }?.rgb
    }

    /// The text colour for phrases whose colour the prompt does not name: one
    /// that stands out from the named background ("a cream poster": black),
    /// white when no background colour is named either.
    public static func defaultColor(prompt: String) -> RGBColor {
        guard let background = ColorAdherence.backgroundColor(in: prompt).flatMap(rgb) else { return .white }
        let luma = (299 * Double(background.red) + 587 * Double(background.green) + 114 * Double(background.blue)) / 1000
        return luma > 140 ? .black : .white
    }

    /// The colour hint for a rendered layout: each line's glyphs in the colour
    /// its phrase names, or `defaultColor` (the colour-hint model always
    /// trains with a hint, so it always gets one).
    public static func colorHint(prompt: String, mask: GlyphMask) -> RGBImage {
        let fallback = defaultColor(prompt: prompt)
        let named = phrases(in: prompt).map { (text: $0.text.lowercased(), color: $0.color.flatMap(rgb)) }
        var regions: [GlyphColorHint.Region] = []
        for line in mask.lines {
            let text = line.text.lowercased()
            let color = named.first(where: { $0.text.contains(text) })?.color ?? fallback
            let ink = line.ink
            regions.append(GlyphColorHint.Region(rect: PixelRect(minX: ink.minX - 1, minY: ink.minY - 1, maxX: ink.maxX + 1, maxY: ink.maxY + 1),
                                                 color: color))
        }
        return GlyphColorHint.paint(mask: mask.image, regions: regions)
    }
}
