import CHarfBuzz

/// Turns a line of text into positioned glyphs: picks a font for each
/// character through the fallback chain (the chosen font first, then Latin ->
/// CJK -> Arabic -> Devanagari), splits the line into runs of one font, and
/// shapes each run with HarfBuzz (kerning, ligatures, Arabic joining, Indic
/// reordering) with the whole line as context.
final class TextShaper {
    private let fonts: FontCache
    private let buffer: OpaquePointer

    init(fonts: FontCache) {
        self.fonts = fonts
        self.buffer = hb_buffer_create()
    }

    deinit { hb_buffer_destroy(buffer) }

    /// Shapes `text`; `lineNumber` (1-based) only names the line in errors.
    func shape(_ text: String, chain: [FontSource], lineNumber: Int) throws(GlyphRenderError) -> ShapedLine {
        let characters = Array(text)
        var scalars: [UInt32] = []
        var scalarToCharacter: [Int] = []
        var characterStart: [Int] = []
        for (index, character) in characters.enumerated() {
            characterStart.append(scalars.count)
            for scalar in character.unicodeScalars {
                scalars.append(scalar.value)
                scalarToCharacter.append(index)
            }
        }
        characterStart.append(scalars.count)

        // Font per character, then runs of one font.
        var runs: [(source: FontSource, characters: Range<Int>)] = []
        var current: FontSource? = nil
        for (index, character) in characters.enumerated() {
            let source = try pickFont(for: character, current: current, chain: chain, line: lineNumber, position: index + 1)
            if let last = runs.last, last.source == source, last.characters.upperBound == index {
                runs[runs.count - 1].characters = last.characters.lowerBound..<(index + 1)
            } else {
                runs.append((source, index..<(index + 1)))
            }
            current = source
        }

        var shapedRuns: [(glyphs: [ShapedLine.Glyph], advance: Double, rtl: Bool)] = []
        for run in runs {
            let face = try fonts.face(run.source)
            shapedRuns.append(shapeRun(face: face, faceID: fonts.id(of: run.source),
                                       scalars: scalars, range: characterStart[run.characters.lowerBound]..<characterStart[run.characters.upperBound],
                                       scalarToCharacter: scalarToCharacter, characterCount: characters.count))
        }
        // Runs follow the line's base direction: a line that starts right-to-left lays its runs out from the right.
        if shapedRuns.first?.rtl == true { shapedRuns.reverse() }

        var glyphs: [ShapedLine.Glyph] = []
        var pen = 0.0
        var ink = EmRect.empty
        var ascender = 0.0, descender = 0.0
        for run in shapedRuns {
            for g in run.glyphs {
                let moved = ShapedLine.Glyph(
                    face: g.face, faceID: g.faceID, glyph: g.glyph, x: g.x + pen, y: g.y,
                    ink: g.ink.isEmpty ? g.ink : EmRect(minX: g.ink.minX + pen, minY: g.ink.minY, maxX: g.ink.maxX + pen, maxY: g.ink.maxY),
                    advanceStart: g.advanceStart + pen, advanceEnd: g.advanceEnd + pen,
                    characters: g.characters, cluster: g.cluster, rightToLeft: g.rightToLeft)
                ink.formUnion(moved.ink)
                ascender = max(ascender, g.face.ascender)
                descender = min(descender, g.face.descender)
                glyphs.append(moved)
            }
            pen += run.advance
        }
        if ink.isEmpty {
            ink = EmRect(minX: 0, minY: -ascender, maxX: max(pen, 1e-6), maxY: -descender)
        }
        return ShapedLine(glyphs: glyphs, characters: characters, advance: pen, ink: ink)
    }

    /// Characters every font spells the same way (spaces, digits, punctuation)
    /// stay in the current run when its font has them, so a fallback font does
    /// not split a line at every space.
    private func pickFont(for character: Character, current: FontSource?, chain: [FontSource],
                          line: Int, position: Int) throws(GlyphRenderError) -> FontSource {
        let isCommon = character.unicodeScalars.allSatisfy { $0.properties.generalCategory.isCommonToScripts }
        if isCommon, let current, try covers(current, character) { return current }
        for source in chain where try covers(source, character) { return source }
        throw .missingGlyph(character: String(character), line: line, position: position, fonts: chain.map(\.name))
    }

