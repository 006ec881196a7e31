import Foundation
import PosterCore

/// A shape layer drawn over a procedural background, kept so the caption can
/// name it ("yellow circles", "a white border").
struct SynthDecoration: Sendable {
    enum Shape: String, Sendable { case circles, rectangles, stripes, dots, border }
    var shape: Shape
    var color: NamedColor
    var count: Int

    /// The caption's words for it.
    var phrase: String {
        switch shape {
        case .circles: return count == 1 ? SynthCaption.withArticle("\(color.name) circle") : "\(color.name) circles"
        case .rectangles: return count == 1 ? SynthCaption.withArticle("\(color.name) rectangle") : "\(color.name) rectangles"
        case .stripes: return "\(color.name) stripes"
        case .dots: return "\(color.name) polka dots"
        case .border: return SynthCaption.withArticle("\(color.name) border")
        }
    }
}

/// The poster's backdrop before any text: a flat colour, a linear or radial
/// gradient, or a photograph, plus shapes and grain. Keeps what it drew so the
/// caption and info.json can say it.
struct SynthBackground: Sendable {
    enum Kind: String, Sendable {
        case flat
        case linearGradient = "linear gradient"
        case radialGradient = "radial gradient"
        case photo
    }

    var kind: Kind
    /// Named base colours: one for flat, start and end for gradients (radial:
    /// centre then edge), the dominant tone for photographs.
    var colors: [NamedColor]
    var decorations: [SynthDecoration] = []
    var grainy = false
    /// The photograph's path relative to the backgrounds folder.
    var photo: String? = nil
    /// "dimmed" or "faded" when a photograph was veiled in black or white.
    var veil: String? = nil
    var image: RGBImage

    /// A procedural background of `size` x `size` pixels; a `plain` one is
    /// the flat colour or gradient alone, without shapes or grain.
    static func procedural(size: Int, plain: Bool = false, random r: inout SynthRandom) -> SynthBackground {
        let palette = SynthPalette.all
        let kind = r.pickWeighted([(Kind.flat, 0.4), (.linearGradient, 0.35), (.radialGradient, 0.25)])
        let first = r.pick(palette)
        var colors = [first]
        var canvas = SynthCanvas(size: size)
        switch kind {
        case .flat:
            canvas.fill(SynthPalette.jittered(first, amount: 10, random: &r))
        case .linearGradient, .radialGradient:
            let second = pickDistinct(from: palette, awayFrom: [first.rgb], minimum: 110, random: &r)
            colors.append(second)
            let a = SynthPalette.jittered(first, amount: 10, random: &r), b = SynthPalette.jittered(second, amount: 10, random: &r)
            if kind == .linearGradient {
                canvas.linearGradient(from: a, to: b, angle: r.pick([0.0, 0.5, 1.0, 1.5, 0.25, 0.75]) * Double.pi
                                      + r.uniform(-0.15...0.15))
            } else {
                canvas.radialGradient(centre: a, edge: b, cx: r.uniform(0.25...0.75), cy: r.uniform(0.2...0.6),
                                      radius: r.uniform(0.6...1.1))
            }
        case .photo:
            break
        }
        var background = SynthBackground(kind: kind, colors: colors, image: canvas.image)
        if plain { return background }
        // Shapes: none, one or two layers.
        let layers = r.weightedIndex([0.35, 0.45, 0.2])
        var used = colors.map(\.rgb)
        var shapes: [SynthDecoration.Shape] = []
        for _ in 0..<layers {
            let shape = r.pickWeighted([(SynthDecoration.Shape.circles, 0.3), (.rectangles, 0.2), (.stripes, 0.2),
                                        (.dots, 0.12), (.border, 0.18)])
            if shapes.contains(shape) { continue }
            shapes.append(shape)
            let color = pickDistinct(from: palette, awayFrom: used, minimum: 120, random: &r)
            used.append(color.rgb)
            let count = background.drawShapes(shape, color: color, canvas: &canvas, random: &r)
            background.decorations.append(SynthDecoration(shape: shape, color: color, count: count))
        }
        if r.chance(0.25) {
            background.grainy = true
            canvas.addGrain(amplitude: r.int(6...16), random: &r)
        }
        background.image = canvas.image
        return background
    }

