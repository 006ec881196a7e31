import XCTest
import GlyphRender
import PosterCore

/// Characters the chosen font lacks fall back through the chain; characters no font has are reported.
final class FallbackTests: XCTestCase {
    let renderer = GlyphRenderer(manifest: TestFonts.manifest)
    let box = GridBox(left: 4, top: 40, right: 124, bottom: 80)

    func fonts(_ text: String, font: String? = nil) throws -> [String] {
        try renderer.render(TestFonts.layout([(text, box)]), options: GlyphRenderOptions(font: font)).lines[0].fonts
    }

    func testEachScriptFindsItsFont() throws {
        XCTAssertEqual(try fonts("Hello"), ["Liberation Sans"])
        XCTAssertEqual(try fonts("你好世界"), ["Noto Sans CJK SC"])
        XCTAssertEqual(try fonts("こんにちは"), ["Noto Sans CJK SC"])
        XCTAssertEqual(try fonts("مرحبا"), ["Noto Sans Arabic"])
        XCTAssertEqual(try fonts("नमस्ते"), ["Noto Sans Devanagari"])
    }

    func testMixedLineUsesPrimaryThenFallbacks() throws {
        XCTAssertEqual(try fonts("Sale 特价"), ["Liberation Sans", "Noto Sans CJK SC"])
        // Lobster has Latin only: Cyrillic falls back to the Latin default, CJK further down the chain.
        XCTAssertEqual(try fonts("Sale Лето 夏", font: "Lobster"), ["Lobster", "Liberation Sans", "Noto Sans CJK SC"])
        // Spaces and digits between scripts stay in the run of the font before them.
        let mask = try renderer.render(TestFonts.layout([("50% 折扣", box)]))
        XCTAssertEqual(mask.characters.count, 6)
    }

    func testCharacterNoFontHasIsReportedWithItsPlace() throws {
        let layout = try TestFonts.layout([("fine", box), ("ab\u{0F00}c", GridBox(left: 4, top: 90, right: 124, bottom: 120))])
        XCTAssertThrowsError(try renderer.render(layout)) { error in
            guard case GlyphRenderError.missingGlyph(let character, let line, let position, let fonts) = error else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertEqual(character, "\u{0F00}")
            XCTAssertEqual(line, 2)
            XCTAssertEqual(position, 3)
            XCTAssertTrue(fonts.contains("Noto Sans CJK SC"))
            XCTAssertTrue(String(describing: error).contains("U+0F00"))
        }
    }

    func testFontByFileAndUnknownFont() throws {
        let path = TestFonts.manifest.directory.appendingPathComponent("BebasNeue-Regular.otf").path
        XCTAssertEqual(try fonts("POSTER", font: path), ["BebasNeue-Regular.otf"])
        XCTAssertEqual(try fonts("POSTER", font: "bebas neue"), ["Bebas Neue"], "family names are case-insensitive")
        XCTAssertThrowsError(try fonts("x", font: "No Such Font")) { error in
            XCTAssertTrue(String(describing: error).contains("unknown font 'No Such Font'"))
            XCTAssertTrue(String(describing: error).contains("Liberation Sans"))
        }
    }
}
