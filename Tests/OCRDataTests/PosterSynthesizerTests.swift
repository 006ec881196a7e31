import Foundation
import XCTest
import GlyphRender
@testable import OCRData
import PosterCore

/// The synthetic MARIO generator behind `poster data synth`: samples are a
/// pure function of (seed, index), their annotations are exactly what was
/// drawn, captions say the colours and quote every line, photographs are used
/// when given, and Tesseract can read the text back.
final class PosterSynthesizerTests: XCTestCase {
    static let manifest: FontManifest = try! FontManifest.standard()
    let renderer = GlyphRenderer(manifest: PosterSynthesizerTests.manifest)

    func synthesizer(seed: UInt64 = 7, backgrounds: URL? = nil, size: Int = 512) throws -> PosterSynthesizer {
        try PosterSynthesizer(manifest: Self.manifest, seed: seed, backgrounds: backgrounds, size: size)
    }

    /// info.json's lines as (text, colour, box).
    func infoLines(_ sample: MARIOSample) throws -> [(text: String, color: String, box: [Int])] {
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(sample.info.utf8)) as? [String: Any])
        let lines = try XCTUnwrap(object["lines"] as? [[String: Any]])
        return try lines.map { line in
            (try XCTUnwrap(line["text"] as? String), try XCTUnwrap(line["color"] as? String), try XCTUnwrap(line["box"] as? [Int]))
        }
    }

    func infoBackground(_ sample: MARIOSample) throws -> [String: Any] {
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(sample.info.utf8)) as? [String: Any])
        return try XCTUnwrap(object["background"] as? [String: Any])
    }

    // MARK: determinism

    func testSameSeedAndIndexGiveIdenticalSamples() throws {
        let a = try synthesizer(seed: 42), b = try synthesizer(seed: 42)
        let otherRenderer = GlyphRenderer(manifest: Self.manifest)
        // Out of order on purpose: a sample must not depend on what was made before it.
        for index in [3, 0, 17] {
            let x = try a.sample(index: index, renderer: renderer)
            let y = try b.sample(index: index, renderer: otherRenderer)
            XCTAssertEqual(x.id, MARIOSample.id(index: index))
            XCTAssertEqual(x.image.pixels, y.image.pixels, "image bytes, index \(index)")
            XCTAssertEqual(x.caption, y.caption)
            XCTAssertEqual(x.words, y.words)
            XCTAssertEqual(x.charseg, y.charseg)
            XCTAssertEqual(x.info, y.info)
        }
        let zero = try a.sample(index: 0, renderer: renderer), one = try a.sample(index: 1, renderer: renderer)
        XCTAssertNotEqual(zero.image.pixels, one.image.pixels)
        XCTAssertNotEqual(zero.caption, one.caption)
        let otherSeed = try synthesizer(seed: 43).sample(index: 0, renderer: renderer)
        XCTAssertNotEqual(zero.image.pixels, otherSeed.image.pixels)
    }

    // MARK: exact ground truth

    func testWordBoxesHoldExactlyTheDrawnInk() throws {
        let synth = try synthesizer()
        for index in 0..<12 {
            let poster = try synth.compose(index: index, renderer: renderer)
            let sample = poster.sample
            let size = synth.size
            XCTAssertEqual(sample.image.width, size)
            XCTAssertEqual(sample.image.height, size)
            // Every line's words, in order, and nothing else.
            let expected = poster.lines.flatMap { $0.line.text.split(separator: " ").map(String.init) }
            XCTAssertEqual(sample.words.map(\.text), expected, "index \(index)")
            let boxes = sample.words.map(\.boundingBox)
            for (word, box) in zip(sample.words, boxes) {
                XCTAssertEqual(word.confidence, 1.0)
                XCTAssertEqual(word.polygon, [box.left, box.top, box.right, box.top, box.right, box.bottom, box.left, box.bottom])
                XCTAssertTrue(0 <= box.left && box.left < box.right && box.right <= size, "\(word.text) x inside, index \(index)")
                XCTAssertTrue(0 <= box.top && box.top < box.bottom && box.bottom <= size, "\(word.text) y inside, index \(index)")
            }
            var wordIndex = 0
            for line in poster.lines {
                for _ in line.line.text.split(separator: " ") {
                    let box = boxes[wordIndex], text = sample.words[wordIndex].text
                    wordIndex += 1
                    // The glyphs of this word are inside its box ...
                    var solid = 0, changed = 0
                    for y in box.top..<box.bottom {
                        for x in box.left..<box.right {
                            if line.mask[x, y] >= 128 { solid += 1 }
                            if sample.image[x, y] != poster.backdrop[x, y] { changed += 1 }
                        }
                    }
                    XCTAssertGreaterThan(solid, 0, "'\(text)' has ink in its box, index \(index)")
                    // ... and the image there is not the background any more.
                    XCTAssertGreaterThan(changed, solid / 3, "'\(text)' is painted on the image, index \(index)")
                }
                // No glyph ink of the line falls outside its words' boxes (1 px for anti-aliasing).
                let lineBoxes = boxes[(wordIndex - line.line.text.split(separator: " ").count)..<wordIndex]
                for y in 0..<size {
                    for x in 0..<size where line.mask[x, y] >= 64 {
                        let inside = lineBoxes.contains { x >= $0.left - 1 && x < $0.right + 1 && y >= $0.top - 1 && y < $0.bottom + 1 }
                        if !inside { XCTFail("ink at (\(x), \(y)) of '\(line.line.text)' outside its word boxes, index \(index)"); return }
                    }
                }
            }
            // Away from the words (beyond outline and shadow) the image is exactly the background.
            var near = GrayImage(width: size, height: size)
            for (line, range) in zip(poster.lines, lineRanges(poster)) {
                let pad = line.style.reach + 2
                for box in boxes[range] {
                    for y in max(0, box.top - pad)..<min(size, box.bottom + pad) {
                        for x in max(0, box.left - pad)..<min(size, box.right + pad) { near[x, y] = 1 }
                    }
                }
            }
            var stray = 0
            for y in 0..<size { for x in 0..<size where near[x, y] == 0 && sample.image[x, y] != poster.backdrop[x, y] { stray += 1 } }
            XCTAssertEqual(stray, 0, "pixels changed away from every word, index \(index)")
        }
    }

    private func lineRanges(_ poster: SynthPoster) -> [Range<Int>] {
        var ranges: [Range<Int>] = [], start = 0
        for line in poster.lines {
            let count = line.line.text.split(separator: " ").count
            ranges.append(start..<(start + count))
            start += count
        }
        return ranges
    }

    func testCharsegHoldsExactlyTheDrawnCharacters() throws {
        let synth = try synthesizer(seed: 3)
        for index in 0..<16 {
            let sample = try synth.sample(index: index, renderer: renderer)
            let charseg = try XCTUnwrap(sample.charseg)
            XCTAssertEqual(charseg.rows, 256)
            XCTAssertEqual(charseg.columns, 256)
            let drawn = Set(try infoLines(sample).flatMap { $0.text.compactMap { $0 == " " ? nil : MARIOAlphabet.classIndex(of: $0) } })
            XCTAssertEqual(Set(charseg.values.filter { $0 != 0 }), drawn, "index \(index): \(sample.caption)")
            // Every labelled cell lies in a word box (in charseg's half-size coordinates, a cell of slack).
            let boxes = sample.words.map(\.boundingBox)
            for y in 0..<256 {
                for x in 0..<256 where charseg.values[y * 256 + x] != 0 {
                    let inside = boxes.contains { 2 * x + 1 >= $0.left - 2 && 2 * x <= $0.right + 2 && 2 * y + 1 >= $0.top - 2 && 2 * y <= $0.bottom + 2 }
                    if !inside { XCTFail("charseg cell (\(x), \(y)) outside every word, index \(index)"); return }
                }
            }
        }
    }

    func testOtherSizesScaleTheAnnotations() throws {
        let sample = try synthesizer(size: 256).sample(index: 5, renderer: renderer)
        XCTAssertEqual(sample.image.width, 256)
        XCTAssertEqual(sample.charseg?.rows, 128)
        for word in sample.words { XCTAssertTrue(word.polygon.allSatisfy { (0...256).contains($0) }) }
        XCTAssertThrowsError(try synthesizer(size: 100)) { error in
            XCTAssertTrue("\(error)".contains("100"), "\(error)")
        }
    }

    // MARK: captions

    func testCaptionsQuoteEveryLineAndNameColours() throws {
        let synth = try synthesizer(seed: 11)
        var lineCounts = Set<Int>()
        for index in 0..<14 {
            let sample = try synth.sample(index: index, renderer: renderer)
            let lines = try infoLines(sample)
            lineCounts.insert(lines.count)
            XCTAssertTrue((1...8).contains(lines.count))
            XCTAssertTrue(sample.caption.hasPrefix("a ") || sample.caption.hasPrefix("an "), sample.caption)
            for line in lines {
                XCTAssertTrue(sample.caption.contains("'\(line.text)'"), "'\(line.text)' quoted in: \(sample.caption)")
                XCTAssertTrue(sample.caption.contains("\(line.color) "), "colour \(line.color) named in: \(sample.caption)")
                XCTAssertTrue(line.text.unicodeScalars.allSatisfy { (0x20...0x7E).contains($0.value) }, line.text)
            }
            for color in try XCTUnwrap(try infoBackground(sample)["colors"] as? [String]) {
                XCTAssertTrue(sample.caption.contains(color), "background \(color) named in: \(sample.caption)")
            }
            XCTAssertNotEqual(try infoBackground(sample)["kind"] as? String, "photo", "no folder, no photographs")
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(sample.info.utf8)) as? [String: Any])
            XCTAssertEqual(object["source"] as? String, "synth")
            XCTAssertEqual(object["seed"] as? Int, 11)
            XCTAssertEqual(object["index"] as? Int, index)
            XCTAssertEqual(object["size"] as? Int, 512)
        }
        XCTAssertGreaterThanOrEqual(lineCounts.count, 4, "line counts vary: \(lineCounts.sorted())")
    }

    // MARK: photographs

    /// Writes a folder of small solid-colour PNGs (one in a subfolder).
    func photoFolder() throws -> (URL, [String: RGBColor]) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("synth-photos-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("nested"), withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: root) }
        let photos: [String: RGBColor] = [
            "magenta.png": RGBColor(red: 201, green: 17, blue: 140),
            "nested/teal.png": RGBColor(red: 12, green: 120, blue: 118),
        ]
        for (name, color) in photos {
            try PNGCodec.write(RGBImage(width: 48, height: 32, fill: color), to: root.appendingPathComponent(name).path)
        }
        try Data("not an image".utf8).write(to: root.appendingPathComponent("notes.txt"))
        return (root, photos)
    }

    func testPhotographsAreUsedWhenAFolderIsGiven() throws {
        let (root, photos) = try photoFolder()
        let synth = try synthesizer(seed: 5, backgrounds: root)
        var used = Set<String>()
        for index in 0..<10 {
            let sample = try synth.sample(index: index, renderer: renderer)
            let background = try infoBackground(sample)
            guard background["kind"] as? String == "photo" else { continue }
            let file = try XCTUnwrap(background["photo"] as? String)
            let color = try XCTUnwrap(photos[file], "photo \(file) is one of the folder's")
            used.insert(file)
            XCTAssertTrue(sample.caption.contains("photograph"), sample.caption)
            if background["veil"] == nil {
                // A solid photograph stays solid where nothing is drawn over it.
                var same = 0
                for y in 0..<512 { for x in 0..<512 where sample.image[x, y] == color { same += 1 } }
                XCTAssertGreaterThan(same, 512 * 512 / 4, "photo \(file) shows, index \(index)")
            }
        }
        XCTAssertEqual(used, Set(photos.keys), "both photographs (one nested) are used")
    }

    func testPlainShareDrawsOnlyAColourOrGradientAndText() throws {
        let (root, _) = try photoFolder()
        let plain = try PosterSynthesizer(manifest: Self.manifest, seed: 9, backgrounds: root, size: 256, maxLines: 3, plainShare: 1)
        var kinds = Set<String>()
        for index in 0..<10 {
            let poster = try plain.compose(index: index, renderer: renderer)
            let background = try infoBackground(poster.sample)
            let kind = try XCTUnwrap(background["kind"] as? String)
            kinds.insert(kind)
            XCTAssertNotEqual(kind, "photo", "index \(index)")
            XCTAssertEqual((background["shapes"] as? [String])?.count, 0, "no shapes, banners or badge, index \(index)")
            XCTAssertEqual(background["grainy"] as? Bool, false, "index \(index)")
            XCTAssertFalse(poster.lines.contains { $0.line.role == .badge }, "index \(index)")
            for word in ["circle", "rectangle", "stripes", "dots", "border", "banner", "badge", "photograph", "grain"] {
                XCTAssertFalse(poster.sample.caption.contains(word), "\(word) in \(poster.sample.caption)")
            }
            if kind == "flat" {
                // The backdrop behind the text is one colour, edge to edge.
                XCTAssertEqual(Set(stride(from: 0, to: poster.backdrop.pixels.count, by: 3).map {
                    poster.backdrop.pixels[$0] }).count, 1, "index \(index)")
            }
        }
        XCTAssertTrue(kinds.contains("flat") && kinds.count >= 2, "flat and gradient backdrops: \(kinds)")
        // A share draws about that many plain posters (some ordinary ones come out plain too: ~19 of 30);
        // 0, the default, keeps the earlier sets byte for byte.
        let half = try PosterSynthesizer(manifest: Self.manifest, seed: 9, size: 256, maxLines: 1, plainShare: 0.5)
        var plainCount = 0
        for index in 0..<30 {
            let background = try infoBackground(try half.sample(index: index, renderer: renderer))
            if (background["shapes"] as? [String])?.isEmpty == true, background["grainy"] as? Bool == false { plainCount += 1 }
        }
        XCTAssertTrue((10...26).contains(plainCount), "\(plainCount) of 30 plain at share 0.5")
        // The shipped model's training set (`--seed 7 --max-lines 3`, written before the option existed) begins so.
        let zero = try PosterSynthesizer(manifest: Self.manifest, seed: 7, maxLines: 3, plainShare: 0)
        XCTAssertEqual(try zero.sample(index: 0, renderer: renderer).caption,
                       "a white to yellow gradient poster with a blue border and dark gray script text 'Flash Sale'")
        XCTAssertEqual(try zero.sample(index: 1, renderer: renderer).caption,
                       "a grainy red to dark blue radial gradient poster with blue circles and light blue script text 'Dublin Bistro'")
        XCTAssertThrowsError(try PosterSynthesizer(manifest: Self.manifest, seed: 9, plainShare: 1.5)) { error in
            XCTAssertTrue("\(error)".contains("plain share 1.5"), "\(error)")
        }
    }

    func testBadBackgroundsFoldersAreClearErrors() throws {
        let missing = URL(fileURLWithPath: "/nonexistent/synth-backgrounds")
        XCTAssertThrowsError(try synthesizer(backgrounds: missing)) { error in
            XCTAssertTrue(error is SynthError)
            XCTAssertTrue("\(error)".contains("/nonexistent/synth-backgrounds"), "\(error)")
            XCTAssertTrue("\(error)".contains("does not exist"), "\(error)")
        }
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("synth-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty.appendingPathComponent("sub"), withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: empty) }
        try Data("x".utf8).write(to: empty.appendingPathComponent("sub/readme.txt"))
        XCTAssertThrowsError(try synthesizer(backgrounds: empty)) { error in
            XCTAssertTrue("\(error)".contains(empty.path), "\(error)")
            XCTAssertTrue("\(error)".contains("has no images"), "\(error)")
        }
        let file = empty.appendingPathComponent("sub/readme.txt")
        XCTAssertThrowsError(try synthesizer(backgrounds: file)) { error in
            XCTAssertTrue("\(error)".contains("not a folder"), "\(error)")
        }
    }

    func testUnreadablePhotographIsAnErrorNamingIt() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("synth-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: root) }
        try Data("not really a jpeg".utf8).write(to: root.appendingPathComponent("broken.jpg"))
        let synth = try synthesizer(backgrounds: root)
        var failures = 0
        for index in 0..<6 {
            do { _ = try synth.sample(index: index, renderer: renderer) } catch {
                failures += 1
                XCTAssertTrue("\(error)".contains("broken.jpg"), "\(error)")
            }
        }
        XCTAssertGreaterThan(failures, 0)
    }

    // MARK: legibility

    /// Tesseract reads the drawn words back: each line's ink box is cropped
    /// from the image's luma with a margin, made dark-on-light, enlarged to
    /// about 64 px tall, and read as a single line; words are compared
    /// case-insensitively without punctuation (multiset match per line).
    /// Measured: 179 of 213 words (0.84) on samples 0..<24 of seed 2024; the
    /// misses are mostly script faces and outlined text. Required: >= 0.70.
    func testTesseractReadsMostWords() throws {
        let ocr = try TesseractOCR(language: "eng")
        let synth = try synthesizer(seed: 2024)
        var total = 0, read = 0
        var misses: [String] = []
        for index in 0..<24 {
            let poster = try synth.compose(index: index, renderer: renderer)
            let luma = poster.sample.image.luma()
            for line in poster.lines {
                let truth = line.line.text.split(separator: " ").map { normalised(String($0)) }.filter { !$0.isEmpty }
                let crop = lineCrop(luma, mask: line.mask, bounds: line.bounds)
                var found = ocr.recognize(crop, mode: .singleLine).map { normalised($0.text) }
                total += truth.count
                for word in truth {
                    if let hit = found.firstIndex(of: word) { read += 1; found.remove(at: hit) } else { misses.append(word) }
                }
            }
        }
        let rate = Double(read) / Double(total)
        print("synth legibility: Tesseract read \(read) of \(total) words (\(String(format: "%.2f", rate))); missed: \(misses.prefix(40).joined(separator: " "))")
        XCTAssertGreaterThanOrEqual(rate, 0.7)
    }

    private func normalised(_ word: String) -> String {
        String(word.lowercased().filter { $0.isLetter || $0.isNumber })
    }

    /// The line's box with a margin, dark text on light, enlarged by a whole factor.
    private func lineCrop(_ luma: GrayImage, mask: GrayImage, bounds: (minX: Int, minY: Int, maxX: Int, maxY: Int)) -> GrayImage {
        let height = bounds.maxY - bounds.minY + 1
        let pad = max(6, height / 3)
        let x0 = max(0, bounds.minX - pad), y0 = max(0, bounds.minY - pad)
        let x1 = min(luma.width - 1, bounds.maxX + pad), y1 = min(luma.height - 1, bounds.maxY + pad)
        var crop = GrayImage(width: x1 - x0 + 1, height: y1 - y0 + 1)
        var inkSum = 0, inkCount = 0, restSum = 0, restCount = 0
        for y in y0...y1 {
            for x in x0...x1 {
                let value = luma[x, y]
                crop[x - x0, y - y0] = value
                if mask[x, y] >= 200 { inkSum += Int(value); inkCount += 1 } else if mask[x, y] == 0 { restSum += Int(value); restCount += 1 }
            }
        }
        if inkCount > 0, restCount > 0, inkSum * restCount > restSum * inkCount { crop = crop.inverted() }
        let factor = max(1, min(4, Int((64.0 / Double(height)).rounded(.up))))
        return crop.upscaled(by: factor)
    }
}
