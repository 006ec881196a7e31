import Foundation
import XCTest
@testable import TensorCore

/// Sharded checkpoints (`model.safetensors.index.json` + shards): reading,
/// and the errors for broken indexes and missing shards.
final class ShardedCheckpointTests: XCTestCase {
    /// A copy of the fixture's sharded/ folder to break.
    private func shardedCopy() throws -> URL {
        let directory = try makeTemporaryDirectory().appendingPathComponent("sharded")
        try FileManager.default.copyItem(at: SafetensorsFixtures.directory.appendingPathComponent("sharded"), to: directory)
        return directory
    }

    private func writeIndex(_ json: String, in directory: URL) throws -> String {
        let path = directory.appendingPathComponent("model.safetensors.index.json").path
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func testReadsTheUnionOfShards() throws {
        let checkpoint = try ShardedCheckpoint(indexPath: SafetensorsFixtures.path("sharded/model.safetensors.index.json"))
        XCTAssertEqual(checkpoint.tensors.count, 4)
        XCTAssertEqual(try checkpoint.floats("model.norm.weight"), [1, 0.75])
        XCTAssertEqual(try checkpoint.floats("model.layers.0.self_attn.q_proj.weight"), [1.5, -2, 0.25, 8])
        XCTAssertEqual(try checkpoint.shardName(for: "lm_head.weight"), "model-00002-of-00002.safetensors")
        XCTAssertEqual(checkpoint.shard(named: "model-00001-of-00002.safetensors")?.metadata, ["format": "pt"])
        XCTAssertEqual(try checkpoint.bytes("model.norm.weight"), RawSafetensors.f32Bytes([1, 0.75]))
        XCTAssertEqual(checkpoint.parameterCount, 22)
        XCTAssertThrowsError(try checkpoint.floats("nope")) { error in
            XCTAssertEqual((error as! SafetensorsError).kind, .tensorNotFound)
            XCTAssertEqual((error as! SafetensorsError).tensor, "nope")
        }
        XCTAssertThrowsError(try checkpoint.int64s("model.norm.weight")) { error in
            XCTAssertEqual((error as! SafetensorsError).kind, .wrongDType)
        }
        let source: any TensorSource = checkpoint
        XCTAssertTrue(source.contains("lm_head.weight"))
    }

    func testWrittenShardsReadBack() throws {
        let directory = try makeTemporaryDirectory()
        var first = SafetensorsWriter(metadata: ["format": "pt"])
        try first.add("a", shape: [2], values: [1, 2])
        try first.add("unused", shape: [1], values: [9])  // in a shard but not in the map: ignored
        var second = SafetensorsWriter()
        try second.add("ids", dtype: .i64, shape: [2], integers: [7, -7])
        try first.write(to: directory.appendingPathComponent("part-1.safetensors").path)
        try second.write(to: directory.appendingPathComponent("part-2.safetensors").path)
        let index = try writeIndex(#"{"metadata":{"total_size":24,"format":"pt","nested":{"x":[1]}},"weight_map":{"ids":"part-2.safetensors","a":"part-1.safetensors"}}"#, in: directory)
        let checkpoint = try ShardedCheckpoint(indexPath: index)
        XCTAssertEqual(checkpoint.names, ["ids", "a"])
        XCTAssertEqual(checkpoint.metadata, ["total_size": "24", "format": "pt", "nested": #"{"x":[1]}"#])
        XCTAssertEqual(try checkpoint.int64s("ids"), [7, -7])
        XCTAssertEqual(try checkpoint.floats("a"), [1, 2])
        XCTAssertFalse(checkpoint.contains("unused"))
    }

    func testMissingShardFile() throws {
        let directory = try shardedCopy()
        try FileManager.default.removeItem(at: directory.appendingPathComponent("model-00002-of-00002.safetensors"))
        let index = directory.appendingPathComponent("model.safetensors.index.json").path
        XCTAssertThrowsError(try ShardedCheckpoint(indexPath: index)) { error in
            let error = error as! SafetensorsError
            XCTAssertEqual(error.kind, .missingShard)
            XCTAssertTrue(error.file.hasSuffix("model-00002-of-00002.safetensors"), "\(error)")
            XCTAssertEqual(error.tensor, "lm_head.weight")
            XCTAssertTrue(error.description.contains("does not exist"), "\(error)")
        }
    }

    func testNameMappedToAShardThatLacksIt() throws {
        let directory = try shardedCopy()
        let index = try writeIndex("""
            {"metadata": {}, "weight_map": {"lm_head.weight": "model-00001-of-00002.safetensors",
             "model.norm.weight": "model-00002-of-00002.safetensors"}}
            """, in: directory)
        XCTAssertThrowsError(try ShardedCheckpoint(indexPath: index)) { error in
            let error = error as! SafetensorsError
            XCTAssertEqual(error.kind, .tensorNotFound)
            XCTAssertEqual(error.tensor, "lm_head.weight")
            XCTAssertTrue(error.file.hasSuffix("model-00001-of-00002.safetensors"))
            XCTAssertTrue(error.description.contains("maps this tensor to 'model-00001-of-00002.safetensors' but that file has no such tensor"), "\(error)")
        }
    }

    func testBrokenShardIsReportedWithItsName() throws {
        let directory = try shardedCopy()
        try Data([1, 2, 3]).write(to: directory.appendingPathComponent("model-00001-of-00002.safetensors"))
        XCTAssertThrowsError(try ShardedCheckpoint(indexPath: directory.appendingPathComponent("model.safetensors.index.json").path)) { error in
            let error = error as! SafetensorsError
            XCTAssertEqual(error.kind, .fileTooShort)
            XCTAssertTrue(error.file.hasSuffix("model-00001-of-00002.safetensors"))
        }
    }

    func testMalformedIndexes() throws {
        let directory = try shardedCopy()
        let cases: [(String, String)] = [
            ("{not json", "not valid JSON"),
            ("[]", "top level must be a JSON object"),
            (#"{"metadata":{}}"#, "no 'weight_map'"),
            (#"{"weight_map":[]}"#, "'weight_map' must be an object"),
            (#"{"metadata":3,"weight_map":{}}"#, "'metadata' must be an object"),
            (#"{"weight_map":{"a":1}}"#, "must be a shard file name"),
            (#"{"weight_map":{"a":"../outside.safetensors"}}"#, "relative path inside"),
            (#"{"weight_map":{"a":"/etc/passwd"}}"#, "relative path inside"),
            (#"{"weight_map":{"a":""}}"#, "relative path inside"),
            (#"{"weight_map":{"a":"model-00001-of-00002.safetensors","a":"model-00001-of-00002.safetensors"}}"#, "appears twice"),
        ]
        for (json, fragment) in cases {
            let index = try writeIndex(json, in: directory)
            XCTAssertThrowsError(try ShardedCheckpoint(indexPath: index), json) { error in
                let error = error as! SafetensorsError
                XCTAssertEqual(error.kind, .invalidIndex, json)
                XCTAssertEqual(error.file, index)
                XCTAssertTrue(error.description.contains(fragment), "'\(error)' lacks '\(fragment)'")
            }
        }
        // An empty weight map is a valid, empty checkpoint.
        XCTAssertEqual(try ShardedCheckpoint(indexPath: try writeIndex(#"{"weight_map":{}}"#, in: directory)).tensors, [])
        XCTAssertThrowsError(try ShardedCheckpoint(indexPath: directory.appendingPathComponent("absent.json").path)) { error in
            XCTAssertEqual((error as! SafetensorsError).kind, .io)
        }
    }
}
