import PosterCore

/// Options for drawing a layout.
public struct GlyphRenderOptions: Sendable {
    /// Family name from the manifest or a font file; nil for the manifest's default.
    public var font: String?
    public var fit: GlyphFit
    /// Also label each covered pixel with its character's MARIO class.
    public var classMap: Bool

    public init(font: String? = nil, fit: GlyphFit = .fit, classMap: Bool = false) {
        self.font = font
        self.fit = fit
        self.classMap = classMap
    }
}

/// Draws layouts into glyph masks: HarfBuzz shapes each line, the line is
/// fitted to its box analytically (shaping at unit scale is linear in size),
/// and FreeType rasterises the glyphs with anti-aliasing at the exact size.
/// Keeps loaded fonts and rendered glyphs between calls; not thread-safe, so
/// use one renderer per thread.
public final class GlyphRenderer {
    public let manifest: FontManifest
    private let fonts = FontCache()
    private lazy var shaper = TextShaper(fonts: fonts)
    private let rasters = GlyphRasterCache()
    private var chains: [String: [FontSource]] = [:]

    public init(manifest: FontManifest) {
        self.manifest = manifest
    }

    /// A renderer over the project's own fonts (`FontManifest.standard()`).
    public convenience init() throws(GlyphRenderError) {
        self.init(manifest: try FontManifest.standard())
    }

    public func render(_ layout: Layout, options: GlyphRenderOptions = GlyphRenderOptions()) throws(GlyphRenderError) -> GlyphMask {
        let chain = try self.chain(options.font)
        var image = GrayImage(width: layout.canvas.width, height: layout.canvas.height)
        var classMap = options.classMap ? GrayImage(width: layout.canvas.width, height: layout.canvas.height) : nil
        var characters: [CharacterBox] = []
        var lines: [RenderedLine] = []
        for (lineIndex, line) in layout.lines.enumerated() {
            let shaped = try shaper.shape(line.text, chain: chain, lineNumber: lineIndex + 1)
            let box = layout.pixelRect(of: line.box)
            let placement = LinePlacement.place(ink: shaped.ink, in: box, fit: options.fit)
            draw(shaped, placement, into: &image, classMap: &classMap)
            characters += characterBoxes(shaped, placement, line: lineIndex)
            lines.append(rendered(shaped, placement, box: box))
        }
        return GlyphMask(image: image, characters: characters, lines: lines, classMap: classMap)
    }

    /// Draws one line of text fitted into any pixel rectangle of `image` (labels,
    /// previews); `render(_:options:)` does this for every layout line.
    @discardableResult
    public func drawText(_ text: String, in box: PixelRect, into image: inout GrayImage,
                         options: GlyphRenderOptions = GlyphRenderOptions()) throws(GlyphRenderError) -> RenderedLine {
        let shaped = try shaper.shape(text, chain: chain(options.font), lineNumber: 1)
        let placement = LinePlacement.place(ink: shaped.ink, in: box, fit: options.fit)
        var noClasses: GrayImage? = nil
        draw(shaped, placement, into: &image, classMap: &noClasses)
        return rendered(shaped, placement, box: box)
    }

    private func rendered(_ shaped: ShapedLine, _ placement: LinePlacement, box: PixelRect) -> RenderedLine {
        var usedFonts: [String] = []
        for glyph in shaped.glyphs where !usedFonts.contains(glyph.face.source.name) { usedFonts.append(glyph.face.source.name) }
        return RenderedLine(text: String(shaped.characters), box: box, ink: placement.pixels(shaped.ink),
                            sizeX: placement.scaleX, sizeY: placement.scaleY,
                            originX: placement.originX, baselineY: placement.baselineY,
                            advance: shaped.advance * placement.scaleX, fonts: usedFonts)
    }

    /// Forgets every rendered glyph bitmap (fonts stay loaded): for measuring
    /// rasterisation without the cache.
    public func discardRenderedGlyphs() { rasters.removeAll() }

    private func chain(_ font: String?) throws(GlyphRenderError) -> [FontSource] {
        let key = font ?? ""
        if let chain = chains[key] { return chain }
        let chain = try manifest.chain(primary: font)
        chains[key] = chain
        return chain
    }

