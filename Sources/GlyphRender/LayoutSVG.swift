import PosterCore

/// The preview as SVG: each box a `rect` in its line's colour with its index,
/// each line a `text` element at the size and baseline GlyphRender fitted,
/// stretched to the rendered advance with `textLength`.
public enum LayoutSVG {
    public static func render(_ layout: Layout, mask: GlyphMask, fontFamily: String) -> String {
        let width = layout.canvas.width, height = layout.canvas.height
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)">
          <rect width="\(width)" height="\(height)" fill="\(LayoutPreview.background.hex)"/>

        """
        for (index, line) in mask.lines.enumerated() {
            let color = LayoutPreview.color(ofLine: index).hex
            let b = line.box
            svg += "  <g id=\"line-\(index)\">\n"
            svg += "    <rect x=\"\(n(b.minX))\" y=\"\(n(b.minY))\" width=\"\(n(b.width))\" height=\"\(n(b.height))\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
            svg += "    <text x=\"\(n(b.minX + 3))\" y=\"\(n(b.minY - 3))\" font-family=\"sans-serif\" font-size=\"12\" fill=\"\(color)\">\(index)</text>\n"
            let stretch = line.sizeX != line.sizeY ? " transform=\"scale(\(n(line.sizeX / line.sizeY)) 1)\"" : ""
            let x = line.sizeX != line.sizeY ? line.originX * line.sizeY / line.sizeX : line.originX
            svg += "    <text x=\"\(n(x))\" y=\"\(n(line.baselineY))\" font-family=\"\(escape(fontFamily))\" font-size=\"\(n(line.sizeY))\"\(stretch) fill=\"\(LayoutPreview.ink.hex)\">\(escape(line.text))</text>\n"
            svg += "  </g>\n"
        }
        return svg + "</svg>\n"
    }

    private static func n(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    /// XML text and attribute escaping.
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }
}
