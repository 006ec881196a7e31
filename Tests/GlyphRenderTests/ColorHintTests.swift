import PosterCore
import XCTest
@testable import GlyphRender

/// `GlyphColorHint`: painting the mask in region colours and reading a
/// poster's text colour back from under its mask.
final class ColorHintTests: XCTestCase {
    /// A 12x8 mask: a solid 4x4 block (x 2...5, y 2...5) with a half-covered edge column at x 6, and one lone pixel at (9, 2).
    static var mask: GrayImage {
        var mask = GrayImage(width: 12, height: 8)
        for y in 2...5 { for x in 2...5 { mask.pixels[y * 12 + x] = 255 } }
        for y in 2...5 { mask.pixels[y * 12 + 6] = 128 }
        mask.pixels[2 * 12 + 9] = 255
        return mask
    }

    func testPaintScalesTheColourByCoverageInsideItsRegionOnly() {
        let red = RGBColor(red: 200, green: 100, blue: 50)
        let hint = GlyphColorHint.paint(mask: Self.mask, regions: [.init(rect: PixelRect(minX: 0, minY: 0, maxX: 7.5, maxY: 8), color: red)])
        XCTAssertEqual(hint[3, 3], red)
        XCTAssertEqual(hint[6, 3], RGBColor(red: 100, green: 50, blue: 25), "half coverage, half the colour")
        XCTAssertEqual(hint[9, 2], .black, "lit pixel outside the region stays black")
        XCTAssertEqual(hint[0, 0], .black, "unlit pixel inside the region stays black")
        let white = GlyphColorHint.paint(mask: Self.mask, regions: [.init(rect: PixelRect(minX: 0, minY: 0, maxX: 7.5, maxY: 8), color: red),
                                                                    .init(rect: PixelRect(minX: 5, minY: 0, maxX: 12, maxY: 8), color: .white)])
        XCTAssertEqual(white[5, 3], .white, "the later region wins where they overlap")
        XCTAssertEqual(white[9, 2], .white)
        XCTAssertEqual(white[2, 3], red)
    }

    func testMeasuredColourIsTheMedianOfGlyphInteriors() throws {
        var image = RGBImage(width: 12, height: 8, fill: RGBColor(red: 0, green: 0, blue: 255))
        // Interior of the block (x 3...4, y 3...4) is green, except one odd pixel; the block's rim is grey (anti-aliasing, outline).
        for y in 2...5 { for x in 2...6 { image.fillRect(minX: x, minY: y, maxX: x + 1, maxY: y + 1, color: RGBColor(red: 128, green: 128, blue: 128)) } }
        for y in 3...4 { for x in 3...4 { image.fillRect(minX: x, minY: y, maxX: x + 1, maxY: y + 1, color: RGBColor(red: 10, green: 200, blue: 10)) } }
        image.fillRect(minX: 3, minY: 3, maxX: 4, maxY: 4, color: RGBColor(red: 250, green: 0, blue: 0))
        XCTAssertEqual(GlyphColorHint.measuredColor(image: image, mask: Self.mask), RGBColor(red: 10, green: 200, blue: 10))
        // A region holding only the lone pixel has no interior: its lit pixels count instead.
        XCTAssertEqual(GlyphColorHint.measuredColor(image: image, mask: Self.mask, in: PixelRect(minX: 8, minY: 0, maxX: 12, maxY: 8)),
                       RGBColor(red: 0, green: 0, blue: 255))
        XCTAssertNil(GlyphColorHint.measuredColor(image: image, mask: Self.mask, in: PixelRect(minX: 0, minY: 6, maxX: 12, maxY: 8)), "no text there")

        let hint = GlyphColorHint.measured(image: image, mask: Self.mask, regions: [PixelRect(minX: 0, minY: 0, maxX: 7, maxY: 8),
                                                                                    PixelRect(minX: 0, minY: 6, maxX: 12, maxY: 8)])
        XCTAssertEqual(hint[2, 2], RGBColor(red: 10, green: 200, blue: 10))
        XCTAssertEqual(hint[9, 2], .black, "outside every measured region")
    }
}
