import CFreeType
import CHarfBuzz

/// One loaded font face: FreeType for coverage and rasterising, HarfBuzz (its
/// own OpenType functions, unhinted, scale = units per em, as `hb-shape` uses)
/// for shaping and glyph extents. Not thread-safe: one per renderer.
final class FontFace {
    let source: FontSource
    let face: FT_Face
    let hbFont: OpaquePointer
    let unitsPerEm: Double
    /// Ascender and descender in em units (y up), for lines with no ink.
    let ascender: Double
    let descender: Double
    private var coverage: [UInt32: UInt32] = [:]
    private var extentsCache: [UInt32: hb_glyph_extents_t] = [:]
    /// The pixel size FreeType is currently set to, in 26.6.
    private var currentSize: (Int, Int) = (-1, -1)

    init(source: FontSource, library: FT_Library) throws(GlyphRenderError) {
        self.source = source
        var face: FT_Face?
        let error = FT_New_Face(library, source.path, FT_Long(source.faceIndex), &face)
        guard error == 0, let face else {
            throw .fontLoad(path: source.path, reason: "FreeType error \(error)")
        }
        guard let blob = hb_blob_create_from_file_or_fail(source.path) else {
            FT_Done_Face(face)
            throw .fontLoad(path: source.path, reason: "HarfBuzz cannot read the file")
        }
        let hbFace = hb_face_create(blob, UInt32(source.faceIndex))
        hb_blob_destroy(blob)
        let font = hb_font_create(hbFace)!
        hb_face_destroy(hbFace)
        self.face = face
        self.hbFont = font
        let upem = Double(hb_face_get_upem(hb_font_get_face(font)))
        self.unitsPerEm = upem
        var extents = hb_font_extents_t()
        hb_font_get_h_extents(font, &extents)
        self.ascender = Double(extents.ascender) / upem
        self.descender = Double(extents.descender) / upem
    }

    deinit {
        hb_font_destroy(hbFont)
        FT_Done_Face(face)
    }

    /// The nominal glyph for a scalar, 0 when the face lacks it.
    func glyph(for scalar: Unicode.Scalar) -> UInt32 {
        if let cached = coverage[scalar.value] { return cached }
        let index = UInt32(FT_Get_Char_Index(face, FT_ULong(scalar.value)))
        coverage[scalar.value] = index
        return index
    }

    /// Ink extents of a glyph in font units (y up: y_bearing is the top, height negative).
    func extents(of glyph: UInt32) -> hb_glyph_extents_t {
        if let cached = extentsCache[glyph] { return cached }
        var extents = hb_glyph_extents_t()
        _ = hb_font_get_glyph_extents(hbFont, glyph, &extents)
        extentsCache[glyph] = extents
        return extents
    }

    /// Sets FreeType's pixel size (26.6, horizontal and vertical may differ for stretched text).
    func setPixelSize(x: Int, y: Int) {
        if currentSize == (x, y) { return }
        FT_Set_Char_Size(face, FT_F26Dot6(x), FT_F26Dot6(y), 72, 72)
        currentSize = (x, y)
    }
}

/// Owns the FreeType library and the faces loaded from it, each loaded once, on first use.
final class FontCache {
    let library: FT_Library
    private var faces: [FontSource: FontFace] = [:]
    private var ids: [FontSource: Int] = [:]

    init() {
        var library: FT_Library?
        let error = FT_Init_FreeType(&library)
        precondition(error == 0 && library != nil, "FreeType failed to initialise (error \(error))")
        self.library = library!
    }

    deinit {
        faces.removeAll()
        FT_Done_FreeType(library)
    }

    func face(_ source: FontSource) throws(GlyphRenderError) -> FontFace {
        if let face = faces[source] { return face }
        let face = try FontFace(source: source, library: library)
        faces[source] = face
        ids[source] = ids.count
        return face
    }

    /// A small stable number per loaded face, for glyph cache keys.
    func id(of source: FontSource) -> Int { ids[source] ?? -1 }
}
