import Dispatch
import Foundation
import PosterCore

/// The `poster bench glyph` job, fixed so a peer (bench/glyph_pillow.py) can run
/// exactly the same one: 512x512 canvases, four lines each fitted into a
/// 448x80 box, phrases from a fixed list, Liberation Sans.
public enum GlyphBenchmark {
    public static let canvas = CanvasSize.standard
    public static let font = "Liberation Sans"
    /// Four stacked boxes, 448x80 px on a 512 canvas.
    public static let boxes: [GridBox] = (0..<4).map { GridBox(left: 8, top: 8 + 30 * $0, right: 120, bottom: 28 + 30 * $0) }

    static let words = [
        "SUMMER", "Sale", "grand", "OPENING", "Coffee", "house", "Jazz", "night", "Fresh", "bakery", "BOOK", "club",
        "Winter", "Festival", "Organic", "market", "Live", "MUSIC", "Vintage", "store", "Happy", "Birthday", "Yoga",
        "class", "Street", "FOOD", "Craft", "beer", "Art", "SHOW", "Ocean", "view", "Pizza", "Express", "City",
        "lights", "Garden", "party", "Movie", "PREMIERE", "Space", "quest", "Golden", "hour", "Farm", "Stand",
        "Midnight", "Run", "Cyber", "Monday", "Spring", "Bloom", "Tech", "Summit", "Wild", "river", "Sunday",
        "brunch", "Retro", "Arcade", "Green", "Planet", "Island", "dreams",
    ]

    /// The fixed list of 512 one- and two-word phrases the job cycles through.
    public static let phrases: [String] = (0..<512).map { i in
        let first = words[(i * 7 + 3) % words.count]
        return i % 3 == 0 ? first : first + " " + words[(i * 11 + 5) % words.count]
    }

    /// The texts of mask `index`'s four lines.
    public static func texts(ofMask index: Int) -> [String] {
        (0..<4).map { phrases[(index * 4 + $0) % phrases.count] }
    }

    public static func layout(ofMask index: Int) -> Layout {
        // The boxes and canvas are valid by construction.
        try! Layout(canvas: canvas, lines: zip(boxes, texts(ofMask: index)).map { LayoutLine(box: $0, text: $1) })
    }

    public struct Result: Sendable {
        public var masks: Int
        public var seconds: Double
        public var threads: Int
        public var masksPerSecond: Double { Double(masks) / seconds }
    }

    /// Renders masks for at least `seconds` on `threads` threads (one renderer
    /// each, warmed up on one pass over the phrases first) and reports the rate.
    /// With `coldGlyphs` every mask starts with an empty glyph cache, so each glyph is rasterised again.
    public static func run(manifest: FontManifest, seconds: Double, threads: Int, coldGlyphs: Bool = false) throws(GlyphRenderError) -> Result {
        let layouts = (0..<(phrases.count / 4)).map(layout(ofMask:))
        var renderers: [GlyphRenderer] = []
        for _ in 0..<threads {
            let renderer = GlyphRenderer(manifest: manifest)
            for layout in layouts { _ = try renderer.render(layout, options: GlyphRenderOptions(font: font)) }
            renderers.append(renderer)
        }
        let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: threads)
        counts.initialize(repeating: 0)
        defer { counts.deallocate() }
        let start = DispatchTime.now().uptimeNanoseconds
        let deadline = start + UInt64(seconds * 1e9)
        nonisolated(unsafe) let shared = (renderers, counts)
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            let renderer = shared.0[t]
            var done = 0
            var index = t
            repeat {
                for _ in 0..<16 {
                    if coldGlyphs { renderer.discardRenderedGlyphs() }
                    _ = try? renderer.render(layouts[index % layouts.count], options: GlyphRenderOptions(font: font))
                    index += threads
                    done += 1
                }
            } while DispatchTime.now().uptimeNanoseconds < deadline
            shared.1[t] = done
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return Result(masks: counts.reduce(0, +), seconds: elapsed, threads: threads)
    }
}
