import PosterCore

/// How one line's text is painted, chosen against the pixels it will sit on
/// so that it stays legible: the fill colour must differ in luma (what OCR
/// and the eye read) from nearly all of the background under the line;
/// where no colour does (busy photographs, stripes, mid-grey), the line gets
/// an outline in black or white, whichever is farther from the fill.
struct SynthTextStyle: Sendable {
    var color: NamedColor
    var outline: NamedColor?
    var outlineRadius = 0
    var shadow = false
    var shadowOffset = 0

    /// Luma difference that counts as readable contrast (of 255).
    static let contrast = 100.0
    /// Share of background pixels under a line that must have that contrast for no outline to be needed.
    static let coverage = 0.97

    /// The caption's words: "white bold text with a black outline".
    func phrase(adjective: String) -> String {
        var words = color.name + (adjective.isEmpty ? "" : " " + adjective) + " text"
        if let outline { words += " with a \(outline.name) outline" }
        if shadow { words += outline == nil ? " with a shadow" : " and a shadow" }
        return words
    }

    /// Pixels a painted line can reach beyond its glyphs' ink.
    var reach: Int { outlineRadius + shadowOffset }

    /// Picks a style for a line whose ink box (pixels) is `box` on `image`;
    /// `previous` is the colour of the line above, reused when it still reads.
    /// `continuing` is the style of the title line above when this line is the
    /// rest of the same title: it is kept whole while it still reads.
    static func choose(on image: RGBImage, box: (minX: Int, minY: Int, maxX: Int, maxY: Int), inkHeight: Int,
                       previous: NamedColor?, continuing: SynthTextStyle? = nil, random r: inout SynthRandom) -> SynthTextStyle {
        let lumas = sampleLuma(image, box: box)
        func readable(_ color: NamedColor) -> Double {
            guard !lumas.isEmpty else { return 1 }
            let l = color.luma
            return Double(lumas.filter { abs($0 - l) >= contrast }.count) / Double(lumas.count)
        }
        if let continuing, continuing.outline != nil || readable(continuing.color) >= coverage { return continuing }
        let radius = max(2, min(6, inkHeight / 14))
        var style: SynthTextStyle
        let eligible = SynthPalette.text.filter { readable($0) >= coverage }
        if let previous, eligible.contains(previous), r.chance(0.6) {
            style = SynthTextStyle(color: previous)
        } else if !eligible.isEmpty {
            style = SynthTextStyle(color: r.pickWeighted(eligible.map { ($0, $0.name == "white" || $0.name == "black" ? 3 : 1) }))
        } else {
            // Nothing contrasts everywhere: take the best of the strong colours and outline it.
            let strong = [SynthPalette.white, SynthPalette.black, SynthPalette.named("yellow")]
            let best = strong.max { readable($0) < readable($1) }!
            style = SynthTextStyle(color: best, outline: best.luma > 127 ? SynthPalette.black : SynthPalette.white,
                                   outlineRadius: radius)
        }
        if style.outline == nil, r.chance(0.12) {
            // A decorative outline: far from the fill in luma so the letters keep
            // their shape, and off the background so that it shows.
            let mean = lumas.isEmpty ? 128 : lumas.reduce(0, +) / Double(lumas.count)
            let far = SynthPalette.all.filter { abs($0.luma - style.color.luma) >= 120 && abs($0.luma - mean) >= 60 }
            if !far.isEmpty {
                style.outline = r.pick(far)
                style.outlineRadius = max(1, radius - 1)
            }
        }
        if style.color.luma >= 150, r.chance(0.2) {
            style.shadow = true
            style.shadowOffset = max(1, min(5, inkHeight / 20))
        }
        return style
    }

    /// Luma of every other pixel in the box (clipped to the image).
    static func sampleLuma(_ image: RGBImage, box: (minX: Int, minY: Int, maxX: Int, maxY: Int)) -> [Double] {
        var out: [Double] = []
        let x0 = max(0, box.minX), x1 = min(image.width - 1, box.maxX)
        let y0 = max(0, box.minY), y1 = min(image.height - 1, box.maxY)
        guard x0 <= x1, y0 <= y1 else { return out }
        image.pixels.withUnsafeBufferPointer { p in
            for y in stride(from: y0, through: y1, by: 2) {
                for x in stride(from: x0, through: x1, by: 2) {
                    let i = (y * image.width + x) * 3
                    out.append((299 * Double(p[i]) + 587 * Double(p[i + 1]) + 114 * Double(p[i + 2])) / 1000)
                }
            }
        }
        return out
    }

    /// Paints the line: shadow first, then outline (the dilated mask), then the fill.
    func paint(mask: GrayImage, bounds: (minX: Int, minY: Int, maxX: Int, maxY: Int), on canvas: inout SynthCanvas) {
        let pad = reach + 2
        let x0 = max(0, bounds.minX - pad), y0 = max(0, bounds.minY - pad)
        let x1 = min(mask.width - 1, bounds.maxX + pad), y1 = min(mask.height - 1, bounds.maxY + pad)
        let crop = SynthMaskOps.crop(mask, minX: x0, minY: y0, maxX: x1, maxY: y1)
        let body = outline == nil ? crop : crop.dilated(radius: outlineRadius)
        if shadow {
            canvas.paint(SynthPalette.black.rgb, mask: body, atX: x0 + shadowOffset, y: y0 + shadowOffset, opacity: 0.65)
        }
        if let outline { canvas.paint(outline.rgb, mask: body, atX: x0, y: y0) }
        canvas.paint(color.rgb, mask: crop, atX: x0, y: y0)
    }
}

/// Small raster helpers for line masks.
enum SynthMaskOps {
    /// The inclusive pixel rectangle as its own image.
    static func crop(_ image: GrayImage, minX: Int, minY: Int, maxX: Int, maxY: Int) -> GrayImage {
        let w = maxX - minX + 1, h = maxY - minY + 1
        var pixels = [UInt8](repeating: 0, count: w * h)
        for y in 0..<h {
            let from = (minY + y) * image.width + minX
            for x in 0..<w { pixels[y * w + x] = image.pixels[from + x] }
        }
        return GrayImage(width: w, height: h, pixels: pixels)
    }

    /// The image moved `dx` pixels right (left when negative); vacated columns are 0.
    static func shifted(_ image: GrayImage, dx: Int) -> GrayImage {
        guard dx != 0 else { return image }
        var out = [UInt8](repeating: 0, count: image.pixels.count)
        let w = image.width
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<image.height {
                    for x in max(0, dx)..<max(max(0, dx), min(w, w + dx)) { dst[y * w + x] = src[y * w + x - dx] }
                }
            }
        }
        return GrayImage(width: w, height: image.height, pixels: out)
    }
}
