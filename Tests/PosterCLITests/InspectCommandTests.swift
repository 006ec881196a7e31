import Foundation
import XCTest

/// `poster inspect` end to end, on the safetensors fixtures of TensorCoreTests
/// (written by the Python package, see tools/make_safetensors_fixtures.py).
final class InspectCommandTests: XCTestCase {
    static let fixtures = Poster.repositoryRoot.appendingPathComponent("Tests/TensorCoreTests/Fixtures")
    static func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    private func json(_ result: PosterResult, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        return try XCTUnwrap(object as? [String: Any], result.summary, file: file, line: line)
    }

    private func tensors(_ component: [String: Any]) -> [String: [String: Any]] {
        var out: [String: [String: Any]] = [:]
        for tensor in component["tensors"] as? [[String: Any]] ?? [] { out[tensor["name"] as! String] = tensor }
        return out
    }

    func testTableForOneFile() throws {
        let path = Self.fixture("f32.safetensors")
        let result = try Poster.run(["inspect", path])
        assertSuccess(result)
        XCTAssertEqual(result.stderr, "")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "\(path): safetensors file")
        XCTAssertTrue(lines.contains("  metadata: format=pt"), result.stdout)
        XCTAssertTrue(lines.contains { $0.hasPrefix("  name ") && $0.contains("dtype") && $0.contains("mean") && $0.hasSuffix("max") }, result.stdout)
        let weight = try XCTUnwrap(lines.first { $0.hasPrefix("  weight ") })
        XCTAssertTrue(weight.contains("F32") && weight.contains("[2,3]") && weight.contains("-7.5") && weight.contains("123457"), weight)
        let scalar = try XCTUnwrap(lines.first { $0.hasPrefix("  scalar ") })
        XCTAssertTrue(scalar.contains("[]") && scalar.contains("2.5"), scalar)
        let special = try XCTUnwrap(lines.first { $0.hasPrefix("  special ") })
        XCTAssertTrue(special.hasSuffix("(1 NaN, 2 inf)"), special)
        let empty = try XCTUnwrap(lines.first { $0.hasPrefix("  empty ") })
        XCTAssertTrue(empty.contains("[0,4]") && empty.hasSuffix("-"), empty)
        XCTAssertEqual(lines.last, "  5 tensors, 16 parameters, 64 bytes")
    }

    func testJSONForOneFile() throws {
        let result = try Poster.run(["inspect", Self.fixture("ints.safetensors"), "--json"])
        assertSuccess(result)
        let report = try json(result)
        XCTAssertEqual(report["kind"] as? String, "file")
        XCTAssertEqual(report["tensorCount"] as? Int, 7)
        XCTAssertEqual(report["parameters"] as? Int, 25)
        XCTAssertEqual(report["bytes"] as? Int, 110)
        let component = try XCTUnwrap((report["components"] as? [[String: Any]])?.first)
        XCTAssertEqual(component["metadata"] as? [String: String], ["format": "pt"])
        let byName = tensors(component)
        XCTAssertEqual(Set(byName.keys), ["ids", "i32", "i16", "i8", "u8", "flags", "f64"])
        let ids = try XCTUnwrap(byName["ids"])
        XCTAssertEqual(ids["dtype"] as? String, "I64")
        XCTAssertEqual(ids["shape"] as? [Int], [6])
        XCTAssertEqual(ids["elements"] as? Int, 6)
        XCTAssertEqual(ids["bytes"] as? Int, 48)
        XCTAssertEqual(ids["min"] as? Double, -9.223372036854775808e18)
        let u8 = try XCTUnwrap(byName["u8"])  // [0, 255, 17]
        XCTAssertEqual(u8["mean"] as? Double, 272.0 / 3)
        XCTAssertEqual(u8["max"] as? Double, 255)
        XCTAssertEqual(try XCTUnwrap(u8["std"] as? Double), 116.5, accuracy: 0.1)
        XCTAssertNil(u8["nan"])
        XCTAssertEqual(byName["f64"]?["inf"] as? Int, 1, "-1e300 is -inf in Float32")
        XCTAssertEqual(byName["flags"]?["mean"] as? Double, 2.0 / 3)
    }

    func testShardedIndex() throws {
        let result = try Poster.run(["inspect", Self.fixture("sharded/model.safetensors.index.json"), "--json"])
        assertSuccess(result)
        let report = try json(result)
        XCTAssertEqual(report["kind"] as? String, "sharded")
        XCTAssertEqual(report["tensorCount"] as? Int, 4)
        let component = try XCTUnwrap((report["components"] as? [[String: Any]])?.first)
        XCTAssertEqual(component["shards"] as? [String], ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"])
        XCTAssertEqual(component["metadata"] as? [String: String], ["total_size": "80"])
        XCTAssertEqual(tensors(component)["lm_head.weight"]?["shard"] as? String, "model-00002-of-00002.safetensors")
        XCTAssertEqual(tensors(component)["model.layers.0.self_attn.q_proj.weight"]?["dtype"] as? String, "F16")

        let table = try Poster.run(["inspect", Self.fixture("sharded/model.safetensors.index.json")])
        assertSuccess(table)
        XCTAssertTrue(table.stdout.contains("sharded safetensors checkpoint"), table.stdout)
        XCTAssertTrue(table.stdout.contains("  shards: model-00001-of-00002.safetensors, model-00002-of-00002.safetensors"), table.stdout)
    }

    /// A diffusers-style pipeline made of the fixture files.
    private func makePipeline(in dir: TemporaryDirectory) throws -> URL {
        let root = dir.url.appendingPathComponent("pipeline")
        let fm = FileManager.default
        for folder in ["unet", "text_encoder", "tokenizer"] {
            try fm.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        try fm.copyItem(at: Self.fixtures.appendingPathComponent("sharded"), to: root.appendingPathComponent("vae"))
        try fm.copyItem(atPath: Self.fixture("f32.safetensors"), toPath: root.appendingPathComponent("unet/diffusion_pytorch_model.safetensors").path)
        try fm.copyItem(atPath: Self.fixture("f16.safetensors"), toPath: root.appendingPathComponent("text_encoder/model.safetensors").path)
        let files = [
            "model_index.json": #"{"_class_name": "StableDiffusionPipeline", "unet": ["diffusers", "UNet2DConditionModel"], "vae": ["diffusers", "AutoencoderKL"], "text_encoder": ["transformers", "CLIPTextModel"], "tokenizer": ["transformers", "CLIPTokenizer"], "safety_checker": [null, null]}"#,
            "unet/config.json": #"{"_class_name": "UNet2DConditionModel"}"#,
            "vae/config.json": #"{"_class_name": "AutoencoderKL"}"#,
            "text_encoder/config.json": #"{"architectures": ["CLIPTextModel"]}"#,
            "tokenizer/vocab.json": "{}",
        ]
        for (name, text) in files { try Data(text.utf8).write(to: root.appendingPathComponent(name)) }
        return root
    }

    func testPipelineDirectory() throws {
        let dir = try TemporaryDirectory()
        let root = try makePipeline(in: dir)
        let result = try Poster.run(["inspect", root.path, "--json"])
        assertSuccess(result)
        let report = try json(result)
        XCTAssertEqual(report["kind"] as? String, "pipeline")
        XCTAssertEqual(report["className"] as? String, "StableDiffusionPipeline")
        let components = try XCTUnwrap(report["components"] as? [[String: Any]])
        XCTAssertEqual(components.map { $0["name"] as? String }, ["unet", "vae", "text_encoder", "tokenizer"])
        XCTAssertEqual(components.map { $0["className"] as? String }, ["UNet2DConditionModel", "AutoencoderKL", "CLIPTextModel", "CLIPTokenizer"])
        XCTAssertEqual(components[0]["weights"] as? String, "unet/diffusion_pytorch_model.safetensors")
        XCTAssertEqual(components[0]["config"] as? String, "unet/config.json")
        XCTAssertEqual(components[1]["weights"] as? String, "vae/model.safetensors.index.json")
        XCTAssertEqual(components[2]["architectures"] as? [String], ["CLIPTextModel"])
        XCTAssertNil(components[3]["weights"])
        XCTAssertEqual(report["tensorCount"] as? Int, 5 + 4 + 1)
        XCTAssertEqual(report["parameters"] as? Int, 16 + 22 + 12)
        XCTAssertEqual(report["bytes"] as? Int, 64 + 80 + 24)

        // The same report for a trailing slash or the model_index.json itself.
        for variant in [root.path + "/", root.appendingPathComponent("model_index.json").path] {
            let again = try Poster.run(["inspect", variant, "--json"])
            assertSuccess(again)
            XCTAssertEqual(try self.json(again)["tensorCount"] as? Int, 10, variant)
            XCTAssertEqual(try self.json(again)["path"] as? String, root.path, variant)
        }

        let table = try Poster.run(["inspect", root.path])
        assertSuccess(table)
        let lines = table.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "\(root.path): diffusers pipeline StableDiffusionPipeline")
        XCTAssertTrue(lines.contains("[unet] UNet2DConditionModel  unet/diffusion_pytorch_model.safetensors"), table.stdout)
        XCTAssertTrue(lines.contains("[text_encoder] CLIPTextModel  text_encoder/model.safetensors"), table.stdout)
        XCTAssertTrue(lines.contains("[tokenizer] CLIPTokenizer"), table.stdout)
        XCTAssertTrue(lines.contains("  no weights"), table.stdout)
        XCTAssertEqual(lines.last, "total: 10 tensors, 50 parameters, 168 bytes")
    }

    func testModelDirectoryAndNoStats() throws {
        let dir = try TemporaryDirectory()
        let model = dir.url.appendingPathComponent("llm")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.fixture("bf16.safetensors"), toPath: model.appendingPathComponent("model.safetensors").path)
        try Data(#"{"architectures": ["LlamaForCausalLM"]}"#.utf8).write(to: model.appendingPathComponent("config.json"))
        let result = try Poster.run(["inspect", model.path, "--no-stats"])
        assertSuccess(result)
        XCTAssertTrue(result.stdout.hasPrefix("\(model.path): model directory LlamaForCausalLM\n"), result.stdout)
        XCTAssertTrue(result.stdout.contains("[llm] LlamaForCausalLM  model.safetensors"), result.stdout)
        let row = try XCTUnwrap(result.stdout.split(separator: "\n").first { $0.hasPrefix("  b ") })
        XCTAssertEqual(row.split(separator: " ").map(String.init), ["b", "BF16", "[11]", "11", "-", "-", "-", "-"])

        let json = try self.json(try Poster.run(["inspect", model.path, "--no-stats", "--json"]))
        let tensor = try XCTUnwrap(tensors(try XCTUnwrap((json["components"] as? [[String: Any]])?.first))["b"])
        XCTAssertNil(tensor["mean"])
        XCTAssertEqual(tensor["bytes"] as? Int, 22)
    }

    func testBadInputExitsWithStatusTwo() throws {
        let dir = try TemporaryDirectory()
        assertInputError(try Poster.run(["inspect", dir.path("absent.safetensors")]), ["absent.safetensors", "no such file or directory"])

        let truncated = dir.path("short.safetensors")
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: truncated))
        assertInputError(try Poster.run(["inspect", truncated]), ["short.safetensors", "3 bytes", "too short"])

        var header = Array(#"{"w":{"dtype":"Q8","shape":[1],"data_offsets":[0,1]}}"#.utf8)
        header = (0..<8).map { UInt8(truncatingIfNeeded: header.count >> (8 * $0)) } + header + [0]
        let unknown = dir.path("unknown.safetensors")
        try Data(header).write(to: URL(fileURLWithPath: unknown))
        assertInputError(try Poster.run(["inspect", unknown, "--json"]), ["unknown.safetensors", "tensor 'w'", "unknown dtype 'Q8'"])

        let notCheckpoint = dir.url.appendingPathComponent("plain")
        try FileManager.default.createDirectory(at: notCheckpoint, withIntermediateDirectories: true)
        assertInputError(try Poster.run(["inspect", notCheckpoint.path]), ["not a checkpoint directory"])

        let root = try makePipeline(in: dir)
        try FileManager.default.removeItem(at: root.appendingPathComponent("vae/model-00002-of-00002.safetensors"))
        assertInputError(try Poster.run(["inspect", root.path]), ["model-00002-of-00002.safetensors", "does not exist"])

        let result = try Poster.run(["inspect"])
        XCTAssertEqual(result.status, 2, result.summary)
    }

    func testHelpListsInspect() throws {
        let root = try Poster.run(["--help"])
        assertSuccess(root)
        XCTAssertTrue(root.stdout.contains("inspect"), root.stdout)
        let help = try Poster.run(["inspect", "--help"])
        assertSuccess(help)
        for option in ["--json", "--no-stats", "model_index.json"] {
            XCTAssertTrue(help.stdout.contains(option), "inspect help lacks \(option): \(help.stdout)")
        }
    }
}
