import Foundation
import PosterCore
import XCTest

/// `poster generate` with a tiny trained model: the files it writes, seeds, a
/// given layout, and bad input (exit 2, one `error:` line).
final class GenerateCommandTests: XCTestCase {
    static let tiny = TinyGlyphModel.train()

    override class func tearDown() {
        tiny.remove()
        super.tearDown()
    }

    let prompt = "a dark blue poster with white bold text 'Open Late'"

    func testWritesPostersMaskLayoutAndPreview() throws {
        let model = try Self.tiny.modelPath(in: self)
        let dir = try TemporaryDirectory()
        let result = try Poster.run(["generate", prompt, "--model", model, "--out", dir.path("x.png"), "--save-mask", dir.path("mask.png"),
                                     "--save-layout", dir.path("layout.json"), "--preview", dir.path("preview.png"), "--count", "2", "--steps", "2"])
        assertSuccess(result)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.path("x.png")), "--count 2 numbers the posters")
        var posters: [RGBImage] = []
        for name in ["x-1.png", "x-2.png"] {
            let image = try PNGCodec.readRGB(from: dir.path(name))
            XCTAssertEqual([image.width, image.height], [64, 64], name)
            posters.append(image)
        }
        XCTAssertNotEqual(posters[0], posters[1], "seeds 0 and 1")
        let mask = try PNGCodec.readGray(from: dir.path("mask.png"))
        XCTAssertEqual([mask.width, mask.height], [64, 64])
        XCTAssertGreaterThan(mask.pixels.filter { $0 > 0 }.count, 20, "the mask has the glyphs")
        let layout = try Layout.parse(try dir.read("layout.json"))
        XCTAssertEqual([layout.canvas.width, layout.canvas.height], [64, 64])
        XCTAssertEqual(layout.lines.map(\.text).joined(separator: " ").split(separator: " "), ["Open", "Late"])
        for line in layout.lines {
            let rect = layout.pixelRect(of: line.box)
            XCTAssertGreaterThanOrEqual(rect.maxY - rect.minY, 8, "planned lines are tall enough to draw at 64 px")
        }
        XCTAssertNoThrow(try PNGCodec.readRGB(from: dir.path("preview.png")))
        XCTAssertTrue(result.stdout.contains("x-2.png: seed 1, 64x64"), result.summary)
    }

    func testSameSeedSameBytes() throws {
        let model = try Self.tiny.modelPath(in: self)
        let dir = try TemporaryDirectory()
        for name in ["a.png", "b.png"] {
            assertSuccess(try Poster.run(["generate", prompt, "--model", model, "--out", dir.path(name), "--seed", "5", "--steps", "2"]))
        }
        assertSuccess(try Poster.run(["generate", prompt, "--model", model, "--out", dir.path("c.png"), "--seed", "6", "--steps", "2"]))
        let a = try Data(contentsOf: dir.url.appendingPathComponent("a.png"))
        XCTAssertEqual(a, try Data(contentsOf: dir.url.appendingPathComponent("b.png")))
        XCTAssertNotEqual(a, try Data(contentsOf: dir.url.appendingPathComponent("c.png")))
    }

    /// A given layout is used as it is (fitted to the output size): no planner is loaded, so a missing one does not matter.
    func testGivenLayoutSkipsThePlanner() throws {
        let model = try Self.tiny.modelPath(in: self)
        let dir = try TemporaryDirectory()
        let file = try dir.write(#"{"canvas":{"width":512,"height":512},"grid":128,"lines":[{"text":"Hi","box":[16,40,112,88]}]}"#, to: "given.json")
        let result = try Poster.run(["generate", "a red poster with no quoted words", "--layout", file, "--planner", dir.path("no-planner"),
                                     "--model", model, "--out", dir.path("x.png"), "--save-layout", dir.path("used.json"), "--steps", "2"])
        assertSuccess(result)
        XCTAssertTrue(result.stdout.contains("layout: [x16][y40][x112][y88][H][i]"), result.summary)
        let used = try Layout.parse(try dir.read("used.json"))
        XCTAssertEqual([used.canvas.width, used.canvas.height], [64, 64])
        XCTAssertEqual(used.lines.map(\.text), ["Hi"])
        XCTAssertEqual(used.lines.map(\.box), try Layout.parse(try dir.read("given.json")).lines.map(\.box))
        XCTAssertEqual(try PNGCodec.readRGB(from: dir.path("x.png")).width, 64)
    }

    /// The colour prior starts from the named background part-way through the steps; 1 turns it off.
    func testColorPriorStartsFromTheNamedBackground() throws {
        let model = try Self.tiny.modelPath(in: self)
        let dir = try TemporaryDirectory()
        for (name, strength) in [("off.png", "1"), ("half.png", "0.5")] {
            let result = try Poster.run(["generate", prompt, "--model", model, "--out", dir.path(name), "--steps", "4", "--color-prior", strength])
            assertSuccess(result)
            XCTAssertTrue(result.stdout.contains(strength == "1" ? "4/4 steps" : "2/2 steps") || result.stderr.contains(strength == "1" ? "4/4 steps" : "2/2 steps"),
                          result.summary)
        }
        let off = try PNGCodec.readRGB(from: dir.path("off.png")), half = try PNGCodec.readRGB(from: dir.path("half.png"))
        XCTAssertNotEqual(off, half)
        // Half-way from a dark blue start, the background keeps much of it: bluer than it is red.
        let corner = (0..<8).flatMap { y in (0..<8).map { x in half[x, y] } }
        XCTAssertGreaterThan(corner.map { Int($0.blue) - Int($0.red) }.reduce(0, +), 0, "\(corner.prefix(4))")
        assertInputError(try Poster.run(["generate", prompt, "--model", model, "--out", dir.path("x.png"), "--color-prior", "0"]), ["--color-prior"])
    }

    func testBadInputExitsTwo() throws {
        let model = try Self.tiny.modelPath(in: self)
        let dir = try TemporaryDirectory()
        let out = dir.path("x.png")
        assertInputError(try Poster.run(["generate", "a poster with no quotes", "--model", model, "--out", out]), ["quotes no text", "--layout"])
        assertInputError(try Poster.run(["generate", prompt, "--model", dir.path("missing"), "--out", out]), ["missing", "no such model folder"])
        assertInputError(try Poster.run(["generate", prompt, "--model", model, "--out", dir.path("no-folder/x.png")]), ["no-folder", "does not exist"])
        assertInputError(try Poster.run(["generate", prompt, "--model", model, "--out", dir.url.path]), ["is a folder"])
        assertInputError(try Poster.run(["generate", prompt, "--model", model, "--out", out, "--layout", "[x10][y50][x100][y52][H][i]", "--size", "64"]),
                         ["'Hi'", "too small to draw", "64x64"])
        let wide = #"{"canvas":{"width":512,"height":256},"grid":128,"lines":[{"text":"Hi","box":[10,10,100,60]}]}"#
        assertInputError(try Poster.run(["generate", prompt, "--model", model, "--out", out, "--layout", wide]), ["512x256", "not square"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing written on bad input")
    }
}
