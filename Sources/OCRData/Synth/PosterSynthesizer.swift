import Foundation
import GlyphRender
import PosterCore

/// Makes synthetic MARIO-style samples (`poster data synth`): poster-like
/// images with one to eight text lines over procedural or photographic
/// backgrounds, whose captions, word boxes and charseg are exact because they
/// come from what was drawn rather than from OCR. Real MARIO-10M is too big
/// to fetch here and its OCR annotations are noisy; this gives the planner and
/// the glyph ControlNet clean pairs that say their text and colours.
///
/// Every sample is a pure function of (seed, index): it draws from its own
/// `SeededRandom(seed:index:)` stream, so samples can be made in any order,
/// in parallel (one `GlyphRenderer` per thread) and again later, byte for byte.
public struct PosterSynthesizer: Sendable {
    public let manifest: FontManifest
    public let seed: UInt64
    public let size: Int
    /// Most text lines per poster (1...8); fewer lines make an easier set for a small diffusion model.
    public let maxLines: Int
    /// Share of samples drawn plain: a flat colour or gradient with text and
    /// nothing else (no shapes, grain, banners, badge or photograph). A
    /// small model that does not yet read the caption's background words
    /// draws the training set's average backdrop; more plain posters make
    /// that average a clean one behind the text (see the model card).
    public let plainShare: Double
    /// The photographs folder, when one was given.
    public let backgrounds: URL?
    let photos: SynthPhotoLibrary?
    let fonts: SynthFonts

    /// Share of samples drawn over a photograph when a folder is given.
    static let photoShare = 0.6

    public init(manifest: FontManifest, seed: UInt64, backgrounds: URL? = nil, size: Int = 512, maxLines: Int = 8,
                plainShare: Double = 0) throws(SynthError) {
        guard (128...4096).contains(size), size % 2 == 0 else {
            throw SynthError("sample size \(size) is not supported: expected an even number of pixels in 128...4096 (MARIO uses 512)")
        }
        guard (1...8).contains(maxLines) else { throw SynthError("at most \(maxLines) lines is not supported: expected 1...8") }
        guard (0...1).contains(plainShare) else { throw SynthError("plain share \(plainShare) is not supported: expected 0...1") }
        self.maxLines = maxLines
        self.plainShare = plainShare
        self.manifest = manifest
        self.seed = seed
        self.size = size
        self.backgrounds = backgrounds
        fonts = try SynthFonts(manifest: manifest)
        if let backgrounds { photos = try SynthPhotoLibrary(root: backgrounds) } else { photos = nil }
    }

    /// Deterministic for (seed, index): same bytes every run.
    public func sample(index: Int, renderer: GlyphRenderer) throws -> MARIOSample {
        try compose(index: index, renderer: renderer).sample
    }

