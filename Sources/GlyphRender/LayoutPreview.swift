import PosterCore

/// The layout as a person checks it: a light canvas, each box outlined in its
/// own colour with its index, and the rendered text inside.
public struct LayoutPreview {
    /// Ten colours that stay apart from each other (matplotlib's tab10).
    public static let palette: [RGBColor] = [
        (31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
        (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207),
    ].map { RGBColor(red: $0.0, green: $0.1, blue: $0.2) }

    public static let background = RGBColor(red: 246, green: 246, blue: 242)
    public static let ink = RGBColor(red: 24, green: 24, blue: 28)

    public static func color(ofLine index: Int) -> RGBColor { palette[index % palette.count] }

    /// Draws `layout` with the glyphs of `mask` (rendered from the same layout).
    public static func render(_ layout: Layout, mask: GlyphMask, renderer: GlyphRenderer) -> RGBImage {
        let width = layout.canvas.width, height = layout.canvas.height
        var image = RGBImage(width: width, height: height, fill: background)
        image.composite(ink, coverage: mask.image)
        let thickness = max(1, min(width, height) / 256)
        let labelHeight = max(10, min(width, height) / 32)
        var labels = GrayImage(width: width, height: height)
        for (index, line) in mask.lines.enumerated() {
            let color = color(ofLine: index)
            let r = line.box.integral
            image.strokeRect(minX: r[0], minY: r[1], maxX: r[2], maxY: r[3], thickness: thickness, color: color)
            // The index in a filled tab on the box's top-left corner (inside when the box touches the top).
            let label = "\(index)"
            let tabWidth = labelHeight * (label.count + 1) * 3 / 5 + 2
            let tabTop = r[1] - labelHeight >= 0 ? r[1] - labelHeight : r[1]
            image.fillRect(minX: r[0], minY: tabTop, maxX: r[0] + tabWidth, maxY: tabTop + labelHeight, color: color)
            let text = PixelRect(minX: Double(r[0] + 2), minY: Double(tabTop + 2), maxX: Double(r[0] + tabWidth - 2), maxY: Double(tabTop + labelHeight - 2))
            _ = try? renderer.drawText(label, in: text, into: &labels)
        }
        image.composite(.white, coverage: labels)
        return image
    }
}
