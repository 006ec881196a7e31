import PosterCore

/// What GlyphRender draws for a layout: the white-on-black glyph mask the
/// ControlNet reads, where every character landed, and (on request) a
/// MARIO-style character class map.
public struct GlyphMask: Sendable {
    /// 8-bit coverage, white text on black, at canvas size.
    public var image: GrayImage
    /// Every character of every line with its box in canvas pixels.
    public var characters: [CharacterBox]
    public var lines: [RenderedLine]
    /// Canvas-size class map (0 background, 1...95 MARIO's alphabet, see
    /// `MARIOAlphabet`): each pixel a character's glyph covers at least half is
    /// labelled with that character. Characters outside the alphabet stay 0.
    public var classMap: GrayImage?

    /// MARIO's `charseg` at `width` x `height` (256x256 for 512-px images), by
    /// nearest-neighbour sampling; nil unless the class map was rendered.
    public func charseg(width: Int = 256, height: Int = 256) -> GrayImage? {
        classMap?.resizedNearest(width: width, height: height)
    }
}

/// One character's place in the mask.
public struct CharacterBox: Hashable, Sendable {
    /// Line index (0-based, layout order) and character index within the line.
    public var line: Int
    public var index: Int
    public var character: Character
    /// Ink box in canvas pixels; for blank characters (spaces) the advance
    /// span across the line's ink height.
    public var rect: PixelRect

    public init(line: Int, index: Int, character: Character, rect: PixelRect) {
        self.line = line
        self.index = index
        self.character = character
        self.rect = rect
    }
}

/// How one layout line was drawn.
public struct RenderedLine: Hashable, Sendable {
    public var text: String
    /// The layout box in canvas pixels.
    public var box: PixelRect
    /// The drawn ink's box in canvas pixels.
    public var ink: PixelRect
    /// Pixels per em, horizontally and vertically (equal unless stretched).
    public var sizeX: Double
    public var sizeY: Double
    /// Where the pen starts, on the baseline, and how far it advances (pixels):
    /// what an SVG `<text>` element needs to reproduce the line.
    public var originX: Double
    public var baselineY: Double
    public var advance: Double
    /// Fonts the line used, primary first.
    public var fonts: [String]
}
