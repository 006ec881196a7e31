import PosterCore

/// How a line's text fills its box.
public enum GlyphFit: String, CaseIterable, Sendable {
    /// The largest size at which the shaped run's ink fits both the box's width
    /// and height, centred; the glyphs keep their proportions.
    case fit
    /// Scaled separately in x and y so the ink fills the whole box, as
    /// TextDiffuser's character masks do.
    case stretch
}

/// Where and how large a shaped line is drawn: pixels per em on each axis and
/// the pixel position of the line's origin (start of the pen, on the baseline).
struct LinePlacement {
    var scaleX: Double
    var scaleY: Double
    var originX: Double
    var baselineY: Double

    /// Places ink (em units, y down) in `box`, inset by up to a pixel so
    /// anti-aliased edges stay inside it. Scales are rounded down to 1/64 px,
    /// the resolution glyphs are rendered at, so the ink never outgrows the box.
    static func place(ink: EmRect, in box: PixelRect, fit: GlyphFit) -> LinePlacement {
        let insetX = min(1, box.width / 4), insetY = min(1, box.height / 4)
        let width = max(box.width - 2 * insetX, 1e-3), height = max(box.height - 2 * insetY, 1e-3)
        var sx = width / max(ink.width, 1e-6)
        var sy = height / max(ink.height, 1e-6)
        if fit == .fit { sx = min(sx, sy); sy = sx }
        sx = max(1, (sx * 64).rounded(.down)) / 64
        sy = max(1, (sy * 64).rounded(.down)) / 64
        let centreX = (box.minX + box.maxX) / 2, centreY = (box.minY + box.maxY) / 2
        return LinePlacement(scaleX: sx, scaleY: sy,
                             originX: centreX - sx * (ink.minX + ink.width / 2),
                             baselineY: centreY - sy * (ink.minY + ink.height / 2))
    }

    /// An em-unit rectangle in pixels.
    func pixels(_ rect: EmRect) -> PixelRect {
        PixelRect(minX: originX + rect.minX * scaleX, minY: baselineY + rect.minY * scaleY,
                  maxX: originX + rect.maxX * scaleX, maxY: baselineY + rect.maxY * scaleY)
    }
}
