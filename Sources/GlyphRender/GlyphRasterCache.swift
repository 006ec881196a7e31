import CFreeType

/// Anti-aliased glyph bitmaps, rendered once per (face, glyph, scale, subpixel
/// phase) and reused: posters repeat letters and sizes, so most draws are copies.
/// Glyphs are loaded unscaled and scaled by an outline transform, so any
/// fractional size and any horizontal/vertical stretch renders exactly
/// (FreeType's own sizing may round TrueType sizes to whole pixels).
final class GlyphRasterCache {
    struct Key: Hashable {
        var faceID: Int32
        var glyph: UInt32
        /// Pixels per em, in 1/64 px, horizontally and vertically.
        var scaleX: Int32
        var scaleY: Int32
        /// Subpixel phase of the origin, in 1/`phases` px.
        var phaseX: UInt8
        var phaseY: UInt8
    }

    struct Bitmap {
        /// Offset of the bitmap's top-left pixel from the integer origin (y down).
        var left: Int
        var top: Int
        var width: Int
        var height: Int
        var pixels: [UInt8]
    }

    /// Subpixel positions per pixel on each axis.
    static let phases = 4
    /// Entries kept before the cache is emptied (about 40 MB of bitmaps at poster sizes).
    private let capacity: Int
    private var bitmaps: [Key: Bitmap] = [:]

    init(capacity: Int = 16_384) { self.capacity = capacity }

    func removeAll() { bitmaps.removeAll(keepingCapacity: true) }

    func bitmap(_ key: Key, face: FontFace) -> Bitmap {
        if let hit = bitmaps[key] { return hit }
        if bitmaps.count >= capacity { bitmaps.removeAll(keepingCapacity: true) }
        let bitmap = render(key, face: face)
        bitmaps[key] = bitmap
        return bitmap
    }

    private func render(_ key: Key, face: FontFace) -> Bitmap {
        let empty = Bitmap(left: 0, top: 0, width: 0, height: 0, pixels: [])
        let ftFace = face.face
        guard FT_Load_Glyph(ftFace, key.glyph, Int32(FT_LOAD_NO_SCALE | FT_LOAD_NO_BITMAP)) == 0 else { return empty }
        let slot = ftFace.pointee.glyph!
        guard slot.pointee.format == FT_GLYPH_FORMAT_OUTLINE else { return empty }
        // Font units -> 26.6 pixels, as a 16.16 matrix; y stays up as FreeType wants.
        let upem = face.unitsPerEm
        var matrix = FT_Matrix(xx: FT_Fixed((Double(key.scaleX) / upem * 65536).rounded()), xy: 0,
                               yx: 0, yy: FT_Fixed((Double(key.scaleY) / upem * 65536).rounded()))
        FT_Outline_Transform(&slot.pointee.outline, &matrix)
        let unit = 64 / Self.phases
        FT_Outline_Translate(&slot.pointee.outline, FT_Pos(Int(key.phaseX) * unit), FT_Pos(-Int(key.phaseY) * unit))
        guard FT_Render_Glyph(slot, FT_RENDER_MODE_NORMAL) == 0 else { return empty }
        let bitmap = slot.pointee.bitmap
        let width = Int(bitmap.width), height = Int(bitmap.rows), pitch = Int(bitmap.pitch)
        guard width > 0, height > 0, let buffer = bitmap.buffer else { return empty }
        var pixels = [UInt8](repeating: 0, count: width * height)
        for row in 0..<height {
            let source = pitch >= 0 ? buffer + row * pitch : buffer + (height - 1 - row) * (-pitch)
            for column in 0..<width { pixels[row * width + column] = source[column] }
        }
        return Bitmap(left: Int(slot.pointee.bitmap_left), top: -Int(slot.pointee.bitmap_top),
                      width: width, height: height, pixels: pixels)
    }
}
