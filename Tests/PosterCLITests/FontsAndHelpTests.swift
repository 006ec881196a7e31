import Foundation
import XCTest

/// `poster fonts` and the help screens.
final class FontsAndHelpTests: XCTestCase {
    func testFontsListsManifestAndFallbackChain() throws {
        let result = try Poster.run(["fonts"])
        assertSuccess(result)
        XCTAssertEqual(result.stderr, "")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.first?.hasPrefix("fonts in ") == true, result.stdout)
        for family in ["Liberation Sans", "Liberation Serif", "Bebas Neue", "Noto Sans Arabic", "Noto Sans Devanagari", "Noto Sans CJK SC"] {
            XCTAssertTrue(lines.contains { $0.hasPrefix("  \(family) ") }, "no row for \(family): \(result.stdout)")
        }
        let arabic = try XCTUnwrap(lines.first { $0.hasPrefix("  Noto Sans Arabic ") })
        XCTAssertTrue(arabic.contains("Arabic [OFL-1.1]") && arabic.hasSuffix("NotoSansArabic-Regular.ttf"), arabic)
        XCTAssertTrue(lines.contains("default: Liberation Sans"), result.stdout)
        XCTAssertTrue(lines.contains("fallback chain: Liberation Sans -> Noto Sans CJK SC -> Noto Sans Arabic -> Noto Sans Devanagari"),
                      result.stdout)
    }

    func testFontsFoundFromAnotherDirectory() throws {
        // Not run from the repository root: the manifest is found beside the executable (or via the source tree).
        let dir = try TemporaryDirectory()
        var environment = ProcessInfo.processInfo.environment
        environment["GLYPHPOSTER_FONTS"] = nil
        let result = try Poster.run(["fonts"], in: dir.url, environment: environment)
        assertSuccess(result)
        XCTAssertTrue(result.stdout.contains("Liberation Sans"), result.stdout)
        let layout = try Poster.run(["layout", "Hi 8,10,120,30", "--mask", dir.path("m.png")], in: dir.url, environment: environment)
        assertSuccess(layout)
    }

    func testBadFontsDirectoryIsAnInputError() throws {
        let dir = try TemporaryDirectory()
        var environment = ProcessInfo.processInfo.environment
        environment["GLYPHPOSTER_FONTS"] = dir.url.path
        try Data("{not json".utf8).write(to: dir.url.appendingPathComponent("manifest.json"))
        assertInputError(try Poster.run(["fonts"], in: dir.url, environment: environment), ["font manifest", "manifest.json"])
    }

    func testHelpExitsZero() throws {
        let root = try Poster.run(["--help"])
        assertSuccess(root)
        for subcommand in ["layout", "fonts", "bench"] {
            XCTAssertTrue(root.stdout.contains(subcommand), "root help lacks \(subcommand): \(root.stdout)")
        }
        let layout = try Poster.run(["layout", "--help"])
        assertSuccess(layout)
        for option in ["--mask", "--preview", "--svg", "--json", "--charseg", "--boxes", "--size", "--fit", "--format", "--to", "--font"] {
            XCTAssertTrue(layout.stdout.contains(option), "layout help lacks \(option)")
        }
        let fonts = try Poster.run(["help", "fonts"])
        assertSuccess(fonts)
        XCTAssertTrue(fonts.stdout.contains("fallback chain"), fonts.stdout)
    }
}