    private func covers(_ source: FontSource, _ character: Character) throws(GlyphRenderError) -> Bool {
        let face = try fonts.face(source)
        for scalar in character.unicodeScalars where !scalar.isFormatIgnorable {
            if face.glyph(for: scalar) == 0 { return false }
        }
        return true
    }

    private func shapeRun(face: FontFace, faceID: Int, scalars: [UInt32], range: Range<Int>,
                          scalarToCharacter: [Int], characterCount: Int) -> (glyphs: [ShapedLine.Glyph], advance: Double, rtl: Bool) {
        hb_buffer_clear_contents(buffer)
        scalars.withUnsafeBufferPointer { all in
            hb_buffer_add_codepoints(buffer, all.baseAddress, Int32(all.count), UInt32(range.lowerBound), Int32(range.count))
        }
        hb_buffer_guess_segment_properties(buffer)
        let rtl = hb_buffer_get_direction(buffer) == HB_DIRECTION_RTL
        hb_shape(face.hbFont, buffer, nil, 0)
        var count: UInt32 = 0
        let infos = hb_buffer_get_glyph_infos(buffer, &count)!
        let positions = hb_buffer_get_glyph_positions(buffer, &count)!
        let n = Int(count)
        let upem = face.unitsPerEm

        // Each cluster covers the scalars from its value up to the next larger cluster value.
        var clusterValues = Set<Int>()
        for i in 0..<n { clusterValues.insert(Int(infos[i].cluster)) }
        let sortedClusters = clusterValues.sorted()
        var clusterEnd: [Int: Int] = [:]
        for (k, value) in sortedClusters.enumerated() {
            clusterEnd[value] = k + 1 < sortedClusters.count ? sortedClusters[k + 1] : range.upperBound
        }
        func characters(ofCluster value: Int) -> Range<Int> {
            let first = scalarToCharacter[value]
            let end = clusterEnd[value]!
            let last = end < scalarToCharacter.count ? scalarToCharacter[end] : characterCount
            return first..<max(first + 1, last)
        }

        var glyphs: [ShapedLine.Glyph] = []
        glyphs.reserveCapacity(n)
        var pen = 0.0
        for i in 0..<n {
            let gid = infos[i].codepoint
            let pos = positions[i]
            let x = pen + Double(pos.x_offset) / upem
            let y = Double(pos.y_offset) / upem
            let e = face.extents(of: gid)
            var ink = EmRect.empty
            if e.width != 0 && e.height != 0 {
                let left = x + Double(e.x_bearing) / upem
                let top = -(y + Double(e.y_bearing) / upem)
                ink = EmRect(minX: min(left, left + Double(e.width) / upem), minY: top,
                             maxX: max(left, left + Double(e.width) / upem), maxY: top - Double(e.height) / upem)
            }
            let advance = Double(pos.x_advance) / upem
            glyphs.append(ShapedLine.Glyph(face: face, faceID: faceID, glyph: gid, x: x, y: y, ink: ink,
                                           advanceStart: pen, advanceEnd: pen + advance,
                                           characters: characters(ofCluster: Int(infos[i].cluster)),
                                           cluster: Int(infos[i].cluster), rightToLeft: rtl))
            pen += advance
        }
        return (glyphs, pen, rtl)
    }
}

extension Unicode.GeneralCategory {
    /// Spaces, punctuation, symbols and digits: characters shared by scripts.
    var isCommonToScripts: Bool {
        switch self {
        case .spaceSeparator, .decimalNumber, .otherPunctuation, .dashPunctuation, .openPunctuation,
             .closePunctuation, .initialPunctuation, .finalPunctuation, .connectorPunctuation,
             .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return true
        default:
            return false
        }
    }
}

extension Unicode.Scalar {
    /// Joiners and variation selectors: fonts need no glyph of their own for them.
    var isFormatIgnorable: Bool {
        switch value {
        case 0x200C, 0x200D, 0xFE00...0xFE0F, 0xE0100...0xE01EF: return true
        default: return properties.isDefaultIgnorableCodePoint
        }
    }
}