    /// The sample and what went into it (the background before text, each line's mask and style): tests check the ground truth against these.
    func compose(index: Int, renderer: GlyphRenderer) throws -> SynthPoster {
        guard index >= 0 else { throw SynthError("sample index \(index) is negative") }
        var r = SynthRandom(seed: seed, index: index)
        // Drawn only when asked for, so a share of 0 keeps every earlier set byte for byte.
        let plain = plainShare > 0 && r.chance(plainShare)
        let background: SynthBackground
        if !plain, let photos, r.chance(Self.photoShare) {
            background = try SynthBackground.photo(photos, size: size, random: &r)
        } else {
            background = SynthBackground.procedural(size: size, plain: plain, random: &r)
        }
        let count = 1 + r.weightedIndex(Array([0.1, 0.18, 0.2, 0.16, 0.12, 0.1, 0.08, 0.06].prefix(maxLines)))
        let copy = SynthCopy.make(count: count, badges: !plain, random: &r)
        let plan = SynthPlan.make(copy: copy, fonts: fonts, random: &r)

        // Draw every line's glyphs first: their places decide banners and colours.
        let unit = Double(size) / Double(GridBox.gridSize)
        var drawn: [SynthDrawnLine] = []
        for line in plan.lines {
            drawn.append(try render(line, unit: unit, renderer: renderer))
        }

        var canvas = SynthCanvas(image: background.image)
        var extras: [String] = []
        if !plain {
            extras += drawBanners(plan: plan, drawn: drawn, photo: background.kind == .photo, canvas: &canvas, random: &r)
        }
        if let badge = plan.badge { extras.append(drawBadge(badge, unit: unit, canvas: &canvas, random: &r)) }
        let backdrop = canvas.image

        var previous: NamedColor? = nil
        for i in drawn.indices {
            let b = drawn[i].bounds
            let isTitleContinued = i > 0 && drawn[i].line.role == .title && drawn[i - 1].line.role == .title
            let style = SynthTextStyle.choose(on: canvas.image, box: (b.minX - 2, b.minY - 2, b.maxX + 2, b.maxY + 2),
                                              inkHeight: b.maxY - b.minY + 1,
                                              previous: drawn[i].line.role == .badge ? nil : previous,
                                              continuing: isTitleContinued ? drawn[i - 1].style : nil, random: &r)
            style.paint(mask: drawn[i].mask, bounds: b, on: &canvas)
            drawn[i].style = style
            if drawn[i].line.role != .badge { previous = style.color }
        }

        // Ground truth from the drawing itself.
        var words: [MARIOWord] = []
        var classMap = GrayImage(width: size, height: size)
        var coverage = GrayImage(width: size, height: size)
        var characters: [CharacterBox] = []
        for line in drawn {
            words += SynthGroundTruth.words(text: line.line.text, characters: line.characters, size: size)
            characters += line.characters
            for i in 0..<(size * size) {
                if line.classMap.pixels[i] != 0 { classMap.pixels[i] = line.classMap.pixels[i] }
                coverage.pixels[i] = max(coverage.pixels[i], line.mask.pixels[i])
            }
        }
        let charseg = SynthGroundTruth.charseg(classMap: classMap, coverage: coverage, characters: characters, size: size)
        let caption = SynthCaption.make(background: background, extras: extras, lines: drawn.map {
            SynthCaption.TextLine(text: $0.line.text, phrase: $0.style.phrase(adjective: $0.line.face.adjective))
        })
        let info = SynthInfo(
            seed: seed, index: index, size: size, genre: copy.genre,
            background: .init(kind: background.kind.rawValue, colors: background.colors.map(\.name),
                              shapes: background.decorations.map(\.phrase) + extras, grainy: background.grainy,
                              photo: background.photo, veil: background.veil),
            lines: drawn.map { d in
                SynthInfo.Line(text: d.line.text, role: d.line.role.rawValue, font: d.line.face.family,
                               color: d.style.color.name, hex: d.style.color.rgb.hex, outline: d.style.outline?.name,
                               shadow: d.style.shadow, align: d.line.alignment.rawValue,
                               box: d.ink.integral.map { max(0, min(size, $0)) }, grid: d.line.box.values)
            })
        let sample = MARIOSample(id: MARIOSample.id(index: index), image: canvas.image, caption: caption, words: words,
                                 charseg: charseg, info: info.json())
        return SynthPoster(sample: sample, backdrop: backdrop, lines: drawn)
    }

    /// Renders one line alone (each line has its own font), then slides it
    /// sideways by whole pixels to its alignment edge; whole pixels keep the
    /// character boxes and class map exact.
    private func render(_ line: SynthPlan.Line, unit: Double, renderer: GlyphRenderer) throws -> SynthDrawnLine {
        let layout = try Layout(canvas: CanvasSize(width: size, height: size), lines: [LayoutLine(box: line.box, text: line.text)])
        let mask = try renderer.render(layout, options: GlyphRenderOptions(font: line.face.family, fit: .fit, classMap: true))
        var ink = mask.lines[0].ink
        let edgeLeft = Double(line.box.left) * unit, edgeRight = Double(line.box.right) * unit
        let dx: Int
        switch line.alignment {
        case .centre: dx = 0
        case .left: dx = Int((edgeLeft - ink.minX).rounded())
        case .right: dx = Int((edgeRight - ink.maxX).rounded())
        }
        ink.minX += Double(dx); ink.maxX += Double(dx)
        let characters = mask.characters.map { box -> CharacterBox in
            var moved = box
            moved.rect.minX += Double(dx); moved.rect.maxX += Double(dx)
            return moved
        }
        let image = SynthMaskOps.shifted(mask.image, dx: dx)
        let classes = SynthMaskOps.shifted(mask.classMap!, dx: dx)
        // The drawn pixels' extent (anti-aliasing can reach a pixel past the ink box).
        let lit = image.litBounds() ?? (Int(ink.minX), Int(ink.minY), Int(ink.maxX), Int(ink.maxY))
        return SynthDrawnLine(line: line, mask: image, classMap: classes, characters: characters, ink: ink,
                              bounds: (lit.minX, lit.minY, lit.maxX, lit.maxY))
    }

