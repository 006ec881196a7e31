import XCTest
import GlyphRender
import PosterCore

/// The preview PNG and SVG a person looks at.
final class PreviewTests: XCTestCase {
    let renderer = GlyphRenderer(manifest: TestFonts.manifest)

    func testPreviewOutlinesEachBoxInItsColourWithTextInside() throws {
        let boxes = [GridBox(left: 8, top: 16, right: 120, bottom: 40), GridBox(left: 20, top: 60, right: 100, bottom: 80)]
        let layout = try TestFonts.layout([("Summer Sale", boxes[0]), ("Open <Late> & co", boxes[1])])
        let mask = try renderer.render(layout)
        let image = LayoutPreview.render(layout, mask: mask, renderer: renderer)
        XCTAssertEqual(image.width, 512)
        for (index, box) in boxes.enumerated() {
            let r = layout.pixelRect(of: box).integral
            XCTAssertEqual(image[(r[0] + r[2]) / 2, r[1]], LayoutPreview.color(ofLine: index), "top edge of box \(index)")
            XCTAssertEqual(image[r[0], (r[1] + r[3]) / 2], LayoutPreview.color(ofLine: index), "left edge of box \(index)")
        }
        // Text is drawn dark inside the first box; the canvas elsewhere stays the background.
        let r = layout.pixelRect(of: boxes[0]).integral
        var dark = 0
        for y in r[1]..<r[3] { for x in r[0]..<r[2] where image[x, y].red < 60 { dark += 1 } }
        XCTAssertGreaterThan(dark, 1000)
        XCTAssertEqual(image[500, 500], LayoutPreview.background)
    }

    func testSVGHasRectsAndEscapedText() throws {
        let layout = try TestFonts.layout([("Open <Late> & co", GridBox(left: 8, top: 16, right: 120, bottom: 40)),
                                           ("two", GridBox(left: 8, top: 60, right: 40, bottom: 120))])
        let mask = try renderer.render(layout, options: GlyphRenderOptions(fit: .stretch))
        let svg = LayoutSVG.render(layout, mask: mask, fontFamily: "Liberation Sans")
        XCTAssertTrue(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"512\" height=\"512\""))
        XCTAssertEqual(svg.components(separatedBy: "fill=\"none\" stroke=").count - 1, 2, "one outlined rect per line")
        XCTAssertTrue(svg.contains(">Open &lt;Late&gt; &amp; co</text>"))
        XCTAssertTrue(svg.contains("x=\"32\" y=\"64\" width=\"448\" height=\"96\""))
        XCTAssertTrue(svg.contains("transform=\"scale("), "stretched lines scale horizontally")
        XCTAssertTrue(svg.hasSuffix("</svg>\n"))
    }
}