    /// Draws one decoration layer; returns how many shapes it drew.
    private func drawShapes(_ shape: SynthDecoration.Shape, color named: NamedColor, canvas: inout SynthCanvas,
                            random r: inout SynthRandom) -> Int {
        let size = Double(canvas.size)
        let color = SynthPalette.jittered(named, amount: 8, random: &r)
        switch shape {
        case .circles:
            let count = r.int(1...5)
            for _ in 0..<count {
                canvas.disk(cx: r.uniform(-0.1...1.1) * size, cy: r.uniform(-0.1...1.1) * size,
                            radius: r.uniform(0.05...0.3) * size, color: color, opacity: r.uniform(0.6...1))
            }
            return count
        case .rectangles:
            let count = r.int(1...4)
            for _ in 0..<count {
                let w = r.uniform(0.15...0.6) * size, h = r.uniform(0.08...0.4) * size
                let x = r.uniform(-0.1...0.9) * size, y = r.uniform(-0.1...0.9) * size
                canvas.rect(minX: Int(x), minY: Int(y), maxX: Int(x + w), maxY: Int(y + h), color: color, opacity: r.uniform(0.6...1))
            }
            return count
        case .stripes:
            let period = r.uniform(0.05...0.16) * size
            canvas.stripes(period: period, duty: r.uniform(0.25...0.5), angle: r.pick([0, 0.25, 0.5, 0.75]) * Double.pi,
                           color: color, opacity: r.uniform(0.35...0.8))
            return 1
        case .dots:
            let spacing = r.uniform(0.06...0.12) * size
            canvas.dots(spacing: spacing, radius: spacing * r.uniform(0.12...0.25), color: color, opacity: r.uniform(0.5...0.9))
            return 1
        case .border:
            let inset = Int(r.uniform(0.015...0.05) * size), thickness = max(2, Int(r.uniform(0.008...0.025) * size))
            canvas.image.strokeRect(minX: inset, minY: inset, maxX: canvas.size - inset, maxY: canvas.size - inset,
                                    thickness: thickness, color: color)
            return 1
        }
    }

    /// A palette colour at least `minimum` (RGB distance) from every colour in `others`.
    static func pickDistinct(from palette: [NamedColor], awayFrom others: [RGBColor], minimum: Double,
                             random r: inout SynthRandom) -> NamedColor {
        let far = palette.filter { c in others.allSatisfy { SynthPalette.distance(c.rgb, $0) >= minimum } }
        return r.pick(far.isEmpty ? palette : far)
    }
}

/// A square RGB canvas with the drawing operations backgrounds need, written
/// on raw buffers so they stay quick in debug builds too.
struct SynthCanvas {
    var image: RGBImage
    var size: Int { image.width }

    init(size: Int) { image = RGBImage(width: size, height: size) }
    init(image: RGBImage) { self.image = image }

    mutating func fill(_ color: RGBColor) {
        image = RGBImage(width: image.width, height: image.height, fill: color)
    }

    /// Colour from `a` to `b` along direction `angle` (radians, 0 = left to right).
    mutating func linearGradient(from a: RGBColor, to b: RGBColor, angle: Double) {
        image = .linearGradient(width: size, height: size, from: a, to: b, angle: angle)
    }

    /// `centre` at (cx, cy) (fractions of the side) fading to `edge` at `radius` sides.
    mutating func radialGradient(centre a: RGBColor, edge b: RGBColor, cx: Double, cy: Double, radius: Double) {
        image = .radialGradient(width: size, height: size, centre: a, edge: b, cx: cx, cy: cy, radius: radius)
    }

    /// Blends `color` into pixel i at coverage `alpha` (0...1).
    @inline(__always)
    private static func blend(_ p: UnsafeMutableBufferPointer<UInt8>, _ i: Int, _ color: RGBColor, _ alpha: Double) {
        let a = Int(alpha * 256)
        if a <= 0 { return }
        let keep = 256 - a
        p[i] = UInt8((Int(color.red) * a + Int(p[i]) * keep) >> 8)
        p[i + 1] = UInt8((Int(color.green) * a + Int(p[i + 1]) * keep) >> 8)
        p[i + 2] = UInt8((Int(color.blue) * a + Int(p[i + 2]) * keep) >> 8)
    }

