import Foundation
import GlyphRender
import OCRData
import PosterCore
import XCTest

/// `poster data annotate`: Tesseract over rendered-text images (640x320, so
/// the resize to 512x512 matters) into MARIO samples.
final class AnnotateTests: XCTestCase {
    struct Rendered {
        var image: RGBImage
        /// Each word and its ink box in source pixels.
        var words: [(text: String, box: PixelRect)]
    }

    /// Dark text on white, RGB, at 640x320.
    func render(_ lines: [LayoutLine]) throws -> Rendered {
        let layout = try Layout(canvas: CanvasSize(width: 640, height: 320), lines: lines)
        let mask = try GlyphRenderer(manifest: sharedManifest).render(layout)
        let grey = mask.image.inverted()
        let image = RGBImage(width: grey.width, height: grey.height, pixels: grey.pixels.flatMap { [$0, $0, $0] })
        var words: [(text: String, box: PixelRect)] = []
        for lineIndex in layout.lines.indices {
            var text = "", box: PixelRect? = nil
            for character in mask.characters.filter({ $0.line == lineIndex }).sorted(by: { $0.index < $1.index }) + [nil] {
                if let character, !character.character.isWhitespace {
                    text.append(character.character)
                    box = box.map { $0.union(character.rect) } ?? character.rect
                } else if let finished = box {
                    words.append((text, finished))
                    text = ""; box = nil
                }
            }
        }
        return Rendered(image: image, words: words)
    }

    func testAnnotatesCaptionedImagesWithWordsBoxesAndCharseg() throws {
        let root = try makeScratchFolder(self)
        let images = root.appendingPathComponent("images"), output = root.appendingPathComponent("mario")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        let a = try render([LayoutLine(box: GridBox(left: 8, top: 16, right: 120, bottom: 60), text: "OPEN LATE"),
                            LayoutLine(box: GridBox(left: 30, top: 80, right: 100, bottom: 112), text: "Coffee")])
        let b = try render([LayoutLine(box: GridBox(left: 16, top: 40, right: 112, bottom: 88), text: "Fresh bread")])
        let c = try render([LayoutLine(box: GridBox(left: 16, top: 40, right: 112, bottom: 88), text: "Nobody")])
        try PNGCodec.write(a.image, to: images.appendingPathComponent("a.png").path)
        try PNGCodec.write(b.image, to: images.appendingPathComponent("b.png").path)
        try PNGCodec.write(c.image, to: images.appendingPathComponent("c.png").path)
        try Data("A cafe sign: 'OPEN LATE' and 'Coffee'\n".utf8).write(to: images.appendingPathComponent("a.txt"))
        let captionsFile = root.appendingPathComponent("captions.tsv")
        try Data("b.png\tA bakery window with 'Fresh bread'\r\nnot-an-image.png\tignored\n".utf8).write(to: captionsFile)

        let annotator = TesseractAnnotator(captions: try CaptionSource(file: captionsFile), workers: 2)
        let report = try annotator.run(input: images, output: output, quiet: true)
        XCTAssertEqual(report["images.seen"], 3)
        XCTAssertEqual(report["samples.written"], 2)
        XCTAssertEqual(report["dropped.missing_caption"], 1)
        XCTAssertEqual(report["words.kept"], 5)
        let counts = try PrepareRun.reportCounts(output)
        XCTAssertEqual(counts["dropped.missing_caption"], 1, "report.json says so too")

        // Image i (sorted by path) is sample i; c.png had no caption and has no sample.
        let entries = try MARIOStore.entries(in: output)
        XCTAssertEqual(entries.map(\.id), ["000000000", "000000001"])
        for (entry, rendered, caption) in [(entries[0], a, "A cafe sign: 'OPEN LATE' and 'Coffee'"),
                                           (entries[1], b, "A bakery window with 'Fresh bread'")] {
            let (sample, errors) = try MARIOStore.read(entry)
            XCTAssertEqual(errors, [])
            XCTAssertEqual(sample.caption, caption)
            XCTAssertEqual([sample.image.width, sample.image.height], [512, 512])
            let info = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(sample.info.utf8)) as? [String: Any])
            XCTAssertEqual((info["original_width"] as? NSNumber)?.intValue, 640)
            XCTAssertEqual((info["original_height"] as? NSNumber)?.intValue, 320)

