import Foundation
import PosterCore
import XCTest

/// `poster eval ocr` with a tiny trained model: report.json's numbers; bad prompts files exit 2.
final class EvalOCRCommandTests: XCTestCase {
    static let tiny = TinyGlyphModel.train()

    override class func tearDown() {
        tiny.remove()
        super.tearDown()
    }

    func testReportOnTwoPrompts() throws {
        let model = try Self.tiny.modelPath(in: self)
        let dir = try TemporaryDirectory()
        let prompts = try dir.write("# two prompts\n\na white poster with black bold text 'HELLO'\na yellow poster with black text 'OPEN'\n", to: "prompts.txt")
        // The tiny model was trained at 64 px; the pipeline runs at any multiple of 32, and 128 px gives Tesseract large flat renders.
        let result = try Poster.run(["eval", "ocr", prompts, "--model", model, "--seeds", "1", "--size", "128", "--steps", "2", "--out", dir.path("eval")])
        assertSuccess(result)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: dir.url.appendingPathComponent("eval/report.json"))) as? [String: Any])
        XCTAssertEqual(report["prompts"] as? Int, 2)
        XCTAssertEqual(report["seedsPerPrompt"] as? Int, 1)
        XCTAssertEqual((report["images"] as? [Any])?.count, 2)
        XCTAssertEqual(report["failures"] as? [String], [])
        // Tesseract reads the flat renders of large single words: the OCR's ceiling is (near) perfect.
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(report["flatLineAccuracy"] as? Double), 0.5, result.summary)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(report["flatLineNED"] as? Double), 0.75)
        var fractions = ["lineAccuracy", "lineNED", "flatLineAccuracy", "flatLineNED", "colorAdherence"].map { (name: $0, value: report[$0]) }
        for summary in ["mario", "flatMario"] {
            let numbers = try XCTUnwrap(report[summary] as? [String: Any], summary)
            XCTAssertEqual(numbers["images"] as? Int, 2, summary)
            fractions += ["precision", "recall", "f", "accuracy"].map { (name: "\(summary).\($0)", value: numbers[$0]) }
        }
        for (name, value) in fractions {
            let number = try XCTUnwrap(value as? Double, name)
            XCTAssertTrue((0...1).contains(number), "\(name) = \(number)")
        }
        // Both prompts name a flat background; text colours are checked only where the glyphs have solid interiors.
        XCTAssertTrue((2...4).contains(try XCTUnwrap(report["colorChecks"] as? Int)), "\(report["colorChecks"] ?? "nil") colour checks")
        for image in ["images/001-0.png", "images/002-0.png", "contact_sheet.png"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("eval/\(image)").path), image)
        }
    }

    func testPromptWithoutQuotesExitsTwo() throws {
        let model = try Self.tiny.modelPath(in: self)
        let dir = try TemporaryDirectory()
        let prompts = try dir.write("a poster that says 'Hi'\na poster with nothing quoted\n", to: "prompts.txt")
        assertInputError(try Poster.run(["eval", "ocr", prompts, "--model", model, "--out", dir.path("eval")]),
                         ["prompts.txt", "prompt 2 quotes no text"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.path("eval")), "nothing written")
        assertInputError(try Poster.run(["eval", "ocr", dir.path("missing.txt"), "--model", model, "--out", dir.path("eval")]),
                         ["cannot read the prompts file"])
    }

    /// `--first-seed F` evaluates seeds F...F+N-1: the poster is `poster generate --seed F`'s, named for its seed.
    func testFirstSeedContinuesAnEarlierRun() throws {
        let model = try Self.tiny.modelPath(in: self)
        let dir = try TemporaryDirectory()
        let prompt = "a white poster with black bold text 'HELLO'"
        let prompts = try dir.write(prompt + "\n", to: "prompts.txt")
        let settings = ["--size", "128", "--steps", "2"]
        assertSuccess(try Poster.run(["eval", "ocr", prompts, "--model", model, "--seeds", "1", "--first-seed", "3", "--out", dir.path("eval")] + settings))
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: dir.url.appendingPathComponent("eval/report.json"))) as? [String: Any])
        XCTAssertEqual(report["firstSeed"] as? Int, 3)
        let image = try XCTUnwrap((report["images"] as? [[String: Any]])?.first)
        XCTAssertEqual(image["seed"] as? Int, 3)
        XCTAssertEqual(image["image"] as? String, "images/001-3.png")
        assertSuccess(try Poster.run(["generate", prompt, "--model", model, "--seed", "3", "--out", dir.path("seed3.png")] + settings))
        assertSuccess(try Poster.run(["generate", prompt, "--model", model, "--seed", "0", "--out", dir.path("seed0.png")] + settings))
        let evaluated = try PNGCodec.readRGB(from: dir.path("eval/images/001-3.png")).pixels
        XCTAssertEqual(evaluated, try PNGCodec.readRGB(from: dir.path("seed3.png")).pixels)
        XCTAssertNotEqual(evaluated, try PNGCodec.readRGB(from: dir.path("seed0.png")).pixels)
        assertInputError(try Poster.run(["eval", "ocr", prompts, "--model", model, "--first-seed=-1", "--out", dir.path("bad")]), ["--first-seed must be 0 or more"])
    }

    /// The sampling options reach every poster: the evaluated image is the one `poster generate` makes with the same settings.
    func testSamplingOptionsMatchPosterGenerate() throws {
        let model = try Self.tiny.modelPath(in: self)
        let dir = try TemporaryDirectory()
        let prompt = "a yellow poster with black bold text 'OPEN'"
        let prompts = try dir.write(prompt + "\n", to: "prompts.txt")
        let settings = ["--size", "128", "--steps", "3", "--guidance", "2", "--scheduler", "euler", "--control-scale", "0.5", "--color-prior", "0.7",
                        "--negative", "circles"]
        assertSuccess(try Poster.run(["eval", "ocr", prompts, "--model", model, "--seeds", "1", "--out", dir.path("eval")] + settings))
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: dir.url.appendingPathComponent("eval/report.json"))) as? [String: Any])
        XCTAssertEqual(report["guidance"] as? Double, 2)
        XCTAssertEqual(report["controlScale"] as? Double, 0.5)
        XCTAssertEqual(report["scheduler"] as? String, "EulerDiscreteScheduler")
        XCTAssertEqual(report["steps"] as? Int, 3)
        XCTAssertEqual(report["colorPrior"] as? Double, 0.7)
        XCTAssertEqual(report["negativePrompt"] as? String, "circles")
        assertSuccess(try Poster.run(["generate", prompt, "--model", model, "--seed", "0", "--out", dir.path("direct.png")] + settings))
        let evaluated = try PNGCodec.readRGB(from: dir.path("eval/images/001-0.png")), direct = try PNGCodec.readRGB(from: dir.path("direct.png"))
        XCTAssertEqual(evaluated.pixels, direct.pixels)
        // A different guidance gives a different poster: the option is not ignored.
        assertSuccess(try Poster.run(["generate", prompt, "--model", model, "--seed", "0", "--out", dir.path("other.png")]
                                     + settings.map { $0 == "2" ? "6" : $0 }))
        XCTAssertNotEqual(try PNGCodec.readRGB(from: dir.path("other.png")).pixels, direct.pixels)
        assertInputError(try Poster.run(["eval", "ocr", prompts, "--model", model, "--guidance", "0.5", "--out", dir.path("bad")]), ["--guidance"])
    }

    /// `poster eval reread` scores a run's posters again: under the run's own OCR input it reproduces the run's report;
    /// under another it records that input; it never overwrites the run's folder.
    func testRereadReproducesTheRunAndSwitchesOCRInput() throws {
        let model = try Self.tiny.modelPath(in: self)
        let dir = try TemporaryDirectory()
        let prompts = try dir.write("a red poster with white bold text 'SALE'\na yellow poster with black text 'OPEN'\n", to: "prompts.txt")
        assertSuccess(try Poster.run(["eval", "ocr", prompts, "--model", model, "--seeds", "2", "--size", "128", "--steps", "2",
                                      "--ocr-input", "color", "--out", dir.path("run")]))
        func report(_ folder: String) throws -> [String: Any] {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: dir.url.appendingPathComponent("\(folder)/report.json"))) as? [String: Any])
        }
        let run = try report("run")
        XCTAssertEqual(run["ocrInput"] as? String, "color")
        assertSuccess(try Poster.run(["eval", "reread", dir.path("run"), "--ocr-input", "color", "--out", dir.path("again")]))
        let again = try report("again")
        for key in ["mario", "lineAccuracy", "lineNED", "flatMario", "flatLineAccuracy", "colorChecks", "colorAdherence", "secondsPerImage"] {
            XCTAssertEqual(again[key] as? NSObject, run[key] as? NSObject, key)
        }
        XCTAssertEqual((again["images"] as? [[String: Any]])?.map { $0["words"] as? [String] ?? [] },
                       (run["images"] as? [[String: Any]])?.map { $0["words"] as? [String] ?? [] })
        XCTAssertEqual(try PNGCodec.readRGB(from: dir.path("again/images/001-1.png")).pixels,
                       try PNGCodec.readRGB(from: dir.path("run/images/001-1.png")).pixels)
        let result = try Poster.run(["eval", "reread", dir.path("run"), "--out", dir.path("contrast")])
        assertSuccess(result)
        XCTAssertTrue(result.stdout.contains("OCR input contrast"), result.summary)
        let contrast = try report("contrast")
        XCTAssertEqual(contrast["ocrInput"] as? String, "contrast")
        XCTAssertEqual((contrast["images"] as? [Any])?.count, 4)
        // Flat renders are black on white: the normalised grey is the same picture, so the OCR ceiling is unchanged.
        XCTAssertEqual(contrast["flatLineAccuracy"] as? Double, run["flatLineAccuracy"] as? Double)
        assertInputError(try Poster.run(["eval", "reread", dir.path("run"), "--out", dir.path("run")]), ["the run's own folder"])
        assertInputError(try Poster.run(["eval", "reread", dir.path("missing"), "--out", dir.path("x")]), ["report.json", "no report"])
        XCTAssertEqual(try report("run")["ocrInput"] as? String, "color", "the run's report is untouched")
    }
}
