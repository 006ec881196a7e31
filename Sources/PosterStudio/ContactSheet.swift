import GlyphRender
import PosterCore

/// A PNG grid for people to look at: one row per item, a strip of wrapped
/// caption text above its images (mask, output, reference...). Used for
/// training sample sheets and `poster eval ocr`.
public struct ContactSheet {
    public struct Row {
        public var label: String
        public var images: [RGBImage]
        public init(label: String, images: [RGBImage]) {
            self.label = label
            self.images = images
        }
    }

    public var cell: Int
    public var gap = 4
    public var labelLines = 3
    public var lineHeight = 14

    public init(cell: Int = 256) { self.cell = cell }

    public func render(_ rows: [Row], renderer: GlyphRenderer) -> RGBImage {
        let columns = max(1, rows.map(\.images.count).max() ?? 1)
        let labelHeight = labelLines * lineHeight + 4
        let width = gap + columns * (cell + gap)
        let rowHeight = labelHeight + cell + gap
        var sheet = RGBImage(width: width, height: gap + rows.count * rowHeight, fill: RGBColor(red: 255, green: 255, blue: 255))
        var text = GrayImage(width: sheet.width, height: sheet.height)
        for (r, row) in rows.enumerated() {
            let top = gap + r * rowHeight
            for (i, line) in wrap(row.label, width: width - 2 * gap).prefix(labelLines).enumerated() {
                let box = PixelRect(minX: Double(gap), minY: Double(top + 2 + i * lineHeight), maxX: Double(gap + line.count * 7),
                                    maxY: Double(top + 2 + (i + 1) * lineHeight - 3))
                _ = try? renderer.drawText(line, in: box, into: &text)
            }
            for (c, image) in row.images.enumerated() {
                let fitted = image.width == cell && image.height == cell ? image : image.resized(width: cell, height: cell)
                for y in 0..<cell {
                    let source = y * cell * 3, target = ((top + labelHeight + y) * width + gap + c * (cell + gap)) * 3
                    sheet.pixels.replaceSubrange(target..<(target + cell * 3), with: fitted.pixels[source..<(source + cell * 3)])
                }
            }
        }
        sheet.composite(.black, coverage: text)
        return sheet
    }

    /// Greedy word wrap at about 7 pixels a character.
    func wrap(_ text: String, width: Int) -> [String] {
        let limit = max(8, width / 7)
        var lines: [String] = [], current = ""
        for word in text.split(separator: " ") {
            if current.isEmpty { current = String(word) } else if current.count + 1 + word.count <= limit { current += " " + word } else {
                lines.append(current)
                current = String(word)
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }
}

extension RGBImage {
    /// A grey mask as an RGB image, for sheets.
    public init(gray: GrayImage) {
        self.init(width: gray.width, height: gray.height, pixels: gray.pixels.flatMap { [$0, $0, $0] })
    }
}
