import Foundation
import OCRData
import PosterCore
import XCTest

/// `poster data prepare` end to end on a small tree: the records, the layout
/// tokens, the images and the masks it writes.
final class PrepareRecordsTests: XCTestCase {
    /// Two lines: "Summer Sale" (two words, given right to left) and "50% OFF".
    func poster() -> MARIOSample {
        MARIOSample(id: "000000001", image: SampleFactory.solidImage(id: 1),
                    caption: "A beach poster reading 'Summer Sale' and '50% OFF'",
                    words: [MARIOWord(text: "Sale", left: 212, top: 100, right: 300, bottom: 140, confidence: 0.97),
                            MARIOWord(text: "Summer", polygon: [40, 101, 200, 100, 200, 139, 40, 140], confidence: 0.95),
                            MARIOWord(text: "50%", left: 40, top: 300, right: 120, bottom: 340, confidence: 0.9),
                            MARIOWord(text: "OFF", left: 130, top: 300, right: 220, bottom: 340, confidence: 0.88)],
                    charseg: nil)
    }

    /// A 640x480 PNG whose caption does not quote its one word.
    func wide() -> MARIOSample {
        MARIOSample(id: "000000002", image: SampleFactory.solid(width: 640, height: 480, RGBColor(red: 250, green: 240, blue: 10)),
                    caption: "a yellow sign that says welcome",
                    words: [MARIOWord(text: "WELCOME", left: 160, top: 120, right: 480, bottom: 180, confidence: 0.99)],
                    charseg: nil, info: "{\"original_width\": 640, \"original_height\": 480}", imageIsPNG: true)
    }

    func testRecordsLayoutTokensImagesAndMasks() throws {
        let root = try makeScratchFolder(self)
        let input = root.appendingPathComponent("mario"), output = root.appendingPathComponent("prepared")
        try MARIOStore.write(poster(), to: input)
        try MARIOStore.write(wide(), to: input)

        let report = try PrepareRun.preparer { $0.validationPercent = 0 }.run(input: input, output: output, numShards: 1, quiet: true)
        XCTAssertEqual(report["samples.seen"], 2)
        XCTAssertEqual(report["samples.kept.train"], 2)
        XCTAssertEqual(report["samples.kept.val"], 0)
        XCTAssertEqual(report["lines.kept"], 3)
        XCTAssertEqual(report["shards.done"], 1)

        let shard = output.appendingPathComponent("shard-00000-of-00001")
        XCTAssertEqual(try String(contentsOf: shard.appendingPathComponent("layout.val.jsonl"), encoding: .utf8), "")
        XCTAssertEqual(try String(contentsOf: shard.appendingPathComponent("glyph.val.jsonl"), encoding: .utf8), "")
        let layouts = try PrepareRun.records("layout", in: shard)
        let glyphs = try PrepareRun.records("glyph", in: shard)
        XCTAssertEqual(layouts.map { $0["id"] as? String }, ["000000001", "000000002"])
        XCTAssertEqual(glyphs.map { $0["id"] as? String }, ["000000001", "000000002"])

        // Layout records: the caption, quoted keywords, tokens that decode to the lines.
        let first = layouts[0]
        XCTAssertEqual(first["caption"] as? String, poster().caption)
        XCTAssertEqual(first["prompt"] as? String, poster().caption, "the caption already quotes every keyword")
        XCTAssertEqual(first["keywords"] as? [String], ["Summer Sale", "50% OFF"])
        XCTAssertEqual((first["canvas"] as? [Any])?.compactMap { ($0 as? NSNumber)?.intValue }, [512, 512])
        let layout = try LayoutTokenCodec.decode(try XCTUnwrap(first["layout"] as? String))
        XCTAssertEqual(layout.lines, [
            LayoutLine(box: GridBox(left: 10, top: 25, right: 75, bottom: 35), text: "Summer Sale"),
            LayoutLine(box: GridBox(left: 10, top: 75, right: 55, bottom: 85), text: "50% OFF"),
        ])

        let second = layouts[1]
        XCTAssertEqual(second["prompt"] as? String, "a yellow sign that says welcome with the text 'WELCOME'")
        // 640x480 pixels to the grid: 160/5=32, 120/3.75=32, 480/5=96, 180/3.75=48.
        XCTAssertEqual(try LayoutTokenCodec.decode(try XCTUnwrap(second["layout"] as? String)).lines,
                       [LayoutLine(box: GridBox(left: 32, top: 32, right: 96, bottom: 48), text: "WELCOME")])

        // Glyph records: relative paths to a 512x512 image and a mask lit inside the boxes only.
        for (record, layoutRecord) in zip(glyphs, layouts) {
            let id = try XCTUnwrap(record["id"] as? String)
            XCTAssertEqual(record["image"] as? String, "images/\(id).jpg")
            XCTAssertEqual(record["mask"] as? String, "masks/\(id).png")
            XCTAssertEqual(record["layout"] as? String, layoutRecord["layout"] as? String)
            XCTAssertEqual(record["caption"] as? String, layoutRecord["caption"] as? String)
            let image = try JPEGCodec.read(from: shard.appendingPathComponent("images/\(id).jpg").path)
            XCTAssertEqual([image.width, image.height], [512, 512], id)
            let mask = try PNGCodec.readGray(from: shard.appendingPathComponent("masks/\(id).png").path)
            XCTAssertEqual([mask.width, mask.height], [512, 512], id)
            let lines = try LayoutTokenCodec.decode(try XCTUnwrap(record["layout"] as? String)).lines
            for line in lines {
                let lit = litPixels(mask, in: line.box)
                XCTAssertGreaterThan(lit, line.box.width * line.box.height, "\(id) '\(line.text)': the mask is drawn inside its box")
            }
            let outside = mask.pixels.count - lines.reduce(0) { $0 + $1.box.width * $1.box.height * 16 }
            let litOutside = mask.pixels.filter { $0 > 0 }.count - lines.reduce(0) { $0 + litPixels(mask, in: $1.box) }
            XCTAssertEqual(litOutside, 0, "\(id): nothing lit outside the boxes (\(outside) pixels outside)")
        }

        // The 512x512 JPEG is copied byte for byte; the 640x480 PNG is resized.
        XCTAssertEqual(try Data(contentsOf: shard.appendingPathComponent("images/000000001.jpg")),
                       try Data(contentsOf: input.appendingPathComponent("00000/000000001/image.jpg")))
        let resized = try JPEGCodec.read(from: shard.appendingPathComponent("images/000000002.jpg").path)
        XCTAssertEqual(Double(resized[256, 256].red), 250, accuracy: 6)
        XCTAssertEqual(Double(resized[256, 256].blue), 10, accuracy: 8)
    }

