/// A line of text after font fallback and HarfBuzz shaping, in em units at
/// unit scale (positions are linear in size, so fitting is analytic).
struct ShapedLine {
    struct Glyph {
        let face: FontFace
        let faceID: Int
        let glyph: UInt32
        /// Glyph origin in em units: x from the line start, y up (HarfBuzz offsets).
        let x: Double
        let y: Double
        /// Ink rectangle in em units, y down (top < bottom); empty for blank glyphs.
        let ink: EmRect
        /// Pen span of the glyph's advance, in em units.
        let advanceStart: Double
        let advanceEnd: Double
        /// The characters (grapheme indices) of the glyph's cluster: more than
        /// one for a ligature, whose box is then shared out left to right
        /// (right to left in a right-to-left run).
        let characters: Range<Int>
        /// HarfBuzz's cluster: the index of the cluster's first Unicode scalar in the line.
        let cluster: Int
        let rightToLeft: Bool
    }

    let glyphs: [Glyph]
    let characters: [Character]
    /// Total advance in em units.
    let advance: Double
    /// Ink of the whole line (em, y down); falls back to advance x line height for blank text.
    let ink: EmRect
}

/// A rectangle in em units, y down.
struct EmRect {
    var minX: Double
    var minY: Double
    var maxX: Double
    var maxY: Double

    static let empty = EmRect(minX: .infinity, minY: .infinity, maxX: -.infinity, maxY: -.infinity)

    var isEmpty: Bool { !(maxX > minX && maxY > minY) }
    var width: Double { maxX - minX }
    var height: Double { maxY - minY }

    mutating func formUnion(_ other: EmRect) {
        if other.isEmpty { return }
        minX = min(minX, other.minX); minY = min(minY, other.minY)
        maxX = max(maxX, other.maxX); maxY = max(maxY, other.maxY)
    }
}
