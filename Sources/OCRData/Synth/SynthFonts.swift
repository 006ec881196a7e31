import GlyphRender

/// The manifest's Latin text fonts sorted into the style classes a caption
/// can name (sans, bold, serif, condensed, display, script), with the odds
/// each role draws them at: titles take display and script faces, small
/// footers stay with plain faces that read at 24 px.
struct SynthFonts: Sendable {
    struct Face: Sendable {
        var family: String
        /// sans, bold, serif, condensed-display, display, script (or the manifest's own category).
        var styleClass: String

        /// The caption's adjective ("" for plain sans).
        var adjective: String {
            switch styleClass {
            case "sans": return ""
            case "bold", "display": return "bold"
            case "condensed-display": return "condensed"
            default: return styleClass
            }
        }

        /// Caps-only faces: text set in them is upper-cased so the ground truth matches what shows.
        var capsOnly: Bool { family.lowercased().contains("bebas") }
    }

    var faces: [Face]

    init(manifest: FontManifest) throws(SynthError) {
        faces = manifest.fonts.compactMap { entry in
            guard entry.category != "fallback", entry.scripts.contains("Latin") else { return nil }
            let bold = entry.category == "sans" && entry.style.lowercased().contains("bold")
            return Face(family: entry.family, styleClass: bold ? "bold" : entry.category)
        }
        guard !faces.isEmpty else {
            throw SynthError("the font manifest at \(manifest.directory.path) lists no Latin text fonts (categories sans, serif, display, script)")
        }
    }

    /// A face for `role` at a line height of `gridHeight` units.
    func pick(for role: SynthRole, gridHeight: Int, random r: inout SynthRandom) -> Face {
        let weights: [String: Double]
        switch role {
        case .title: weights = ["display": 3, "condensed-display": 3, "bold": 3, "serif": 2, "script": 2, "sans": 1]
        case .subtitle: weights = ["sans": 2, "bold": 2, "serif": 2, "script": gridHeight >= 9 ? 1.5 : 0, "condensed-display": 1, "display": 1]
        case .body, .footer: weights = ["sans": 3, "serif": 2, "bold": 2, "condensed-display": 1, "display": 0.5]
        case .badge: weights = ["bold": 3, "display": 3, "condensed-display": 2, "sans": 0.5]
        }
        let choices = faces.map { ($0, weights[$0.styleClass] ?? 0) }
        if choices.contains(where: { $0.1 > 0 }) { return r.pickWeighted(choices) }
        return r.pick(faces)
    }
}