    func testManifestAndReportDescribeTheRun() throws {
        let root = try makeScratchFolder(self)
        let input = root.appendingPathComponent("mario"), output = root.appendingPathComponent("prepared")
        try MARIOStore.write(poster(), to: input)
        _ = try PrepareRun.preparer { $0.maximumLines = 5; $0.merger.maximumGap = 1.5 }.run(input: input, output: output, numShards: 2, quiet: true)

        let manifest = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("manifest.json"))) as? [String: Any])
        XCTAssertEqual(manifest["format"] as? String, "glyphposter-prepare/1")
        XCTAssertEqual((manifest["num_shards"] as? NSNumber)?.intValue, 2)
        XCTAssertEqual((manifest["input_samples"] as? NSNumber)?.intValue, 1)
        let options = try XCTUnwrap(manifest["options"] as? [String: Any])
        XCTAssertEqual((options["max_lines"] as? NSNumber)?.intValue, 5)
        XCTAssertEqual(((options["merger"] as? [String: Any])?["max_gap"] as? NSNumber)?.doubleValue, 1.5)
        XCTAssertEqual(options["require_keywords_in_caption"] as? Bool, true)

        let counts = try PrepareRun.reportCounts(output)
        XCTAssertEqual(counts["samples.seen"], 1)
        XCTAssertEqual(counts["shards.done"], 2)
        XCTAssertEqual((counts["samples.kept.train"] ?? 0) + (counts["samples.kept.val"] ?? 0), 1)
        // Each shard has its own report, and the empty shard's record files exist and are empty.
        let shards = try PrepareRun.shardFolders(output)
        XCTAssertEqual(shards.map(\.lastPathComponent), ["shard-00000-of-00002", "shard-00001-of-00002"])
        let perShard = try shards.map { try PrepareRun.reportCounts($0)["samples.seen"] ?? 0 }
        XCTAssertEqual(perShard.sorted(), [0, 1])
    }

    /// The number of lit pixels inside a grid box of a 512x512 mask.
    func litPixels(_ mask: GrayImage, in box: GridBox) -> Int {
        var count = 0
        for y in (box.top * 4)..<(box.bottom * 4) {
            for x in (box.left * 4)..<(box.right * 4) where mask[x, y] > 0 { count += 1 }
        }
        return count
    }
}
