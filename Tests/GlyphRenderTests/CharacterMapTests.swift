import XCTest
import GlyphRender
import PosterCore

/// Per-character boxes and the MARIO-style charseg class map.
final class CharacterMapTests: XCTestCase {
    let renderer = GlyphRenderer(manifest: TestFonts.manifest)

    func testOneBoxPerCharacterInReadingOrderInsideTheLine() throws {
        let box = GridBox(left: 8, top: 20, right: 120, bottom: 40)
        let layout = try TestFonts.layout([("Hi there", box), ("ok", GridBox(left: 8, top: 60, right: 60, bottom: 80))])
        let mask = try renderer.render(layout)
        XCTAssertEqual(mask.characters.map(\.character), Array("Hi there") + Array("ok"))
        XCTAssertEqual(mask.characters.map(\.line), Array(repeating: 0, count: 8) + [1, 1])
        let first = mask.characters.filter { $0.line == 0 }
        for (a, b) in zip(first, first.dropFirst()) { XCTAssertLessThanOrEqual(a.rect.minX, b.rect.minX + 0.5) }
        let rect = layout.pixelRect(of: box)
        for c in first {
            XCTAssertGreaterThanOrEqual(c.rect.minX, rect.minX - 0.5)
            XCTAssertLessThanOrEqual(c.rect.maxX, rect.maxX + 0.5)
            XCTAssertFalse(c.rect.isEmpty, "box of '\(c.character)'")
        }
    }

    func testLigatureSharesItsBoxAmongItsCharacters() throws {
        // U+FB01 is one character; "ffi" in Liberation Sans may form a ligature: either way three boxes.
        let mask = try renderer.render(TestFonts.layout([("ffi", GridBox(left: 8, top: 20, right: 120, bottom: 60))]))
        XCTAssertEqual(mask.characters.count, 3)
        let xs = mask.characters.map(\.rect.minX)
        XCTAssertEqual(xs, xs.sorted())
    }

    func testArabicBoxesRunRightToLeft() throws {
        let mask = try renderer.render(TestFonts.layout([("سلام", GridBox(left: 8, top: 20, right: 120, bottom: 60))]))
        XCTAssertEqual(mask.characters.count, 4)
        let xs = mask.characters.map(\.rect.minX)
        XCTAssertEqual(xs, xs.sorted(by: >), "first logical character rightmost")
    }

    func testClassMapLabelsInkWithMARIOClasses() throws {
        let layout = try TestFonts.layout([("AB", GridBox(left: 8, top: 8, right: 120, bottom: 120)), ("é", GridBox(left: 0, top: 0, right: 8, bottom: 8))])
        let mask = try renderer.render(layout, options: GlyphRenderOptions(classMap: true))
        let map = try XCTUnwrap(mask.classMap)
        let classA = try XCTUnwrap(MARIOAlphabet.classIndex(of: "A")), classB = try XCTUnwrap(MARIOAlphabet.classIndex(of: "B"))
        var columns: [UInt8: [Int]] = [:]
        for y in 0..<map.height {
            for x in 0..<map.width where map[x, y] != 0 {
                columns[map[x, y], default: []].append(x)
                XCTAssertGreaterThanOrEqual(mask.image[x, y], 128, "labelled pixels are ink")
            }
        }
        XCTAssertEqual(Set(columns.keys), [classA, classB], "'é' is outside the alphabet and stays background")
        XCTAssertLessThan(columns[classA]!.max()!, columns[classB]!.min()!, "A left of B")
        let charseg = try XCTUnwrap(mask.charseg())
        XCTAssertEqual(charseg.width, 256)
        XCTAssertEqual(Set(charseg.pixels).subtracting([0]), [classA, classB])
        XCTAssertNil(try renderer.render(layout).classMap, "no class map unless asked")
    }

    func testMaskIsWhiteOnBlackAndSurvivesPNG() throws {
        let mask = try renderer.render(TestFonts.layout([("PNG", GridBox(left: 8, top: 8, right: 120, bottom: 60))])).image
        XCTAssertEqual(mask.pixels.filter { $0 == 0 }.count > mask.pixels.count / 2, true, "background is black")
        XCTAssertEqual(mask.pixels.max(), 255, "solid strokes are white")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mask-\(UUID()).png").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try PNGCodec.write(mask, to: path)
        XCTAssertEqual(try PNGCodec.readGray(from: path), mask)
    }
}
