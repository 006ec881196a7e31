import Foundation
import XCTest
@testable import GlyphRender

/// GlyphRender's shaper gives exactly the glyphs, clusters, advances and
/// offsets that HarfBuzz's own `hb-shape` gives (fixture from tools/make_shaping_fixtures.sh).
final class ShapingFixtureTests: XCTestCase {
    struct Fixture: Decodable {
        struct Case: Decodable { var font: String; var text: String; var glyphs: [Glyph] }
        struct Glyph: Decodable { var g: UInt32; var cl: Int; var dx: Int; var dy: Int; var ax: Int; var ay: Int }
        var cases: [Case]
    }

    func testShapingMatchesHBShape() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "hb-shape", withExtension: "json", subdirectory: "Fixtures"))
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        XCTAssertGreaterThanOrEqual(fixture.cases.count, 4)
        let fonts = FontCache()
        let shaper = TextShaper(fonts: fonts)
        for testCase in fixture.cases {
            let source = FontSource(name: testCase.font, path: TestFonts.manifest.directory.appendingPathComponent(testCase.font).path)
            let line = try shaper.shape(testCase.text, chain: [source], lineNumber: 1)
            let upem = try fonts.face(source).unitsPerEm
            XCTAssertEqual(line.glyphs.count, testCase.glyphs.count, "glyph count for \(testCase.text)")
            for (ours, theirs) in zip(line.glyphs, testCase.glyphs) {
                XCTAssertEqual(ours.glyph, theirs.g, "glyph id in \(testCase.text)")
                XCTAssertEqual(ours.cluster, theirs.cl, "cluster in \(testCase.text)")
                XCTAssertEqual(Int(((ours.advanceEnd - ours.advanceStart) * upem).rounded()), theirs.ax, "advance in \(testCase.text)")
                XCTAssertEqual(Int(((ours.x - ours.advanceStart) * upem).rounded()), theirs.dx, "x offset in \(testCase.text)")
                XCTAssertEqual(Int((ours.y * upem).rounded()), theirs.dy, "y offset in \(testCase.text)")
            }
        }
    }

    func testArabicRunsRightToLeftAndDevanagariReorders() throws {
        let fonts = FontCache()
        let shaper = TextShaper(fonts: fonts)
        let chain = try TestFonts.manifest.chain()
        let arabic = try shaper.shape("مرحبا", chain: chain, lineNumber: 1)
        XCTAssertTrue(arabic.glyphs.allSatisfy(\.rightToLeft))
        // Visual order: the first logical character is drawn rightmost.
        XCTAssertEqual(arabic.glyphs.last?.cluster, 0)
        // Devanagari: the vowel sign i (U+093F, scalar 1 of "कि") is drawn before its consonant.
        let devanagari = try shaper.shape("कि", chain: chain, lineNumber: 1)
        XCTAssertEqual(devanagari.glyphs.count, 2)
        XCTAssertEqual(Set(devanagari.glyphs.map(\.cluster)), [0], "one cluster for the syllable")
        XCTAssertEqual(devanagari.characters.count, 1, "one grapheme")
    }
}
