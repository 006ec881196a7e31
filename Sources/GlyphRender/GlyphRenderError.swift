/// Why GlyphRender could not draw a layout: each case names what and where.
public enum GlyphRenderError: Error, Hashable, Sendable, CustomStringConvertible {
    case fontManifest(String)
    case unknownFont(String, known: [String])
    case fontLoad(path: String, reason: String)
    /// A character that no font in the chain has: line (1-based), character position (1-based).
    case missingGlyph(character: String, line: Int, position: Int, fonts: [String])

    public var description: String {
        switch self {
        case .fontManifest(let message):
            return "font manifest: \(message)"
        case .unknownFont(let name, let known):
            return "unknown font '\(name)': not a family in the manifest nor a font file (families: \(known.joined(separator: ", ")))"
        case .fontLoad(let path, let reason):
            return "cannot load font \(path): \(reason)"
        case .missingGlyph(let character, let line, let position, let fonts):
            let codes = character.unicodeScalars.map { scalar -> String in
                let hex = String(scalar.value, radix: 16, uppercase: true)
                return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            }.joined(separator: " ")
            return "line \(line), character \(position): no font has '\(character)' (\(codes)); tried \(fonts.joined(separator: ", "))"
        }
    }
}
