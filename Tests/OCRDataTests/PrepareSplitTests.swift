import Foundation
import OCRData
import XCTest

/// The train/validation split is a fixed function of the sample id.
final class PrepareSplitTests: XCTestCase {
    func ids(_ output: URL, split: String) throws -> Set<String> {
        var out: Set<String> = []
        for shard in try PrepareRun.shardFolders(output) {
            for record in try PrepareRun.records("layout", in: shard, splits: [split]) { out.insert(record["id"] as? String ?? "?") }
            // The glyph records follow the same split.
            let glyph = try PrepareRun.records("glyph", in: shard, splits: [split]).map { $0["id"] as? String ?? "?" }
            XCTAssertEqual(Set(glyph), Set(try PrepareRun.records("layout", in: shard, splits: [split]).map { $0["id"] as? String ?? "?" }))
        }
        return out
    }

    func testSplitIsDeterministicAndFollowsTheIdHash() throws {
        let root = try makeScratchFolder(self)
        let input = root.appendingPathComponent("mario")
        try SampleFactory.writeGoodTree(input, count: 12)
        let all = Set((0..<12).map { MARIOSample.id(index: $0) })
        let expectedVal = all.filter { DatasetPreparer.isValidation($0, percent: 50) }
        XCTAssertFalse(expectedVal.isEmpty)
        XCTAssertNotEqual(expectedVal, all)

        // Same split on a second run, and with another shard count.
        for (name, shards) in [("a", 1), ("b", 1), ("c", 3)] {
            let output = root.appendingPathComponent(name)
            let report = try PrepareRun.preparer { $0.validationPercent = 50 }.run(input: input, output: output, numShards: shards, quiet: true)
            XCTAssertEqual(try ids(output, split: "val"), expectedVal, name)
            XCTAssertEqual(try ids(output, split: "train"), all.subtracting(expectedVal), name)
            XCTAssertEqual(report["samples.kept.val"], expectedVal.count, name)
            XCTAssertEqual(report["samples.kept.train"], 12 - expectedVal.count, name)
        }
    }

    func testSplitHashIsStableAndMonotoneInThePercent() {
        let ids = (0..<500).map { MARIOSample.id(index: $0 * 7919) }
        XCTAssertEqual(ids.filter { DatasetPreparer.isValidation($0, percent: 0) }, [])
        XCTAssertEqual(ids.filter { DatasetPreparer.isValidation($0, percent: 100) }, ids)
        let five = ids.filter { DatasetPreparer.isValidation($0, percent: 5) }
        let twenty = Set(ids.filter { DatasetPreparer.isValidation($0, percent: 20) })
        XCTAssertTrue(Set(five).isSubset(of: twenty))
        XCTAssertEqual(Double(five.count), 25, accuracy: 15, "about 5% of 500")
        XCTAssertEqual(Double(twenty.count), 100, accuracy: 30, "about 20% of 500")
    }
}
