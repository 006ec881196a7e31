import Foundation
import OCRData
import PosterCore
import XCTest

/// Hash sharding: N jobs cover every sample once; finished shards are never
/// redone; a killed run's leftovers do not break the next one.
final class PrepareShardingTests: XCTestCase {
    let sampleCount = 10

    func makeInput(_ root: URL) throws -> URL {
        let input = root.appendingPathComponent("mario")
        try SampleFactory.writeGoodTree(input, count: sampleCount)
        return input
    }

    func testShardByShardRunsCoverEverySampleExactlyOnce() throws {
        let root = try makeScratchFolder(self)
        let input = try makeInput(root)
        let whole = root.appendingPathComponent("whole")
        _ = try PrepareRun.preparer().run(input: input, output: whole, numShards: 1, quiet: true)
        let wholeIds = try XCTUnwrap(try PrepareRun.idsByShard(whole)["shard-00000-of-00001"])
        XCTAssertEqual(wholeIds.sorted(), (0..<sampleCount).map { MARIOSample.id(index: $0) })
        let wholeLines = try Set(PrepareRun.records("layout", in: whole.appendingPathComponent("shard-00000-of-00001")).map { "\($0["id"]!) \($0["layout"]!)" })

        for count in 1...5 {
            let output = root.appendingPathComponent("n\(count)")
            var last = [String: Int]()
            for shard in 0..<count {
                let report = try PrepareRun.preparer(workers: 1).run(input: input, output: output, numShards: count, only: shard, quiet: true)
                XCTAssertEqual(report["shards.done"], shard + 1, "\(count) shards, after shard \(shard)")
                last = try PrepareRun.reportCounts(output)
            }
            let byShard = try PrepareRun.idsByShard(output)
            XCTAssertEqual(byShard.keys.sorted(), (0..<count).map { DatasetPreparer.shardName($0, of: count) })
            let union = byShard.values.flatMap { $0 }
            XCTAssertEqual(union.count, Set(union).count, "\(count) shards: no sample in two shards")
            XCTAssertEqual(Set(union), Set(wholeIds), "\(count) shards: the union is the single-shard run")
            for (name, ids) in byShard {
                for id in ids { XCTAssertEqual(DatasetPreparer.shardName(DatasetPreparer.shard(of: id, count: count), of: count), name) }
            }
            // The records themselves are the same as the single-shard run's.
            var lines: Set<String> = []
            for shard in try PrepareRun.shardFolders(output) {
                lines.formUnion(try PrepareRun.records("layout", in: shard).map { "\($0["id"]!) \($0["layout"]!)" })
            }
            XCTAssertEqual(lines, wholeLines, "\(count) shards")
            XCTAssertEqual(last["samples.seen"], sampleCount, "\(count) shards: the summed report")
            XCTAssertEqual(last["shards.done"], count)
        }
    }

    func testShardAssignmentIsStable() {
        // FNV-1a of "shard:" + id: fixed across runs and machines.
        let ids = (0..<200).map { MARIOSample.id(index: $0) }
        let first = ids.map { DatasetPreparer.shard(of: $0, count: 7) }
        XCTAssertEqual(first, ids.map { DatasetPreparer.shard(of: $0, count: 7) })
        XCTAssertTrue(first.allSatisfy { (0..<7).contains($0) })
        XCTAssertEqual(Set(first).count, 7, "200 ids reach every one of 7 shards")
        XCTAssertEqual(DatasetPreparer.shardName(3, of: 12), "shard-00003-of-00012")
        XCTAssertEqual(DatasetPreparer.shardName(12345, of: 100000), "shard-12345-of-100000")
    }

    func testRerunSkipsFinishedShardsWithoutTouchingThem() throws {
        let root = try makeScratchFolder(self)
        let input = try makeInput(root)
        let output = root.appendingPathComponent("out")
        let first = try PrepareRun.preparer().run(input: input, output: output, numShards: 3, quiet: true)
        XCTAssertEqual(first["shards.done"], 3)
        XCTAssertEqual(first["shards.skipped_already_done"], 0)

        let files = try allFiles(under: output).filter { $0.contains("shard-") }
        XCTAssertTrue(files.contains { $0.hasSuffix("/masks/000000003.png") })
        let before = try modificationDates(files)
        Thread.sleep(forTimeInterval: 0.05)

        let second = try PrepareRun.preparer().run(input: input, output: output, numShards: 3, quiet: true)
        XCTAssertEqual(second["shards.skipped_already_done"], 3)
        XCTAssertEqual(second["shards.done"], 3)
        XCTAssertEqual(second["samples.seen"], sampleCount, "the report still sums every finished shard")
        XCTAssertEqual(try PrepareRun.reportCounts(output)["shards.skipped_already_done"], 3)
        XCTAssertEqual(try modificationDates(files), before, "finished shards are not rewritten")
        XCTAssertEqual(try allFiles(under: output).filter { $0.contains("shard-") }, files)

        let one = try PrepareRun.preparer().run(input: input, output: output, numShards: 3, only: 1, quiet: true)
        XCTAssertEqual(one["shards.skipped_already_done"], 1)
        XCTAssertEqual(try modificationDates(files), before)
    }

