import GlyphRender
import PosterCore
import XCTest
@testable import PosterStudio

/// Text colours named in prompts, phrase by phrase, and the colour hint painted from them.
final class PromptTextColorsTests: XCTestCase {
    func testEachPhraseTakesTheColourNamedBeforeIt() {
        let phrases = PromptTextColors.phrases(in: "a grainy purple poster with cream bold text 'Happy Birthday', cream bold text with a shadow "
                                                   + "'You are loved' and white bold text 'LIVE, LAUGH, LOVE'")
        XCTAssertEqual(phrases.map(\.text), ["Happy Birthday", "You are loved", "LIVE, LAUGH, LOVE"])
        XCTAssertEqual(phrases.map(\.color), ["cream", "cream", "white"])
    }

    func testAJoinedPhraseKeepsTheColourAndAnUncolouredTextHasNone() {
        XCTAssertEqual(PromptTextColors.phrases(in: "a teal poster with dark blue text 'Summer Open' and 'Mic Night'").map(\.color),
                       ["dark blue", "dark blue"])
        XCTAssertEqual(PromptTextColors.phrases(in: "a black poster with white text 'A' and text 'B'").map(\.color), ["white", nil])
        XCTAssertEqual(PromptTextColors.phrases(in: "a red poster that says 'Sale'").map(\.color), [nil], "the poster's colour is not the text's")
        XCTAssertEqual(PromptTextColors.rgb("white"), .white)
        XCTAssertNil(PromptTextColors.rgb("no such colour"))
    }

    func testTheDefaultTextColourStandsOutFromTheNamedBackground() {
        XCTAssertEqual(PromptTextColors.defaultColor(prompt: "a cream poster that says 'Hi'"), .black)
        XCTAssertEqual(PromptTextColors.defaultColor(prompt: "a dark blue poster that says 'Hi'"), .white)
        XCTAssertEqual(PromptTextColors.defaultColor(prompt: "a poster of a beach that says 'Hi'"), .white)
    }

    func testTheHintPaintsEachLineInItsPhrasesColour() throws {
        let layout = try Layout(canvas: CanvasSize(width: 256, height: 256), lines: [
            LayoutLine(box: GridBox(left: 10, top: 10, right: 118, bottom: 40), text: "Summer"),
            LayoutLine(box: GridBox(left: 10, top: 50, right: 118, bottom: 80), text: "Open"),
        ])
        let mask = try GlyphRenderer().render(layout)
        let hint = PromptTextColors.colorHint(prompt: "a cream poster with yellow bold text 'Summer' and dark blue text 'Open'", mask: mask)
        let yellow = try XCTUnwrap(PromptTextColors.rgb("yellow")), blue = try XCTUnwrap(PromptTextColors.rgb("dark blue"))
        var colours: [Int: Set<RGBColor>] = [0: [], 1: []]
        for y in 0..<256 {
            for x in 0..<256 where mask.image[x, y] == 255 {
                colours[y < 90 ? 0 : 1, default: []].insert(hint[x, y])
            }
        }
        XCTAssertEqual(colours[0], [yellow], "fully covered pixels of line 1 are exactly yellow")
        XCTAssertEqual(colours[1], [blue])
        for y in 0..<256 { for x in 0..<256 where mask.image[x, y] == 0 { XCTAssertEqual(hint[x, y], .black) } }
    }
}
