import XCTest
import GlyphRender

/// The shipped font set: every font the manifest names loads and covers its scripts.
final class FontManifestTests: XCTestCase {
    func testManifestCoversTheRequiredCategoriesAndEveryFontRenders() throws {
        let manifest = TestFonts.manifest
        let categories = manifest.fonts.map(\.category)
        XCTAssertTrue(categories.contains("sans"))
        XCTAssertTrue(categories.contains("serif"))
        XCTAssertTrue(categories.contains("condensed-display"))
        XCTAssertGreaterThanOrEqual(categories.filter { $0 == "script" }.count, 2)
        let scripts = Set(manifest.fonts.flatMap(\.scripts))
        XCTAssertTrue(scripts.isSuperset(of: ["Latin", "Han", "Arabic", "Devanagari"]))
        let renderer = GlyphRenderer(manifest: manifest)
        let sample = ["Latin": "Abc", "Han": "漢字", "Arabic": "عربي", "Devanagari": "हिन्दी", "Cyrillic": "Жук", "Greek": "Ωμέγα",
                      "Hiragana": "ひらがな", "Katakana": "カタカナ", "Hangul": "한글"]
        for entry in manifest.fonts {
            XCTAssertTrue(FileManager.default.fileExists(atPath: manifest.path(of: entry)), entry.file)
            if let licence = entry.licenseFile {
                XCTAssertTrue(FileManager.default.fileExists(atPath: manifest.directory.appendingPathComponent(licence).path), licence)
            }
            for script in entry.scripts {
                let text = try XCTUnwrap(sample[script], script)
                let mask = try renderer.render(TestFonts.layout([(text, .init(left: 4, top: 4, right: 124, bottom: 60))]),
                                               options: GlyphRenderOptions(font: entry.family))
                XCTAssertEqual(mask.lines[0].fonts, [entry.family], "\(entry.family) draws \(script) itself")
                XCTAssertNotNil(mask.image.litBounds())
            }
        }
    }
}
