import XCTest
import GlyphRender
import PosterCore

/// Text fills its box: lit pixels stay inside, and the run fills at least 80% of the limiting dimension.
final class FittingTests: XCTestCase {
    let renderer = GlyphRenderer(manifest: TestFonts.manifest)

    let cases: [(String, GridBox)] = [
        ("Summer Sale", GridBox(left: 8, top: 10, right: 120, bottom: 30)),
        ("WILD", GridBox(left: 25, top: 89, right: 108, bottom: 96)),
        ("a tall box", GridBox(left: 40, top: 10, right: 60, bottom: 120)),
        ("Quick brown fox jumps", GridBox(left: 3, top: 50, right: 125, bottom: 58)),
        ("gypsy jig", GridBox(left: 10, top: 60, right: 70, bottom: 90)),
        ("i", GridBox(left: 60, top: 60, right: 61, bottom: 70)),
        ("مرحبا بالعالم", GridBox(left: 10, top: 100, right: 118, bottom: 124)),
        ("你好世界", GridBox(left: 0, top: 0, right: 128, bottom: 128)),
    ]

    func testLitPixelsStayInsideTheBoxAndFillIt() throws {
        for font in [nil, "Lobster", "Bebas Neue", "Liberation Serif", "Dancing Script", "League Spartan"] as [String?] {
            for fit in GlyphFit.allCases {
                for canvas in [CanvasSize.standard, CanvasSize(width: 300, height: 700)] {
                    for (text, box) in cases {
                        let layout = try TestFonts.layout([(text, box)], canvas: canvas)
                        let mask = try renderer.render(layout, options: GlyphRenderOptions(font: font, fit: fit)).image
                        let rect = layout.pixelRect(of: box)
                        let label = "\(text) font \(font ?? "default") \(fit) canvas \(canvas.width)x\(canvas.height)"
                        let lit = try XCTUnwrap(mask.litBounds(), "nothing drawn for \(label)")
                        // Pixel x covers [x, x+1): it must overlap the box.
                        XCTAssertGreaterThanOrEqual(Double(lit.minX) + 1, rect.minX, label)
                        XCTAssertGreaterThanOrEqual(Double(lit.minY) + 1, rect.minY, label)
                        XCTAssertLessThanOrEqual(Double(lit.maxX), rect.maxX, label)
                        XCTAssertLessThanOrEqual(Double(lit.maxY), rect.maxY, label)
                        let fillX = Double(lit.maxX - lit.minX + 1) / rect.width
                        let fillY = Double(lit.maxY - lit.minY + 1) / rect.height
                        if fit == .stretch {
                            XCTAssertGreaterThanOrEqual(min(fillX, fillY), rect.width < 8 ? 0.5 : 0.8, label)
                        } else {
                            XCTAssertGreaterThanOrEqual(max(fillX, fillY), rect.width < 8 ? 0.5 : 0.8, label)
                        }
                    }
                }
            }
        }
    }

    func testTextIsCentredInItsBox() throws {
        let box = GridBox(left: 10, top: 40, right: 118, bottom: 60)
        let layout = try TestFonts.layout([("HOTEL", box)])
        let mask = try renderer.render(layout).image
        let lit = try XCTUnwrap(mask.litBounds())
        let rect = layout.pixelRect(of: box)
        XCTAssertEqual(Double(lit.minX + lit.maxX + 1) / 2, (rect.minX + rect.maxX) / 2, accuracy: 1.5)
        XCTAssertEqual(Double(lit.minY + lit.maxY + 1) / 2, (rect.minY + rect.maxY) / 2, accuracy: 1.5)
    }

    func testLinesLandInTheirOwnBoxesOnly() throws {
        let boxes = [GridBox(left: 4, top: 4, right: 60, bottom: 20), GridBox(left: 70, top: 100, right: 124, bottom: 120)]
        let layout = try TestFonts.layout([("LEFT", boxes[0]), ("right", boxes[1])])
        let mask = try renderer.render(layout).image
        let rects = boxes.map { layout.pixelRect(of: $0) }
        var lit = 0
        for y in 0..<mask.height {
            for x in 0..<mask.width where mask[x, y] > 0 {
                lit += 1
                XCTAssertTrue(rects.contains { Double(x) + 1 > $0.minX && Double(x) < $0.maxX && Double(y) + 1 > $0.minY && Double(y) < $0.maxY },
                              "pixel \(x),\(y) outside every box")
            }
        }
        XCTAssertGreaterThan(lit, 500)
    }

    func testStretchFillsBothDimensionsAndFitKeepsProportions() throws {
        let box = GridBox(left: 10, top: 10, right: 118, bottom: 110)
        let layout = try TestFonts.layout([("wide", box)])
        let fitted = try renderer.render(layout, options: GlyphRenderOptions(fit: .fit)).lines[0]
        let stretched = try renderer.render(layout, options: GlyphRenderOptions(fit: .stretch)).lines[0]
        XCTAssertEqual(fitted.sizeX, fitted.sizeY)
        XCTAssertGreaterThan(stretched.sizeY, stretched.sizeX * 1.5, "a tall box stretches the text vertically")
        XCTAssertGreaterThan(stretched.ink.height, 0.95 * stretched.box.height)
        XCTAssertGreaterThan(stretched.ink.width, 0.95 * stretched.box.width)
    }

    func testRenderingIsDeterministicAndIndependentOfCacheState() throws {
        let layout = try TestFonts.layout([("Jazz Night", GridBox(left: 8, top: 8, right: 120, bottom: 40))])
        let first = try renderer.render(layout).image
        let other = GlyphRenderer(manifest: TestFonts.manifest)
        _ = try other.render(try TestFonts.layout([("Jazz", GridBox(left: 0, top: 0, right: 50, bottom: 20))]))
        XCTAssertEqual(try other.render(layout).image, first)
        other.discardRenderedGlyphs()
        XCTAssertEqual(try other.render(layout).image, first)
    }
}