    /// An anti-aliased filled circle.
    mutating func disk(cx: Double, cy: Double, radius: Double, color: RGBColor, opacity: Double) {
        let n = size
        let x0 = max(0, Int(cx - radius - 1)), x1 = min(n - 1, Int(cx + radius + 1))
        let y0 = max(0, Int(cy - radius - 1)), y1 = min(n - 1, Int(cy + radius + 1))
        guard x0 <= x1, y0 <= y1 else { return }
        image.pixels.withUnsafeMutableBufferPointer { p in
            for y in y0...y1 {
                for x in x0...x1 {
                    let dx = Double(x) + 0.5 - cx, dy = Double(y) + 0.5 - cy
                    let coverage = max(0, min(1, radius - (dx * dx + dy * dy).squareRoot() + 0.5))
                    if coverage > 0 { Self.blend(p, (y * n + x) * 3, color, coverage * opacity) }
                }
            }
        }
    }

    /// A filled rectangle, clipped.
    mutating func rect(minX: Int, minY: Int, maxX: Int, maxY: Int, color: RGBColor, opacity: Double) {
        let n = size
        let x0 = max(0, minX), x1 = min(n, maxX), y0 = max(0, minY), y1 = min(n, maxY)
        guard x0 < x1, y0 < y1 else { return }
        image.pixels.withUnsafeMutableBufferPointer { p in
            for y in y0..<y1 { for x in x0..<x1 { Self.blend(p, (y * n + x) * 3, color, opacity) } }
        }
    }

    /// Parallel bands across the whole canvas: `duty` of each `period` is coloured.
    mutating func stripes(period: Double, duty: Double, angle: Double, color: RGBColor, opacity: Double) {
        let n = size, nx = -sin(angle), ny = cos(angle)
        image.pixels.withUnsafeMutableBufferPointer { p in
            for y in 0..<n {
                for x in 0..<n {
                    var phase = ((Double(x) + 0.5) * nx + (Double(y) + 0.5) * ny) / period
                    phase -= phase.rounded(.down)
                    // Distance (in periods) from the band's centre line; edges soft over one pixel.
                    let offCentre = abs(phase - duty / 2), distance = min(offCentre, 1 - offCentre)
                    let coverage = max(0, min(1, (duty / 2 - distance) * period + 0.5))
                    if coverage > 0 { Self.blend(p, (y * n + x) * 3, color, coverage * opacity) }
                }
            }
        }
    }

    /// A regular grid of small disks (offset every other row).
    mutating func dots(spacing: Double, radius: Double, color: RGBColor, opacity: Double) {
        var row = 0
        var y = spacing / 2
        while y < Double(size) + radius {
            var x = spacing / 2 + (row % 2 == 1 ? spacing / 2 : 0)
            while x < Double(size) + radius {
                disk(cx: x, cy: y, radius: radius, color: color, opacity: opacity)
                x += spacing
            }
            y += spacing
            row += 1
        }
    }

    /// Monochrome film grain: every pixel moved by the same uniform offset on each channel.
    mutating func addGrain(amplitude: Int, random r: inout SynthRandom) {
        let count = size * size
        var bits: UInt64 = 0
        image.pixels.withUnsafeMutableBufferPointer { p in
            for i in 0..<count {
                if i % 8 == 0 { bits = r.next() }
                let offset = (Int(bits & 0xFF) - 128) * amplitude / 128
                bits >>= 8
                for c in 0..<3 { p[3 * i + c] = UInt8(max(0, min(255, Int(p[3 * i + c]) + offset))) }
            }
        }
    }

    /// Paints `color` through a coverage crop whose top-left pixel lands at (x0, y0).
    mutating func paint(_ color: RGBColor, mask: GrayImage, atX x0: Int, y y0: Int, opacity: Double = 1) {
        let n = size, scale = Int(max(0, min(1, opacity)) * 256)
        let colors = [Int(color.red), Int(color.green), Int(color.blue)]
        image.pixels.withUnsafeMutableBufferPointer { p in
            mask.pixels.withUnsafeBufferPointer { m in
                for row in max(0, -y0)..<max(max(0, -y0), min(mask.height, n - y0)) {
                    for column in max(0, -x0)..<max(max(0, -x0), min(mask.width, n - x0)) {
                        let a = Int(m[row * mask.width + column]) * scale >> 8
                        if a == 0 { continue }
                        let i = ((y0 + row) * n + x0 + column) * 3
                        for c in 0..<3 { p[i + c] = UInt8((colors[c] * a + Int(p[i + c]) * (255 - a) + 127) / 255) }
                    }
                }
            }
        }
    }
}
