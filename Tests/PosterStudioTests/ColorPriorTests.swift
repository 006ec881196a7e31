import GlyphRender
import PosterCore
import XCTest
@testable import PosterStudio

/// The colour prior's start image: the named background, the glyphs in their named colours, blended at the
/// anti-aliased edges; none when the prompt names no background colour.
final class ColorPriorTests: XCTestCase {
    func mask() throws -> GlyphMask {
        let layout = try Layout(canvas: CanvasSize(width: 256, height: 256), lines: [
            LayoutLine(box: GridBox(left: 10, top: 10, right: 118, bottom: 40), text: "Jazz"),
            LayoutLine(box: GridBox(left: 10, top: 50, right: 118, bottom: 80), text: "Club"),
        ])
        return try GlyphRenderer().render(layout)
    }

    func testStartsFromTheNamedBackgroundWithTheTextInItsColours() throws {
        let mask = try mask()
        let image = try XCTUnwrap(ColorPrior.image(prompt: "a dark blue poster with yellow bold text 'Jazz' and white text 'Club'", mask: mask))
        let blue = try XCTUnwrap(PromptTextColors.rgb("dark blue")), yellow = try XCTUnwrap(PromptTextColors.rgb("yellow"))
        XCTAssertEqual(image.width, 256)
        XCTAssertEqual(image.height, 256)
        var background = 0, yellowText = 0, whiteText = 0, edges = 0
        for y in 0..<256 {
            for x in 0..<256 {
                let coverage = mask.image[x, y]
                let pixel = image[x, y]
                if coverage == 0 {
                    XCTAssertEqual(pixel, blue, "(\(x), \(y)) outside the glyphs")
                    background += 1
                } else if coverage == 255 {
                    if y < 90 && pixel == yellow { yellowText += 1 }
                    if y >= 90 && pixel == .white { whiteText += 1 }
                } else {
                    // An edge pixel lies between the background and the text colour.
                    edges += 1
                    for (p, (b, t)) in zip([pixel.red, pixel.green, pixel.blue], zip([blue.red, blue.green, blue.blue],
                                                                                     y < 90 ? [yellow.red, yellow.green, yellow.blue] : [255, 255, 255])) {
                        XCTAssertTrue((min(b, t)...max(b, t)).contains(p), "edge pixel (\(x), \(y)) \(pixel) outside \(blue)...\(y < 90 ? yellow : .white)")
                    }
                }
            }
        }
        XCTAssertGreaterThan(background, 256 * 256 / 2)
        XCTAssertGreaterThan(yellowText, 50)
        XCTAssertGreaterThan(edges, 50)
        XCTAssertGreaterThan(whiteText, 50)
    }

    func testNoPriorWithoutANamedBackground() throws {
        XCTAssertNil(ColorPrior.image(prompt: "a poster of a beach at sunset that says 'Jazz Club'", mask: try mask()))
    }

    func testReadsTheSynthesizersBackdropPhrases() throws {
        let blue = try XCTUnwrap(PromptTextColors.rgb("dark blue")), purple = try XCTUnwrap(PromptTextColors.rgb("purple"))
        let yellow = try XCTUnwrap(PromptTextColors.rgb("yellow")), orange = try XCTUnwrap(PromptTextColors.rgb("orange"))
        XCTAssertEqual(ColorPrior.backdrop(in: "a dark blue poster with white text 'A'"), .flat(blue))
        XCTAssertEqual(ColorPrior.backdrop(in: "a dark blue to purple gradient poster with white text 'A'"), .linearGradient(blue, purple))
        XCTAssertEqual(ColorPrior.backdrop(in: "a yellow to orange radial gradient poster that says 'A'"), .radialGradient(yellow, orange))
        XCTAssertNil(ColorPrior.backdrop(in: "a sunset to dusk gradient poster with white text 'A'"))
        XCTAssertNil(ColorPrior.backdrop(in: "a gradient poster with white text 'A'"))
        XCTAssertNil(ColorPrior.backdrop(in: "an orange gradient poster with white text 'A'"))
    }

    /// A linear gradient runs top to bottom from the first colour to the second, under the painted text.
    func testLinearGradientBackdropRunsTopToBottom() throws {
        let mask = try mask()
        let image = try XCTUnwrap(ColorPrior.image(prompt: "a yellow to dark blue gradient poster with white bold text 'Jazz' and 'Club'", mask: mask))
        let yellow = try XCTUnwrap(PromptTextColors.rgb("yellow")), blue = try XCTUnwrap(PromptTextColors.rgb("dark blue"))
        func near(_ a: RGBColor, _ b: RGBColor) -> Bool {
            abs(Int(a.red) - Int(b.red)) <= 3 && abs(Int(a.green) - Int(b.green)) <= 3 && abs(Int(a.blue) - Int(b.blue)) <= 3
        }
        XCTAssertTrue(near(image[250, 0], yellow), "top row \(image[250, 0])")
        XCTAssertTrue(near(image[250, 255], blue), "bottom row \(image[250, 255])")
        XCTAssertEqual(image[0, 100], image[250, 100], "one colour across a row")
        // Blue falls monotonically from top to bottom as the ramp goes from yellow (blue 0-ish) to dark blue.
        for y in 1..<256 { XCTAssertGreaterThanOrEqual(image[250, y].blue, image[250, y - 1].blue) }
        // The glyphs stay white on the gradient.
        var white = 0
        for y in 0..<256 { for x in 0..<256 where mask.image[x, y] == 255 && image[x, y] == .white { white += 1 } }
        XCTAssertGreaterThan(white, 100)
    }
}

