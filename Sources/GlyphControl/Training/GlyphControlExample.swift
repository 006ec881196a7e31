import PosterCore

/// One training pair for a glyph-conditioned model: the poster, the
/// white-on-black mask of its text (the ControlNet's condition) and the
/// caption that says what was drawn.
public struct GlyphControlExample: Sendable {
    public var image: RGBImage
    public var mask: GrayImage
    public var caption: String
    /// The glyphs painted in their text colour (GlyphRender's `GlyphColorHint`), for colour-hint models.
    public var colorHint: RGBImage?

    public init(image: RGBImage, mask: GrayImage, caption: String, colorHint: RGBImage? = nil) {
        self.image = image
        self.mask = mask
        self.caption = caption
        self.colorHint = colorHint
    }
}

/// Where training pairs come from (a MARIO folder, a test's array); the
/// trainer asks by index, so any order and resuming mid-epoch work.
public protocol GlyphControlExampleSource: Sendable {
    var count: Int { get }
    func example(at index: Int) throws -> GlyphControlExample
}

/// A fixed list of pairs.
public struct GlyphControlExampleArray: GlyphControlExampleSource {
    public var examples: [GlyphControlExample]
    public init(_ examples: [GlyphControlExample]) { self.examples = examples }
    public var count: Int { examples.count }
    public func example(at index: Int) throws -> GlyphControlExample { examples[index] }
}