            // The words read back, each box near the rendered word scaled to 512x512 (x 0.8, y 1.6).
            XCTAssertEqual(sample.words.map(\.text), rendered.words.map(\.text), entry.id)
            for (word, expected) in zip(sample.words, rendered.words) {
                let box = word.boundingBox
                let target = [expected.box.minX * 0.8, expected.box.minY * 1.6, expected.box.maxX * 0.8, expected.box.maxY * 1.6]
                for (got, want) in zip([box.left, box.top, box.right, box.bottom], target) {
                    XCTAssertEqual(Double(got), want, accuracy: 3, "\(word.text): box \(box) vs rendered \(target)")
                }
                XCTAssertEqual(word.polygon, [box.left, box.top, box.right, box.top, box.right, box.bottom, box.left, box.bottom])
                XCTAssertGreaterThanOrEqual(word.confidence, 0.6)
            }

            // charseg: 256x256, the word's letters' classes inside its box, nothing far from the text.
            let charseg = try XCTUnwrap(sample.charseg)
            XCTAssertEqual([charseg.rows, charseg.columns], [256, 256])
            var covered = [Bool](repeating: false, count: 256 * 256)
            for word in sample.words {
                let box = word.boundingBox
                var classes: Set<UInt8> = []
                for y in (box.top / 2)..<min(256, (box.bottom + 1) / 2) {
                    for x in (box.left / 2)..<min(256, (box.right + 1) / 2) {
                        classes.insert(charseg.values[y * 256 + x])
                    }
                }
                for y in max(0, box.top / 2 - 2)..<min(256, box.bottom / 2 + 3) {
                    for x in max(0, box.left / 2 - 2)..<min(256, box.right / 2 + 3) { covered[y * 256 + x] = true }
                }
                let letters = Set(word.text.compactMap { MARIOAlphabet.classIndex(of: $0) })
                XCTAssertTrue(letters.isSubset(of: classes), "\(word.text): classes \(classes.sorted()) lack some of \(letters.sorted())")
            }
            let stray = charseg.values.indices.filter { charseg.values[$0] != 0 && !covered[$0] }
            XCTAssertEqual(stray.count, 0, "\(entry.id): charseg is lit only at the words")
        }
    }

    func testNoImagesWritesAnEmptyReport() throws {
        let root = try makeScratchFolder(self)
        let images = root.appendingPathComponent("images")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        try Data("not an image".utf8).write(to: images.appendingPathComponent("notes.txt"))
        let report = try TesseractAnnotator(workers: 1).run(input: images, output: root.appendingPathComponent("out"), quiet: true)
        XCTAssertEqual(report["images.seen"], 0)
        XCTAssertEqual(try MARIOStore.entries(in: root.appendingPathComponent("out")), [])
    }

    func testUnreadableImageIsCountedAndStrictMakesItFatal() throws {
        let root = try makeScratchFolder(self)
        let images = root.appendingPathComponent("images")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        try Data("not a PNG".utf8).write(to: images.appendingPathComponent("broken.png"))
        try Data("caption".utf8).write(to: images.appendingPathComponent("broken.txt"))
        let report = try TesseractAnnotator(workers: 1).run(input: images, output: root.appendingPathComponent("out"), quiet: true)
        XCTAssertEqual(report["dropped.unreadable_image"], 1)
        XCTAssertEqual(report["samples.written"], 0)
        XCTAssertThrowsError(try TesseractAnnotator(workers: 1, strict: true).run(input: images, output: root.appendingPathComponent("strict"), quiet: true)) { error in
            XCTAssertTrue("\(error)".contains("broken.png"), "\(error)")
        }
    }

    func testMissingInputFolderIsAClearError() throws {
        let root = try makeScratchFolder(self)
        XCTAssertThrowsError(try TesseractAnnotator(workers: 1).run(input: root.appendingPathComponent("absent"), output: root.appendingPathComponent("out"), quiet: true)) { error in
            XCTAssertTrue("\(error)".contains("absent"), "\(error)")
        }
    }
}
