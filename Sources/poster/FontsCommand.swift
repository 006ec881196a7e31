import ArgumentParser
import GlyphRender

/// `poster fonts`: the font manifest.
struct FontsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fonts", abstract: "List the fonts GlyphPoster ships and its fallback chain.")

    func run() throws {
        let manifest: FontManifest
        do { manifest = try FontManifest.standard() } catch { throw InputError(error) }
        print("fonts in \(manifest.directory.path)")
        for entry in manifest.fonts {
            let family = entry.family.padding(toLength: 22, withPad: " ", startingAt: 0)
            let category = entry.category.padding(toLength: 18, withPad: " ", startingAt: 0)
            print("  \(family) \(category) \(entry.scripts.joined(separator: ",")) [\(entry.license)] \(manifest.path(of: entry))")
        }
        print("default: \(manifest.defaultFamily)")
        print("fallback chain: \(manifest.fallback.joined(separator: " -> "))")
    }
}
