import Foundation
import OCRData
import PosterCore
import XCTest

/// Bad input is skipped and counted with its reason in report.json (nothing
/// lost silently), and --strict turns each class into an error naming the sample.
final class PrepareBadInputTests: XCTestCase {
    /// One way to spoil a freshly written good sample, and the report key it must land under.
    struct BadCase {
        var name: String
        var key: String
        /// Whether the sample is still kept (only a part of it was bad).
        var kept: Bool
        var spoil: (URL) throws -> Void
    }

    let cases: [BadCase] = [
        BadCase(name: "unreadable image", key: "dropped.unreadable_image", kept: false) {
            try Data("this is not a JPEG".utf8).write(to: $0.appendingPathComponent("image.jpg"))
        },
        BadCase(name: "truncated JPEG", key: "dropped.unreadable_image", kept: false) {
            let url = $0.appendingPathComponent("image.jpg")
            try Data(try Data(contentsOf: url).prefix(200)).write(to: url)
        },
        BadCase(name: "missing image", key: "dropped.missing_image", kept: false) {
            try FileManager.default.removeItem(at: $0.appendingPathComponent("image.jpg"))
        },
        BadCase(name: "missing caption", key: "dropped.missing_caption", kept: false) {
            try FileManager.default.removeItem(at: $0.appendingPathComponent("caption.txt"))
        },
        BadCase(name: "empty caption", key: "dropped.missing_caption", kept: false) {
            try Data("\n".utf8).write(to: $0.appendingPathComponent("caption.txt"))
        },
        BadCase(name: "missing ocr.txt", key: "dropped.missing_ocr", kept: false) {
            try FileManager.default.removeItem(at: $0.appendingPathComponent("ocr.txt"))
        },
        BadCase(name: "bad charseg", key: "dropped.bad_charseg", kept: false) {
            try Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, 200, 0]).write(to: $0.appendingPathComponent("charseg.npy"))
        },
        BadCase(name: "malformed ocr line", key: "skipped_ocr_lines.malformed", kept: true) {
            let url = $0.appendingPathComponent("ocr.txt")
            try Data((try String(contentsOf: url, encoding: .utf8) + "Now 1,2,3 0.9\n").utf8).write(to: url)
        },
        BadCase(name: "polygon outside the image", key: "skipped_words.polygon_outside_image", kept: true) {
            let url = $0.appendingPathComponent("ocr.txt")
            try Data((try String(contentsOf: url, encoding: .utf8) + "Now 500,10,600,10,600,40,500,40 0.9\n").utf8).write(to: url)
        },
    ]

    /// Writes good sample `id` and spoils it.
    func writeBad(_ bad: BadCase, id: Int, to root: URL) throws -> String {
        let sample = SampleFactory.sample(id: id, words: ["Bad\(id)", "Now"])
        try MARIOStore.write(sample, to: root)
        try bad.spoil(root.appendingPathComponent(MARIOSample.relativePath(id: sample.id)))
        return sample.id
    }

    func testEveryBadInputIsSkippedAndCountedWithItsReason() throws {
        let root = try makeScratchFolder(self)
        let input = root.appendingPathComponent("mario"), output = root.appendingPathComponent("prepared")
        try SampleFactory.writeGoodTree(input, count: 2)
        var ids: [String: String] = [:]
        for (index, bad) in cases.enumerated() { ids[bad.name] = try writeBad(bad, id: 100 + index, to: input) }

        let report = try PrepareRun.preparer { $0.validationPercent = 0 }.run(input: input, output: output, numShards: 1, quiet: true)
        let counts = try PrepareRun.reportCounts(output)
        XCTAssertEqual(counts, try PrepareRun.reportCounts(output.appendingPathComponent("shard-00000-of-00001")).merging(["shards.done": 1, "shards.skipped_already_done": 0]) { $1 })
        XCTAssertEqual(counts["samples.seen"], 2 + cases.count)
        for bad in cases {
            let expected = cases.filter { $0.key == bad.key }.count
            XCTAssertEqual(counts[bad.key], expected, bad.name)
            XCTAssertEqual(report[bad.key], expected, bad.name)
        }
        // Every seen sample is kept, dropped or filtered: none vanishes without a count.
        let kept = (counts["samples.kept.train"] ?? 0) + (counts["samples.kept.val"] ?? 0)
        let dropped = counts.filter { $0.key.hasPrefix("dropped.") || $0.key.hasPrefix("filtered.") }.values.reduce(0, +)
        XCTAssertEqual(kept, 2 + cases.filter(\.kept).count)
        XCTAssertEqual(kept + dropped, counts["samples.seen"])
        XCTAssertEqual(counts.keys.filter { $0.hasPrefix("filtered.") }, [], "\(counts)")

        // The kept samples are exactly the good ones and the partly bad ones, with their good words.
        let shard = output.appendingPathComponent("shard-00000-of-00001")
        let records = try PrepareRun.records("layout", in: shard)
        let expectedIds = ["000000000", "000000001"] + cases.filter(\.kept).map { ids[$0.name]! }
        XCTAssertEqual(records.map { $0["id"] as? String ?? "" }.sorted(), expectedIds.sorted())
        for record in records {
            let id = record["id"] as? String ?? ""
            XCTAssertEqual(record["keywords"] as? [String], ["\(id == "000000000" || id == "000000001" ? "Sale" : "Bad")\(Int(id)!) Now"])
        }

        // Examples in report.json name the bad sample and, for ocr.txt, the line.
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("report.json"))) as? [String: Any])
        let examples = try XCTUnwrap(object["examples"] as? [String: [String]])
        for bad in cases {
            let id = ids[bad.name]!
            XCTAssertTrue(examples[bad.key, default: []].contains { $0.contains(id) }, "\(bad.name): \(examples[bad.key] ?? [])")
        }
        XCTAssertTrue(examples["skipped_ocr_lines.malformed", default: []].contains { $0.contains("ocr.txt line 3: expected eight") }, "\(examples)")
    }

    func testStrictMakesEveryBadInputFatalAndNamesTheSample() throws {
        let root = try makeScratchFolder(self)
        for (index, bad) in cases.enumerated() {
            let input = root.appendingPathComponent("mario\(index)"), output = root.appendingPathComponent("prepared\(index)")
            try MARIOStore.write(SampleFactory.sample(id: 1), to: input)
            let id = try writeBad(bad, id: 7, to: input)
            XCTAssertThrowsError(try PrepareRun.preparer { $0.strict = true }.run(input: input, output: output, numShards: 1, quiet: true),
                                 bad.name) { error in
                XCTAssertTrue("\(error)".contains(id), "\(bad.name): \(error)")
            }
            // Nothing half-done is left as a finished shard.
            XCTAssertEqual(try PrepareRun.shardFolders(output), [], bad.name)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: output.path).filter { $0.hasPrefix(".shard") }
            XCTAssertEqual(leftovers, [], bad.name)
        }
    }

    func testStrictPassesOnGoodInput() throws {
        let root = try makeScratchFolder(self)
        let input = root.appendingPathComponent("mario"), output = root.appendingPathComponent("prepared")
        try SampleFactory.writeGoodTree(input, count: 2)
        let report = try PrepareRun.preparer { $0.strict = true }.run(input: input, output: output, numShards: 1, quiet: true)
        XCTAssertEqual(report["samples.kept.train"] + report["samples.kept.val"], 2)
    }

    func testUnreadableInputRootIsAClearError() throws {
        let root = try makeScratchFolder(self)
        XCTAssertThrowsError(try PrepareRun.preparer().run(input: root.appendingPathComponent("absent"), output: root.appendingPathComponent("out"),
                                                          numShards: 1, quiet: true)) { error in
            XCTAssertTrue("\(error)".contains("absent"), "\(error)")
        }
    }
}
