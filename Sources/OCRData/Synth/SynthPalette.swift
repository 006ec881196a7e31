import PosterCore

/// A colour with the simple name captions use for it. Captions must say what
/// was drawn, so every colour the synthesizer paints comes from this fixed
/// palette (backgrounds and shapes with a small jitter that keeps the name
/// true; text exactly).
struct NamedColor: Hashable, Sendable {
    var name: String
    var rgb: RGBColor

    init(_ name: String, _ red: UInt8, _ green: UInt8, _ blue: UInt8) {
        self.name = name
        rgb = RGBColor(red: red, green: green, blue: blue)
    }

    /// BT.601 luma, the same weights as `RGBImage.luma()`: what OCR sees.
    var luma: Double { SynthPalette.luma(rgb) }
}

enum SynthPalette {
    static let white = NamedColor("white", 255, 255, 255)
    static let black = NamedColor("black", 0, 0, 0)

    /// Every named colour, in a fixed order (picks index into it).
    static let all: [NamedColor] = [
        white, black,
        NamedColor("gray", 128, 128, 128),
        NamedColor("light gray", 205, 205, 205),
        NamedColor("dark gray", 55, 55, 60),
        NamedColor("red", 215, 35, 35),
        NamedColor("dark red", 120, 15, 25),
        NamedColor("orange", 245, 135, 25),
        NamedColor("yellow", 250, 220, 40),
        NamedColor("cream", 250, 240, 210),
        NamedColor("beige", 220, 200, 160),
        NamedColor("brown", 115, 70, 35),
        NamedColor("green", 40, 160, 70),
        NamedColor("light green", 160, 225, 140),
        NamedColor("dark green", 20, 75, 40),
        NamedColor("teal", 20, 130, 130),
        NamedColor("light blue", 145, 200, 245),
        NamedColor("blue", 35, 90, 210),
        NamedColor("dark blue", 15, 30, 90),
        NamedColor("purple", 110, 45, 150),
        NamedColor("pink", 245, 150, 190),
        NamedColor("magenta", 210, 30, 150),
    ]

    /// Colours text is drawn in (a subset that reads as a clear colour word).
    static let text: [NamedColor] = all.filter {
        ["white", "black", "yellow", "red", "orange", "cream", "dark blue", "blue", "light blue",
         "dark green", "green", "pink", "purple", "dark red", "dark gray", "light green"].contains($0.name)
    }

    static func named(_ name: String) -> NamedColor { all.first { $0.name == name }! }

    static func luma(_ color: RGBColor) -> Double {
        (299 * Double(color.red) + 587 * Double(color.green) + 114 * Double(color.blue)) / 1000
    }

    /// The palette colour nearest to `color` (for describing photographs).
    static func nearest(to color: RGBColor) -> NamedColor {
        var best = all[0], bestDistance = Double.infinity
        for candidate in all {
            let dr = Double(candidate.rgb.red) - Double(color.red)
            let dg = Double(candidate.rgb.green) - Double(color.green)
            let db = Double(candidate.rgb.blue) - Double(color.blue)
            // Weighted like the eye (green counts most), a cheap perceptual distance.
            let distance = 2 * dr * dr + 4 * dg * dg + 3 * db * db
            if distance < bestDistance { bestDistance = distance; best = candidate }
        }
        return best
    }

    /// Squared RGB distance: whether two colours would read as different.
    static func distance(_ a: RGBColor, _ b: RGBColor) -> Double {
        let dr = Double(a.red) - Double(b.red), dg = Double(a.green) - Double(b.green), db = Double(a.blue) - Double(b.blue)
        return (dr * dr + dg * dg + db * db).squareRoot()
    }

    /// `color` moved by up to `amount` per channel: variety without changing its name.
    static func jittered(_ color: NamedColor, amount: Int, random: inout SynthRandom) -> RGBColor {
        func channel(_ value: UInt8) -> UInt8 { UInt8(max(0, min(255, Int(value) + random.int(-amount...amount)))) }
        return RGBColor(red: channel(color.rgb.red), green: channel(color.rgb.green), blue: channel(color.rgb.blue))
    }
}

/// The colour names synthetic captions use, with the colour each stands for:
/// what `poster eval ocr` checks a generated poster's colours against.
public enum CaptionColorNames {
    public static var all: [(name: String, rgb: RGBColor)] { SynthPalette.all.map { ($0.name, $0.rgb) } }
}
