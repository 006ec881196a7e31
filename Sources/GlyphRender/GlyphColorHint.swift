import PosterCore

/// The optional colour-hint condition: the glyph mask painted in each
/// region's text colour, black elsewhere. The white-on-black mask says where
/// the text goes; this says in which colour, because a small model trained on
/// this machine did not learn the text colour from the caption in its budget
/// (MODEL_CARD: colour adherence 0/24 after 1.5 CPU hours). Training reads the
/// colour off the poster itself (`measuredColor`), generation from the
/// prompt's colour words.
public enum GlyphColorHint {
    /// One region of the mask and the colour its glyphs take.
    public struct Region: Sendable {
        public var rect: PixelRect
        public var color: RGBColor
        public init(rect: PixelRect, color: RGBColor) {
            self.rect = rect
            self.color = color
        }
    }

    /// The hint image: each mask pixel inside a region gets the region's colour
    /// scaled by its coverage (later regions win where they overlap); every
    /// other pixel stays black.
    public static func paint(mask: GrayImage, regions: [Region]) -> RGBImage {
        var hint = RGBImage(width: mask.width, height: mask.height)
        for region in regions {
            let (x0, y0, x1, y1) = clamped(region.rect, width: mask.width, height: mask.height)
            guard x0 < x1, y0 < y1 else { continue }
            let color = [region.color.red, region.color.green, region.color.blue]
            for y in y0..<y1 {
                for x in x0..<x1 {
                    let coverage = UInt32(mask[x, y])
                    guard coverage > 0 else { continue }
                    let i = (y * mask.width + x) * 3
                    for c in 0..<3 { hint.pixels[i + c] = UInt8((UInt32(color[c]) * coverage + 127) / 255) }
                }
            }
        }
        return hint
    }

    /// The text colour of a region of a real poster: the per-channel median of
    /// the glyph interiors (mask pixels whose four neighbours are lit too, so
    /// anti-aliased edges and outlines do not pull it toward the background),
    /// or of the lit pixels where strokes are too thin to have an interior;
    /// nil when the region has no text at all.
    public static func measuredColor(image: RGBImage, mask: GrayImage, in rect: PixelRect? = nil) -> RGBColor? {
        precondition(image.width == mask.width && image.height == mask.height, "image and mask sizes differ")
        let (x0, y0, x1, y1) = rect.map { clamped($0, width: mask.width, height: mask.height) } ?? (0, 0, mask.width, mask.height)
        var channels: [[UInt8]] = [[], [], []]
        for interiorOnly in [true, false] where channels[0].isEmpty {
            for y in y0..<max(y0, y1) {
                for x in x0..<max(x0, x1) where interiorOnly ? isInterior(mask, x, y) : mask[x, y] >= 128 {
                    let i = (y * image.width + x) * 3
                    for c in 0..<3 { channels[c].append(image.pixels[i + c]) }
                }
            }
        }
        guard !channels[0].isEmpty else { return nil }
        let m = channels.map { $0.sorted()[$0.count / 2] }
        return RGBColor(red: m[0], green: m[1], blue: m[2])
    }

    /// A mask pixel that is lit (>= 200) with its four neighbours lit too.
    public static func isInterior(_ mask: GrayImage, _ x: Int, _ y: Int) -> Bool {
        guard x > 0, y > 0, x < mask.width - 1, y < mask.height - 1 else { return false }
        return mask[x, y] >= 200 && mask[x - 1, y] >= 200 && mask[x + 1, y] >= 200 && mask[x, y - 1] >= 200 && mask[x, y + 1] >= 200
    }

    /// The hint for a poster used as training data: each region painted in the
    /// colour measured under it (regions with no glyph interior are skipped).
    public static func measured(image: RGBImage, mask: GrayImage, regions rects: [PixelRect]) -> RGBImage {
        paint(mask: mask, regions: rects.compactMap { rect in
            measuredColor(image: image, mask: mask, in: rect).map { Region(rect: rect, color: $0) }
        })
    }

    /// Whole pixels a rectangle covers, inside the image.
    static func clamped(_ rect: PixelRect, width: Int, height: Int) -> (Int, Int, Int, Int) {
        let r = rect.integral
        return (max(0, r[0]), max(0, r[1]), min(width, r[2]), min(height, r[3]))
    }
}
