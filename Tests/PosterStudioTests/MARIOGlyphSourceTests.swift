import Foundation
import GlyphRender
import PosterCore
import XCTest
@testable import PosterStudio

/// Training pairs read from the committed synthetic sample set, with the colour hint measured off each poster.
final class MARIOGlyphSourceTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("datasets/synth-sample")

    func testColourHintsPaintTheGlyphsInTheCaptionsTextColour() throws {
        let (train, held) = try MARIOGlyphSource.split(root: Self.root, size: 256, validation: 2, colorHint: true)
        XCTAssertEqual(held.count, 2)
        var named = 0, matched = 0
        for index in 0..<train.count {
            let example = try train.example(at: index)
            let hint = try XCTUnwrap(example.colorHint)
            XCTAssertEqual(hint.width, 256)
            for y in 0..<256 {
                for x in 0..<256 where example.mask[x, y] == 0 { XCTAssertEqual(hint[x, y], .black, "sample \(index): hint outside the mask") }
            }
            // The hint's own colour under the glyphs is the colour the caption names for the text (first phrase).
            guard let name = ColorAdherence.textColor(in: example.caption),
                  let painted = GlyphColorHint.measuredColor(image: hint, mask: example.mask) else { continue }
            named += 1
            if ColorAdherence.check("text", name, painted).matched { matched += 1 }
        }
        XCTAssertGreaterThan(named, 5)
        XCTAssertGreaterThanOrEqual(Double(matched), 0.8 * Double(named), "\(matched) of \(named) hints match the caption's text colour")
        XCTAssertNil(try MARIOGlyphSource.split(root: Self.root, size: 256, validation: 2).train.example(at: 0).colorHint, "off unless asked")
    }
}
