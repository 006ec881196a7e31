import XCTest
import GlyphRender
import OCRData
import PosterCore

/// Masks GlyphRender draws are legible: Tesseract (through the project's own
/// binding) reads the words back exactly.
final class GlyphMaskLegibilityTests: XCTestCase {
    nonisolated(unsafe) static let ocr: TesseractOCR = {
        do { return try TesseractOCR(language: "eng") } catch { fatalError("\(error)") }
    }()
    let renderer = GlyphRenderer(manifest: try! FontManifest.standard())

    func read(_ text: String, font: String?, canvas: CanvasSize = CanvasSize(width: 512, height: 128)) throws -> String {
        let layout = try Layout(canvas: canvas, lines: [LayoutLine(box: GridBox(left: 6, top: 32, right: 122, bottom: 96), text: text)])
        let mask = try renderer.render(layout, options: GlyphRenderOptions(font: font)).image
        return Self.ocr.text(mask.inverted(), mode: .singleLine)
    }

    func testWordsReadBackExactlyInSeveralFonts() throws {
        let words = ["SUMMER", "Coffee", "Festival", "GRAND OPENING", "Jazz Night", "Bakery 24/7", "Winter Sale"]
        for font in [nil, "Liberation Serif", "Liberation Sans Bold", "League Spartan"] as [String?] {
            for word in words {
                XCTAssertEqual(try read(word, font: font), word, "font \(font ?? "default")")
            }
        }
    }

    func testWordBoxesAndConfidencesMatchTheLayout() throws {
        let layout = try Layout(canvas: .standard, lines: [
            LayoutLine(box: GridBox(left: 8, top: 10, right: 120, bottom: 34), text: "OPEN LATE"),
            LayoutLine(box: GridBox(left: 20, top: 80, right: 108, bottom: 100), text: "Fresh bread"),
        ])
        let mask = try renderer.render(layout).image.inverted()
        let words = Self.ocr.recognize(mask, mode: .sparseText)
        XCTAssertEqual(Set(words.map(\.text)), ["OPEN", "LATE", "Fresh", "bread"])
        for word in words {
            XCTAssertGreaterThan(word.confidence, 0.8, word.text)
            let line = word.text == "OPEN" || word.text == "LATE" ? layout.lines[0] : layout.lines[1]
            let rect = layout.pixelRect(of: line.box)
            XCTAssertGreaterThanOrEqual(Double(word.box.left), rect.minX - 2, word.text)
            XCTAssertLessThanOrEqual(Double(word.box.right), rect.maxX + 2, word.text)
            XCTAssertGreaterThanOrEqual(Double(word.box.top), rect.minY - 2, word.text)
            XCTAssertLessThanOrEqual(Double(word.box.bottom), rect.maxY + 2, word.text)
            XCTAssertEqual(word.symbols.map(\.text).joined(), word.text, "symbol boxes spell the word")
        }
    }

    func testMissingLanguageIsAClearError() {
        XCTAssertThrowsError(try TesseractOCR(language: "no-such-language")) { error in
            XCTAssertTrue(String(describing: error).contains("no-such-language"))
        }
    }
}
