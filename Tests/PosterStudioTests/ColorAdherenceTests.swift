import PosterCore
import XCTest
@testable import PosterStudio

/// Colour phrases read from prompts in the synthetic captions' words, and the checks on an image.
final class ColorAdherenceTests: XCTestCase {
    let prompt = "a dark blue poster with yellow circles and white bold text 'Open Late'"

    func testTextAndBackgroundColoursFromACaption() {
        XCTAssertEqual(ColorAdherence.textColor(in: prompt), "white")
        XCTAssertEqual(ColorAdherence.backgroundColor(in: prompt), "dark blue", "two-word names win over 'blue'")
        XCTAssertEqual(ColorAdherence.textColor(in: "an orange poster with dark green serif text 'Go'"), "dark green")
        XCTAssertEqual(ColorAdherence.backgroundColor(in: "an orange poster with dark green serif text 'Go'"), "orange")
        XCTAssertEqual(ColorAdherence.textColor(in: "A RED POSTER WITH BLACK TEXT 'X'"), "black")
    }

    func testGradientsAndPhotographsHaveNoBackgroundCheck() {
        let gradient = "a dark blue to purple gradient poster with white bold text 'Star Party'"
        XCTAssertNil(ColorAdherence.backgroundColor(in: gradient))
        XCTAssertEqual(ColorAdherence.textColor(in: gradient), "white")
        XCTAssertNil(ColorAdherence.backgroundColor(in: "a red to blue radial gradient poster with black text 'A'"))
        XCTAssertNil(ColorAdherence.backgroundColor(in: "a poster on a dark blue photograph with white text 'A'"))
        XCTAssertNil(ColorAdherence.backgroundColor(in: "a grainy red poster with white text 'A'"))
        XCTAssertNil(ColorAdherence.backgroundColor(in: "a poster that says 'Hi'"))
    }

    /// Text whose colour is not named has no text check: the colours of the poster or its shapes are not the text's.
    func testUnnamedTextColourIsNotBorrowedFromOtherPhrases() {
        XCTAssertNil(ColorAdherence.textColor(in: "a blue poster with text 'Hi'"))
        XCTAssertNil(ColorAdherence.textColor(in: "a red poster with yellow circles and text 'Hi'"))
        XCTAssertNil(ColorAdherence.textColor(in: "a poster that says 'Hi'"))
        XCTAssertEqual(ColorAdherence.backgroundColor(in: "a blue poster with text 'Hi'"), "blue")
    }

    /// Matched: the named colour is within 25% of the distance to the nearest palette colour.
    func testToleranceAgainstTheNearestPaletteColour() {
        // (92, 92, 94): gray at 61.2 is nearest; dark gray 62.4 and purple 75.3 are within 1.25 x 61.2 = 76.5; black 160.5 is not.
        let measured = RGBColor(red: 92, green: 92, blue: 94)
        XCTAssertTrue(ColorAdherence.check("text", "gray", measured).matched)
        XCTAssertTrue(ColorAdherence.check("text", "dark gray", measured).matched)
        XCTAssertTrue(ColorAdherence.check("text", "purple", measured).matched)
        XCTAssertFalse(ColorAdherence.check("text", "black", measured).matched)
        XCTAssertEqual(ColorAdherence.check("text", "black", measured).measured, "#5c5c5e")
    }

    func poster(background: RGBColor, text: RGBColor) -> (RGBImage, GrayImage) {
        var image = RGBImage(width: 64, height: 64, fill: background)
        image.fillRect(minX: 8, minY: 24, maxX: 56, maxY: 40, color: text)
        var mask = GrayImage(width: 64, height: 64)
        for y in 24..<40 { for x in 8..<56 { mask.pixels[y * 64 + x] = 255 } }
        return (image, mask)
    }

    func testChecksOnASyntheticPoster() {
        let darkBlue = RGBColor(red: 15, green: 30, blue: 90)
        var (image, mask) = poster(background: darkBlue, text: RGBColor(red: 245, green: 250, blue: 248))
        XCTAssertEqual(ColorAdherence.checks(prompt: prompt, image: image, mask: mask), [
            ColorAdherence.Check(part: "text", named: "white", measured: "#f5faf8", matched: true),
            ColorAdherence.Check(part: "background", named: "dark blue", measured: "#0f1e5a", matched: true),
        ])
        // Yellow text where white was asked for; a mask at another size is fitted to the image.
        (image, mask) = poster(background: darkBlue, text: RGBColor(red: 250, green: 220, blue: 40))
        let checks = ColorAdherence.checks(prompt: prompt, image: image, mask: mask.resizedNearest(width: 32, height: 32))
        XCTAssertEqual(checks.map(\.part), ["text", "background"])
        XCTAssertEqual(checks.map(\.matched), [false, true])
        XCTAssertEqual(checks.first?.measured, "#fadc28")
        // A gradient prompt checks the text only; a prompt naming no colours checks nothing.
        XCTAssertEqual(ColorAdherence.checks(prompt: "a dark blue to purple gradient poster with white text 'A'", image: image, mask: mask).map(\.part),
                       ["text"])
        XCTAssertTrue(ColorAdherence.checks(prompt: "a poster that says 'Open Late'", image: image, mask: mask).isEmpty)
        // No mask pixel has four lit neighbours: no text colour to measure.
        XCTAssertEqual(ColorAdherence.checks(prompt: prompt, image: image, mask: GrayImage(width: 64, height: 64)).map(\.part), ["background"])
    }
}