    func testResumeAfterAKillIgnoresTheStaleTemporaryFolder() throws {
        let root = try makeScratchFolder(self)
        let input = try makeInput(root)
        let output = root.appendingPathComponent("out")
        let reference = root.appendingPathComponent("reference")
        _ = try PrepareRun.preparer().run(input: input, output: reference, numShards: 3, quiet: true)

        // A run killed while writing shard 1: shard 0 finished, shard 1's temporary folder half written.
        _ = try PrepareRun.preparer().run(input: input, output: output, numShards: 3, only: 0, quiet: true)
        let stale = output.appendingPathComponent(".shard-00001-of-00003.tmp-12345")
        try FileManager.default.createDirectory(at: stale.appendingPathComponent("masks"), withIntermediateDirectories: true)
        try Data("{\"id\":\"junk\"".utf8).write(to: stale.appendingPathComponent("layout.train.jsonl"))
        try Data("{\"counts\": {\"samples.seen\": 999}}".utf8).write(to: stale.appendingPathComponent("report.json"))
        try Data([1, 2, 3]).write(to: stale.appendingPathComponent("masks/000000001.png"))

        let report = try PrepareRun.preparer().run(input: input, output: output, numShards: 3, quiet: true)
        XCTAssertEqual(report["shards.done"], 3, "the stale folder is not counted as a shard")
        XCTAssertEqual(report["shards.skipped_already_done"], 1)
        XCTAssertEqual(report["samples.seen"], sampleCount, "the stale report is not summed")
        XCTAssertEqual(try PrepareRun.idsByShard(output), try PrepareRun.idsByShard(reference))
        XCTAssertEqual(try PrepareRun.shardFolders(output).map(\.lastPathComponent),
                       ["shard-00000-of-00003", "shard-00001-of-00003", "shard-00002-of-00003"])
        let shard1 = output.appendingPathComponent("shard-00001-of-00003")
        for record in try PrepareRun.records("glyph", in: shard1) {
            let mask = shard1.appendingPathComponent(try XCTUnwrap(record["mask"] as? String))
            XCTAssertNoThrow(try PNGCodec.readGray(from: mask.path), mask.path)
        }
    }

    func testMismatchedShardCountIsAClearError() throws {
        let root = try makeScratchFolder(self)
        let input = try makeInput(root)
        let output = root.appendingPathComponent("out")
        _ = try PrepareRun.preparer().run(input: input, output: output, numShards: 3, only: 2, quiet: true)
        let manifest = try Data(contentsOf: output.appendingPathComponent("manifest.json"))
        XCTAssertThrowsError(try PrepareRun.preparer().run(input: input, output: output, numShards: 4, only: 0, quiet: true)) { error in
            XCTAssertTrue("\(error)".contains("--num-shards 3"), "\(error)")
            XCTAssertTrue("\(error)".contains(output.path), "\(error)")
        }
        XCTAssertEqual(try Data(contentsOf: output.appendingPathComponent("manifest.json")), manifest, "the manifest is left alone")
        XCTAssertEqual(try PrepareRun.shardFolders(output).map(\.lastPathComponent), ["shard-00002-of-00003"])
    }

    func testShardOutOfRangeOrNoShardsIsAClearError() throws {
        let root = try makeScratchFolder(self)
        let input = try makeInput(root)
        for (shards, only, expected) in [(3, 3, "shard 3 is out of range"), (3, -1, "shard -1 is out of range"), (0, nil, "at least 1")] as [(Int, Int?, String)] {
            XCTAssertThrowsError(try PrepareRun.preparer().run(input: input, output: root.appendingPathComponent("out"), numShards: shards, only: only, quiet: true)) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(error)")
            }
        }
    }

    func allFiles(under root: URL) throws -> [String] {
        let walker = try XCTUnwrap(FileManager.default.enumerator(atPath: root.path))
        var out: [String] = []
        while let path = walker.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path, isDirectory: &isDirectory), !isDirectory.boolValue {
                out.append(root.appendingPathComponent(path).path)
            }
        }
        return out.sorted()
    }

    func modificationDates(_ paths: [String]) throws -> [String: Date] {
        var out: [String: Date] = [:]
        for path in paths {
            out[path] = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date, path)
        }
        return out
    }
}