    /// Bars behind some title and subtitle lines (more often over photographs,
    /// where they carry the text); returns the caption's words for them.
    private func drawBanners(plan: SynthPlan, drawn: [SynthDrawnLine], photo: Bool, canvas: inout SynthCanvas,
                             random r: inout SynthRandom) -> [String] {
        var colors: [NamedColor] = []
        for (i, line) in drawn.enumerated() where line.line.role == .title || line.line.role == .subtitle {
            guard colors.count < 2, r.chance(photo ? 0.3 : 0.1) else { continue }
            let b = line.bounds
            let height = b.maxY - b.minY + 1
            let padX = height * 2 / 5 + 4, padY = height / 4 + 3
            let fullWidth = r.chance(0.4)
            var top = b.minY - padY, bottom = b.maxY + 1 + padY
            // Keep clear of the neighbouring lines' ink.
            for (j, other) in drawn.enumerated() where j != i {
                let o = other.bounds
                guard o.maxX >= b.minX - padX || fullWidth, o.minX <= b.maxX + padX || fullWidth else { continue }
                if o.maxY < b.minY { top = max(top, o.maxY + 3) }
                if o.minY > b.maxY { bottom = min(bottom, o.minY - 2) }
            }
            let under = SynthBackground.meanColor(SynthMaskOps.cropRGB(canvas.image, minX: b.minX, minY: b.minY, maxX: b.maxX, maxY: b.maxY))
            let color = SynthBackground.pickDistinct(from: SynthPalette.all, awayFrom: [under], minimum: 120, random: &r)
            canvas.rect(minX: fullWidth ? 0 : b.minX - padX, minY: top, maxX: fullWidth ? size : b.maxX + 1 + padX, maxY: bottom,
                        color: color.rgb, opacity: 1)
            colors.append(color)
        }
        if colors.count == 2, colors[0] == colors[1] { return ["\(colors[0].name) banners"] }
        return colors.map { SynthCaption.withArticle("\($0.name) banner") }
    }

    /// The badge's disc or tag; returns its caption words.
    private func drawBadge(_ badge: SynthPlan.Badge, unit: Double, canvas: inout SynthCanvas, random r: inout SynthRandom) -> String {
        let b = badge.box
        let minX = Int((Double(b.left) * unit).rounded()), maxX = Int((Double(b.right) * unit).rounded())
        let minY = Int((Double(b.top) * unit).rounded()), maxY = Int((Double(b.bottom) * unit).rounded())
        let under = SynthBackground.meanColor(SynthMaskOps.cropRGB(canvas.image, minX: minX, minY: minY, maxX: maxX - 1, maxY: maxY - 1))
        let vivid = ["red", "yellow", "orange", "magenta", "blue", "green", "black", "white", "dark blue", "pink"].map(SynthPalette.named)
        let color = SynthBackground.pickDistinct(from: vivid, awayFrom: [under], minimum: 140, random: &r)
        if badge.round {
            canvas.disk(cx: Double(minX + maxX) / 2, cy: Double(minY + maxY) / 2, radius: Double(maxX - minX) / 2,
                        color: color.rgb, opacity: 1)
            return SynthCaption.withArticle("\(color.name) round badge")
        }
        canvas.rect(minX: minX, minY: minY, maxX: maxX, maxY: maxY, color: color.rgb, opacity: 1)
        return SynthCaption.withArticle("\(color.name) tag")
    }
}

/// One line as drawn: its plan, glyph coverage and class map at canvas size
/// (already moved into place), character boxes, ink box and painted style.
struct SynthDrawnLine {
    var line: SynthPlan.Line
    var mask: GrayImage
    var classMap: GrayImage
    var characters: [CharacterBox]
    var ink: PixelRect
    /// Inclusive pixel bounds of the mask's lit pixels.
    var bounds: (minX: Int, minY: Int, maxX: Int, maxY: Int)
    var style = SynthTextStyle(color: SynthPalette.white)
}

/// A composed sample with the parts it was built from.
struct SynthPoster {
    var sample: MARIOSample
    /// The image before any text was painted (background, shapes, banners, badge).
    var backdrop: RGBImage
    var lines: [SynthDrawnLine]
}

extension SynthMaskOps {
    /// The inclusive pixel rectangle of an RGB image, clipped.
    static func cropRGB(_ image: RGBImage, minX: Int, minY: Int, maxX: Int, maxY: Int) -> RGBImage {
        let x0 = max(0, minX), y0 = max(0, minY), x1 = min(image.width - 1, maxX), y1 = min(image.height - 1, maxY)
        guard x0 <= x1, y0 <= y1 else { return RGBImage(width: 1, height: 1) }
        var pixels = [UInt8]()
        pixels.reserveCapacity((x1 - x0 + 1) * (y1 - y0 + 1) * 3)
        for y in y0...y1 {
            let start = (y * image.width + x0) * 3
            pixels += image.pixels[start..<(start + (x1 - x0 + 1) * 3)]
        }
        return RGBImage(width: x1 - x0 + 1, height: y1 - y0 + 1, pixels: pixels)
    }
}
