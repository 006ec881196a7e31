import Foundation

/// The curated font set: `fonts/manifest.json` plus the folder it lives in.
/// Fonts are chosen by family name (case-insensitive) or by file path, and a
/// fallback chain (Latin -> CJK -> Arabic -> Devanagari) covers what the chosen
/// font lacks.
public struct FontManifest: Sendable {
    public var directory: URL
    public var fonts: [FontEntry]
    /// Families tried, in order, for characters the chosen font lacks.
    public var fallback: [String]
    public var defaultFamily: String

    private struct File: Decodable {
        var fonts: [FontEntry]
        var fallback: [String]
        var `default`: String
    }

    public init(directory: URL, fonts: [FontEntry], fallback: [String], defaultFamily: String) {
        self.directory = directory
        self.fonts = fonts
        self.fallback = fallback
        self.defaultFamily = defaultFamily
    }

    public static func load(from directory: URL) throws(GlyphRenderError) -> FontManifest {
        let url = directory.appendingPathComponent("manifest.json")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw .fontManifest("cannot read \(url.path)")
        }
        let file: File
        do { file = try JSONDecoder().decode(File.self, from: data) } catch {
            throw .fontManifest("\(url.path) is not a valid font manifest: \(error)")
        }
        let manifest = FontManifest(directory: directory, fonts: file.fonts, fallback: file.fallback, defaultFamily: file.default)
        for family in file.fallback + [file.default] where manifest.entry(family: family) == nil {
            throw .fontManifest("\(url.path) names family '\(family)' in its fallback chain or default, but lists no such font")
        }
        return manifest
    }

    /// The project's own manifest: `$GLYPHPOSTER_FONTS`, else `fonts/` in the
    /// working directory, beside the executable (up to four folders up), or in
    /// the source tree this module was built from.
    public static func standard() throws(GlyphRenderError) -> FontManifest {
        try load(from: locateStandardDirectory())
    }

    public static func locateStandardDirectory() throws(GlyphRenderError) -> URL {
        let fm = FileManager.default
        var candidates: [URL] = []
        if let env = ProcessInfo.processInfo.environment["GLYPHPOSTER_FONTS"], !env.isEmpty {
            candidates.append(URL(fileURLWithPath: env))
        }
        candidates.append(URL(fileURLWithPath: fm.currentDirectoryPath).appendingPathComponent("fonts"))
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(dir.appendingPathComponent("fonts"))
            dir = dir.deletingLastPathComponent()
        }
        // Sources/GlyphRender/FontManifest.swift -> repository root.
        candidates.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fonts"))
        for candidate in candidates where fm.fileExists(atPath: candidate.appendingPathComponent("manifest.json").path) {
            return candidate
        }
        throw .fontManifest("no fonts/manifest.json found (looked in \(candidates.map(\.path).joined(separator: ", "))); set GLYPHPOSTER_FONTS")
    }

    public func entry(family: String) -> FontEntry? {
        let wanted = family.lowercased()
        return fonts.first { $0.family.lowercased() == wanted }
            ?? fonts.first { "\($0.family) \($0.style)".lowercased() == wanted }
    }

    /// Where an entry's file is.
    public func path(of entry: FontEntry) -> String {
        entry.file.hasPrefix("/") ? entry.file : directory.appendingPathComponent(entry.file).path
    }

    /// A font by family name, or a font file given by path (`--font FAMILY_OR_FILE`).
    public func resolve(_ familyOrFile: String) throws(GlyphRenderError) -> FontSource {
        if let entry = entry(family: familyOrFile) {
            return FontSource(name: entry.family, path: path(of: entry), faceIndex: entry.faceIndex ?? 0)
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: familyOrFile, isDirectory: &isDirectory), !isDirectory.boolValue {
            return FontSource(name: URL(fileURLWithPath: familyOrFile).lastPathComponent, path: familyOrFile, faceIndex: 0)
        }
        throw .unknownFont(familyOrFile, known: fonts.map(\.family))
    }

    /// The chain used for a line: the chosen font, then the manifest's fallbacks.
    public func chain(primary familyOrFile: String? = nil) throws(GlyphRenderError) -> [FontSource] {
        var sources = [try resolve(familyOrFile ?? defaultFamily)]
        for family in fallback {
            let source = try resolve(family)
            if !sources.contains(source) { sources.append(source) }
        }
        return sources
    }
}

/// A font file and face index to load.
public struct FontSource: Hashable, Sendable {
    public var name: String
    public var path: String
    public var faceIndex: Int

    public init(name: String, path: String, faceIndex: Int = 0) {
        self.name = name
        self.path = path
        self.faceIndex = faceIndex
    }
}
