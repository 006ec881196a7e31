import XCTest
@testable import PosterCore

/// GrayImage and RGBImage pixel operations.
final class RasterImageTests: XCTestCase {
    private func numbered(width: Int, height: Int) -> GrayImage {
        GrayImage(width: width, height: height, pixels: (0..<(width * height)).map { UInt8($0 % 256) })
    }

    func testGrayImageIsRowMajor() {
        var image = GrayImage(width: 3, height: 2, fill: 7)
        XCTAssertEqual(image.pixels, [7, 7, 7, 7, 7, 7])
        image[2, 1] = 200
        image[0, 1] = 100
        XCTAssertEqual(image.pixels, [7, 7, 7, 100, 7, 200])
        XCTAssertEqual(image[2, 1], 200)
    }

    func testResizedNearestToTheSameSizeIsIdentity() {
        let image = numbered(width: 7, height: 5)
        XCTAssertEqual(image.resizedNearest(width: 7, height: 5), image)
    }

    func testResizedNearestUpscalesByWholeFactorsIntoBlocks() {
        let image = GrayImage(width: 2, height: 2, pixels: [1, 2, 3, 4])
        let big = image.resizedNearest(width: 4, height: 6)
        XCTAssertEqual(big.width, 4)
        XCTAssertEqual(big.height, 6)
        XCTAssertEqual(big.pixels, [1, 1, 2, 2,
                                    1, 1, 2, 2,
                                    1, 1, 2, 2,
                                    3, 3, 4, 4,
                                    3, 3, 4, 4,
                                    3, 3, 4, 4])
    }

    func testResizedNearestDownscalesByPixelCentres() {
        let image = numbered(width: 4, height: 4) // value = y * 4 + x
        // Output pixel x samples input (2x + 1) * 4 / 4 = 2x + 1.
        XCTAssertEqual(image.resizedNearest(width: 2, height: 2).pixels, [5, 7, 13, 15])
        XCTAssertEqual(image.resizedNearest(width: 1, height: 1).pixels, [10])
    }

    func testResizedNearestKeepsLabelsAtOddRatios() {
        let image = GrayImage(width: 3, height: 3, pixels: [0, 1, 2, 3, 4, 5, 6, 7, 8])
        let out = image.resizedNearest(width: 5, height: 7)
        XCTAssertEqual(out.pixels.count, 35)
        XCTAssertTrue(Set(out.pixels).isSubset(of: Set(image.pixels)))
        XCTAssertEqual(Set(out.pixels), Set(image.pixels))
        XCTAssertEqual(out[0, 0], 0)
        XCTAssertEqual(out[4, 6], 8)
        XCTAssertEqual(out[2, 3], 4)
    }

    func testLitBounds() throws {
        var image = GrayImage(width: 10, height: 8)
        XCTAssertNil(image.litBounds())
        image[3, 2] = 1
        var bounds = try XCTUnwrap(image.litBounds())
        XCTAssertEqual([bounds.minX, bounds.minY, bounds.maxX, bounds.maxY], [3, 2, 3, 2])
        image[7, 6] = 255
        image[5, 1] = 50
        bounds = try XCTUnwrap(image.litBounds())
        XCTAssertEqual([bounds.minX, bounds.minY, bounds.maxX, bounds.maxY], [3, 1, 7, 6])
        // Only pixels above the threshold count.
        bounds = try XCTUnwrap(image.litBounds(threshold: 1))
        XCTAssertEqual([bounds.minX, bounds.minY, bounds.maxX, bounds.maxY], [5, 1, 7, 6])
        bounds = try XCTUnwrap(image.litBounds(threshold: 50))
        XCTAssertEqual([bounds.minX, bounds.minY, bounds.maxX, bounds.maxY], [7, 6, 7, 6])
        XCTAssertNil(image.litBounds(threshold: 255))
        XCTAssertNotNil(GrayImage(width: 1, height: 1, fill: 9).litBounds())
    }

    func testRGBImageFillAndSubscript() {
        var image = RGBImage(width: 2, height: 2, fill: RGBColor(red: 1, green: 2, blue: 3))
        XCTAssertEqual(image.pixels, [1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3])
        image[1, 0] = .white
        XCTAssertEqual(Array(image.pixels[3..<6]), [255, 255, 255])
        XCTAssertEqual(image[1, 0], .white)
        XCTAssertEqual(image[0, 1], RGBColor(red: 1, green: 2, blue: 3))
    }

    func testCompositeThroughCoverage() {
        var image = RGBImage(width: 3, height: 1, fill: .black)
        image.composite(RGBColor(red: 255, green: 100, blue: 0), coverage: GrayImage(width: 3, height: 1, pixels: [0, 255, 128]))
        XCTAssertEqual(image[0, 0], .black)
        XCTAssertEqual(image[1, 0], RGBColor(red: 255, green: 100, blue: 0))
        XCTAssertEqual(image[2, 0], RGBColor(red: 128, green: 50, blue: 0))
    }

    func testFillAndStrokeRectClipToTheImage() {
        var image = RGBImage(width: 4, height: 4)
        image.fillRect(minX: -5, minY: 2, maxX: 2, maxY: 99, color: .white)
        for y in 0..<4 {
            for x in 0..<4 {
                XCTAssertEqual(image[x, y], x < 2 && y >= 2 ? .white : .black, "(\(x), \(y))")
            }
        }
        var outline = RGBImage(width: 5, height: 5)
        outline.strokeRect(minX: 0, minY: 0, maxX: 5, maxY: 5, thickness: 1, color: .white)
        for y in 0..<5 {
            for x in 0..<5 {
                let onEdge = x == 0 || y == 0 || x == 4 || y == 4
                XCTAssertEqual(outline[x, y], onEdge ? .white : .black, "(\(x), \(y))")
            }
        }
        var empty = RGBImage(width: 3, height: 3)
        empty.fillRect(minX: 10, minY: 10, maxX: 20, maxY: 20, color: .white)
        empty.fillRect(minX: 2, minY: 2, maxX: 1, maxY: 1, color: .white)
        XCTAssertEqual(empty, RGBImage(width: 3, height: 3))
    }

    func testHexColour() {
        XCTAssertEqual(RGBColor(red: 255, green: 8, blue: 0).hex, "#ff0800")
        XCTAssertEqual(RGBColor.black.hex, "#000000")
    }
}
