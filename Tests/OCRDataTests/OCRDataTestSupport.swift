import Foundation
import GlyphRender
import OCRData
import PosterCore
import XCTest

/// A fresh folder under the system temporary directory, removed when the test ends.
func makeScratchFolder(_ test: XCTestCase, _ name: String = #function) throws -> URL {
    let safe = name.filter { $0.isLetter || $0.isNumber }
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("ocrdata-tests-\(safe)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

/// A committed fixture (Tests/OCRDataTests/Fixtures, made by tools/make_npy_fixtures.py).
func fixtureBytes(_ name: String) throws -> [UInt8] {
    let url = try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures"),
                            "fixture \(name) is missing: run tools/make_npy_fixtures.py")
    return [UInt8](try Data(contentsOf: url))
}

/// The standard fonts, loaded once for every test.
let sharedManifest: FontManifest = {
    do { return try FontManifest.standard() } catch { fatalError("\(error)") }
}()

/// Small MARIO samples for the prepare, shard and stats tests.
enum SampleFactory {
    /// A one-line sample: a solid 512x512 image and one word per entry of
    /// `words`, laid out left to right on a row at `top`, 40 px tall, with a
    /// caption that quotes the words.
    static func sample(id: Int, words: [String] = ["Hello", "World"], top: Int = 200, height: Int = 40,
                       caption: String? = nil, confidence: Double = 0.9, info: String = "{}") -> MARIOSample {
        var placed: [MARIOWord] = []
        var left = 40
        for word in words {
            let width = max(20, word.count * 20)
            placed.append(MARIOWord(text: word, left: left, top: top, right: left + width, bottom: top + height, confidence: confidence))
            left += width + 12
        }
        return MARIOSample(id: MARIOSample.id(index: id), image: solidImage(id: id),
                           caption: caption ?? "A poster that says '\(words.joined(separator: " "))'",
                           words: placed, charseg: NumpyArray(rows: 4, columns: 4, values: [UInt8](repeating: 0, count: 16)),
                           info: info)
    }

    /// A 512x512 image of one colour that depends on the id (so images differ).
    static func solidImage(id: Int, size: Int = 512) -> RGBImage {
        solid(width: size, height: size, RGBColor(red: UInt8(40 + (id * 37) % 200), green: UInt8(90 + (id * 11) % 120), blue: 160))
    }

    /// A solid image, filled through a raw buffer: `RGBImage(width:height:fill:)`
    /// takes about 0.1 s per 512x512 image in a debug build, which adds up here.
    static func solid(width: Int, height: Int, _ color: RGBColor) -> RGBImage {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        pixels.withUnsafeMutableBufferPointer { buffer in
            var i = 0
            while i < buffer.count {
                buffer[i] = color.red; buffer[i + 1] = color.green; buffer[i + 2] = color.blue
                i += 3
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// Writes `count` good one-line samples (ids 0..<count) under `root`.
    static func writeGoodTree(_ root: URL, count: Int) throws {
        for id in 0..<count {
            try MARIOStore.write(sample(id: id, words: ["Sale\(id)", "Now"]), to: root)
        }
    }
}

/// Prepare helpers.
enum PrepareRun {
    static func preparer(_ configure: (inout PrepareOptions) -> Void = { _ in }, workers: Int = 2) -> DatasetPreparer {
        var options = PrepareOptions()
        configure(&options)
        return DatasetPreparer(options: options, manifest: sharedManifest, workers: workers)
    }

    /// Every JSON object in a shard's `kind.split.jsonl` files (kind: layout or glyph).
    static func records(_ kind: String, in shard: URL, splits: [String] = ["train", "val"]) throws -> [[String: Any]] {
        var out: [[String: Any]] = []
        for split in splits {
            let url = shard.appendingPathComponent("\(kind).\(split).jsonl")
            let text = try String(contentsOf: url, encoding: .utf8)
            for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
                out.append(try XCTUnwrap(object as? [String: Any], "\(url.lastPathComponent): not a JSON object: \(line)"))
            }
        }
        return out
    }

    /// The finished shard folders of an output (hidden temporary folders excluded).
    static func shardFolders(_ output: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: output, includingPropertiesForKeys: nil)
            .filter { $0.lastPathComponent.hasPrefix("shard-") }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// The ids in every record of every shard of `output`, by shard folder name.
    static func idsByShard(_ output: URL) throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        for shard in try shardFolders(output) {
            out[shard.lastPathComponent] = try records("layout", in: shard).map { $0["id"] as? String ?? "?" }
        }
        return out
    }

    /// The counts of an output's report.json, read back from disk.
    static func reportCounts(_ folder: URL) throws -> [String: Int] {
        let data = try Data(contentsOf: folder.appendingPathComponent("report.json"))
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let counts = try XCTUnwrap(object["counts"] as? [String: Any], "report.json has no counts")
        return counts.compactMapValues { ($0 as? NSNumber)?.intValue }
    }
}
