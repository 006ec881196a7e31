import GlyphRender
@testable import OCRData
import PosterCore
import XCTest

/// ContrastNormalizer against numpy (tools/make_contrast_fixtures.py) on box
/// crops of posters the shipped model drew, and Tesseract reading them.
final class ContrastNormalizerTests: XCTestCase {
    nonisolated(unsafe) static let ocr: TesseractOCR = {
        do { return try TesseractOCR(language: "eng") } catch { fatalError("\(error)") }
    }()
    static let crops = ["garage-sale": "Garage Sale", "lemonade": "Lemonade", "soup-kitchen": "Soup Kitchen"]

    func fixturePath(_ name: String) throws -> String {
        try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: "png", subdirectory: "Fixtures"),
                      "fixture \(name).png is missing: run tools/make_contrast_fixtures.py").path
    }

    func testMatchesNumpyOnPosterCrops() throws {
        for name in Self.crops.keys.sorted() {
            let crop = try PNGCodec.readRGB(from: fixturePath("poster-line-\(name)"))
            let expected = try PNGCodec.readGray(from: fixturePath("poster-line-\(name)-contrast"))
            let normalized = ContrastNormalizer.normalize(crop)
            XCTAssertEqual(normalized.width, expected.width)
            XCTAssertEqual(normalized.height, expected.height)
            let worst = zip(normalized.pixels, expected.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
            XCTAssertLessThanOrEqual(worst, 1, name)
        }
    }

    /// Light text on a coloured, mottled background (white on red and orange,
    /// dark red on orange): Tesseract reads the normalised grey exactly.
    func testTesseractReadsTheNormalisedPosterCrops() throws {
        for (name, text) in Self.crops {
            let crop = try PNGCodec.readRGB(from: fixturePath("poster-line-\(name)"))
            let gray = ContrastNormalizer.normalize(crop)
            let upscaled = RGBImage(width: gray.width, height: gray.height, pixels: gray.pixels.flatMap { [$0, $0, $0] })
                .resized(width: gray.width * 4, height: gray.height * 4)
            XCTAssertEqual(Self.ocr.recognize(upscaled, mode: .singleLine).map(\.text).joined(separator: " "), text, name)
        }
    }

    /// Text comes out dark on light whichever of the two is brighter in the colour image.
    func testPolarityFollowsTheBorder() throws {
        let layout = try Layout(canvas: CanvasSize(width: 256, height: 64),
                                lines: [LayoutLine(box: GridBox(left: 8, top: 32, right: 120, bottom: 96), text: "OPEN")])
        let mask = try GlyphRenderer(manifest: try FontManifest.standard()).render(layout).image
        for (background, text) in [(RGBColor(red: 200, green: 30, blue: 40), RGBColor.white),
                                   (RGBColor(red: 250, green: 200, blue: 60), RGBColor(red: 120, green: 20, blue: 10))] {
            var image = RGBImage(width: 256, height: 64, fill: background)
            image.composite(text, coverage: mask)
            let gray = ContrastNormalizer.normalize(image)
            let glyph = mask.pixels.indices.filter { mask.pixels[$0] == 255 }, ground = mask.pixels.indices.filter { mask.pixels[$0] == 0 }
            XCTAssertFalse(glyph.isEmpty)
            XCTAssertTrue(glyph.allSatisfy { gray.pixels[$0] == 0 }, "text should be black")
            XCTAssertTrue(ground.allSatisfy { gray.pixels[$0] == 255 }, "background should be white")
        }
    }

    func testFlatImageAndPrincipalAxis() {
        let flat = ContrastNormalizer.normalize(RGBImage(width: 5, height: 3, fill: RGBColor(red: 10, green: 200, blue: 30)))
        XCTAssertEqual(Set(flat.pixels).count, 1, "a flat image stays flat")
        let axis = ContrastNormalizer.principalAxis([1, 0, 0, 0, 4, 0, 0, 0, 2])
        XCTAssertEqual(abs(axis[1]), 1, accuracy: 1e-9)
        XCTAssertEqual(ContrastNormalizer.otsuThreshold([10, 10, 12, 200, 201, 199]), 12)
    }
}