    private func draw(_ line: ShapedLine, _ placement: LinePlacement, into image: inout GrayImage, classMap: inout GrayImage?) {
        let phases = Double(GlyphRasterCache.phases)
        let scaleX = Int32(placement.scaleX * 64), scaleY = Int32(placement.scaleY * 64)
        for glyph in line.glyphs where !glyph.ink.isEmpty {
            let px = placement.originX + glyph.x * placement.scaleX
            let py = placement.baselineY - glyph.y * placement.scaleY
            var ix = Int(px.rounded(.down)), iy = Int(py.rounded(.down))
            var phaseX = Int(((px - Double(ix)) * phases).rounded()), phaseY = Int(((py - Double(iy)) * phases).rounded())
            if phaseX == GlyphRasterCache.phases { phaseX = 0; ix += 1 }
            if phaseY == GlyphRasterCache.phases { phaseY = 0; iy += 1 }
            let key = GlyphRasterCache.Key(faceID: Int32(glyph.faceID), glyph: glyph.glyph, scaleX: scaleX, scaleY: scaleY,
                                           phaseX: UInt8(phaseX), phaseY: UInt8(phaseY))
            let bitmap = rasters.bitmap(key, face: glyph.face)
            if bitmap.width == 0 { continue }
            let x0 = ix + bitmap.left, y0 = iy + bitmap.top
            Self.blit(bitmap, atX: x0, y: y0, into: &image)
            if classMap != nil {
                let classes = line.characters[glyph.characters].map { MARIOAlphabet.classIndex(of: $0) ?? 0 }
                let glyphMinX = placement.originX + glyph.ink.minX * placement.scaleX
                let glyphWidth = glyph.ink.width * placement.scaleX
                Self.label(bitmap, atX: x0, y: y0, into: &classMap!) { column in
                    // A ligature's columns are shared out among its characters in reading order.
                    if classes.count == 1 { return classes[0] }
                    let t = (Double(column) + 0.5 - glyphMinX) / max(glyphWidth, 1e-6)
                    var part = Int((t * Double(classes.count)).rounded(.down))
                    part = max(0, min(classes.count - 1, part))
                    return classes[glyph.rightToLeft ? classes.count - 1 - part : part]
                }
            }
        }
    }

    /// Max-blends a coverage bitmap into the mask (overlapping strokes stay solid).
    private static func blit(_ bitmap: GlyphRasterCache.Bitmap, atX x0: Int, y y0: Int, into image: inout GrayImage) {
        let width = image.width, height = image.height
        let cx0 = max(0, -x0), cy0 = max(0, -y0)
        let cx1 = min(bitmap.width, width - x0), cy1 = min(bitmap.height, height - y0)
        guard cx0 < cx1, cy0 < cy1 else { return }
        image.pixels.withUnsafeMutableBufferPointer { out in
            bitmap.pixels.withUnsafeBufferPointer { src in
                for row in cy0..<cy1 {
                    let dst = (y0 + row) * width + x0
                    let from = row * bitmap.width
                    for column in cx0..<cx1 {
                        let value = src[from + column]
                        if value > out[dst + column] { out[dst + column] = value }
                    }
                }
            }
        }
    }

    /// Labels the pixels a glyph covers at least half with its character class.
    private static func label(_ bitmap: GlyphRasterCache.Bitmap, atX x0: Int, y y0: Int, into map: inout GrayImage,
                              classAt: (Int) -> UInt8) {
        let width = map.width, height = map.height
        for row in max(0, -y0)..<max(max(0, -y0), min(bitmap.height, height - y0)) {
            for column in max(0, -x0)..<max(max(0, -x0), min(bitmap.width, width - x0)) where bitmap.pixels[row * bitmap.width + column] >= 128 {
                let value = classAt(x0 + column)
                if value != 0 { map.pixels[(y0 + row) * width + x0 + column] = value }
            }
        }
    }

    private func characterBoxes(_ line: ShapedLine, _ placement: LinePlacement, line lineIndex: Int) -> [CharacterBox] {
        let lineInk = placement.pixels(line.ink)
        // Union of the ink (or, for blank clusters, the advance) of each cluster's glyphs.
        var clusters: [Int: (characters: Range<Int>, ink: PixelRect?, advance: PixelRect, rtl: Bool)] = [:]
        for glyph in line.glyphs {
            let advance = PixelRect(minX: placement.originX + glyph.advanceStart * placement.scaleX, minY: lineInk.minY,
                                    maxX: placement.originX + glyph.advanceEnd * placement.scaleX, maxY: lineInk.maxY)
            let ink = glyph.ink.isEmpty ? nil : placement.pixels(glyph.ink)
            let key = glyph.characters.lowerBound
            if var entry = clusters[key] {
                if let ink { entry.ink = entry.ink.map { $0.union(ink) } ?? ink }
                entry.advance = entry.advance.union(advance)
                clusters[key] = entry
            } else {
                clusters[key] = (glyph.characters, ink, advance, glyph.rightToLeft)
            }
        }
        var boxes: [CharacterBox] = []
        for key in clusters.keys.sorted() {
            let cluster = clusters[key]!
            let rect = cluster.ink ?? cluster.advance
            let count = cluster.characters.count
            for (k, index) in cluster.characters.enumerated() {
                var part = rect
                if count > 1 {
                    let slot = cluster.rtl ? count - 1 - k : k
                    part.minX = rect.minX + rect.width * Double(slot) / Double(count)
                    part.maxX = rect.minX + rect.width * Double(slot + 1) / Double(count)
                }
                boxes.append(CharacterBox(line: lineIndex, index: index, character: line.characters[index], rect: part))
            }
        }
        return boxes
    }
}
