import Foundation
import TensorCore
import XCTest
@testable import LayoutLM

/// Loading errors name every bad tensor and every unsupported option.
final class LlamaLoadTests: XCTestCase {
    func copyConfig(from name: String, to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: LlamaFixtures.folder(name).appendingPathComponent("config.json"),
                                         to: folder.appendingPathComponent("config.json"))
    }

    func writeWeights(_ values: [String: Tensor], to folder: URL) throws {
        var writer = SafetensorsWriter(metadata: ["format": "pt"])
        for (name, value) in values { try writer.add(name, shape: value.shape, values: value.scalars) }
        try writer.write(to: folder.appendingPathComponent("model.safetensors").path)
    }

    func loadError(_ folder: URL, file: StaticString = #filePath, line: UInt = #line) -> LlamaError? {
        do {
            _ = try LlamaForCausalLM.load(from: folder)
            XCTFail("loading \(folder.path) succeeded", file: file, line: line)
            return nil
        } catch { return error }
    }

    func testLoadErrorsListEveryMissingUnexpectedAndMisShapedName() throws {
        let temp = try LlamaTemporaryFolder()
        let folder = temp.sub("broken")
        try copyConfig(from: "base", to: folder)
        var values = try LlamaFixtures.model("base").stateDict()
        values["model.layers.1.mlp.up_proj.weight"] = nil
        values["lm_head.weight"] = nil
        values["model.layers.0.extra.weight"] = Tensor(zeros: [2])
        values["model.norm.weight"] = Tensor(zeros: [31])
        try writeWeights(values, to: folder)
        let error = try XCTUnwrap(loadError(folder))
        guard case .mismatch(let message) = error else { return XCTFail("expected a mismatch, got \(error)") }
        for fragment in ["model.layers.1.mlp.up_proj.weight", "lm_head.weight", "model.layers.0.extra.weight", "model.norm.weight", "[31]", "[32]", folder.path] {
            XCTAssertTrue(message.contains(fragment), "'\(message)' lacks \(fragment)")
        }
    }

    func testTiedCheckpointNeedsTiedConfigAndTiedConfigIgnoresAStrayHead() throws {
        let temp = try LlamaTemporaryFolder()
        // The tied checkpoint (no lm_head.weight) under an untied config.
        let untied = temp.sub("untied")
        try FileManager.default.createDirectory(at: untied, withIntermediateDirectories: true)
        var config = try String(contentsOf: LlamaFixtures.folder("tied").appendingPathComponent("config.json"), encoding: .utf8)
        config = config.replacingOccurrences(of: "\"tie_word_embeddings\": true", with: "\"tie_word_embeddings\": false")
        try config.write(to: untied.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(at: LlamaFixtures.folder("tied").appendingPathComponent("model.safetensors"),
                                         to: untied.appendingPathComponent("model.safetensors"))
        let error = try XCTUnwrap(loadError(untied))
        XCTAssertTrue(error.description.contains("missing 1: lm_head.weight"), error.description)

        // A tied config with an lm_head.weight (and an old rotary buffer) in the file: both ignored.
        let stray = temp.sub("stray")
        try copyConfig(from: "tied", to: stray)
        var values = try LlamaFixtures.model("tied").stateDict()
        values["lm_head.weight"] = values["model.embed_tokens.weight"]
        values["model.layers.0.self_attn.rotary_emb.inv_freq"] = Tensor(zeros: [4])
        try writeWeights(values, to: stray)
        let model = try LlamaForCausalLM.load(from: stray)
        let logits = withoutGradients { model.forward(ids: LlamaFixtures.inputIDs) }
        XCTAssertLessThanOrEqual(llamaRelativeError(logits.scalars, LlamaFixtures.logits("tied").scalars), 1e-4)
    }

    func testMissingFilesAreClearErrors() throws {
        let temp = try LlamaTemporaryFolder()
        let empty = temp.sub("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        XCTAssertTrue(try XCTUnwrap(loadError(empty)).description.contains("no config.json"))
        try copyConfig(from: "base", to: empty)
        XCTAssertTrue(try XCTUnwrap(loadError(empty)).description.contains("no model.safetensors"))
        try Data("not json".utf8).write(to: empty.appendingPathComponent("config.json"))
        let error = try XCTUnwrap(loadError(empty))
        guard case .invalidConfiguration(let message) = error else { return XCTFail("expected invalidConfiguration, got \(error)") }
        XCTAssertTrue(message.contains("config.json"), message)
    }

    func decode(_ json: String) throws -> LlamaConfiguration { try JSONDecoder().decode(LlamaConfiguration.self, from: Data(json.utf8)) }

    func unsupportedMessage(_ json: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let configuration = try decode(json)
        do {
            try configuration.validate()
            XCTFail("\(json) validated", file: file, line: line)
            return ""
        } catch { return error.description }
    }

    func testUnsupportedOptionsAreNamed() throws {
        let base = #""vocab_size": 10, "hidden_size": 8, "intermediate_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2"#
        var message = try unsupportedMessage(#"{\#(base), "rope_scaling": {"rope_type": "llama3", "factor": 8.0}}"#)
        XCTAssertTrue(message.contains("rope_scaling") && message.contains("llama3"), message)
        message = try unsupportedMessage(#"{\#(base), "rope_scaling": {"type": "linear", "factor": 2.0}}"#)
        XCTAssertTrue(message.contains("rope_scaling") && message.contains("linear"), message)
        message = try unsupportedMessage(#"{\#(base), "rope_parameters": {"rope_type": "yarn", "rope_theta": 10000.0, "factor": 4.0}}"#)
        XCTAssertTrue(message.contains("rope_scaling") && message.contains("yarn"), message)
        message = try unsupportedMessage(#"{\#(base), "hidden_act": "gelu"}"#)
        XCTAssertTrue(message.contains("hidden_act") && message.contains("gelu"), message)
        message = try unsupportedMessage(#"{\#(base), "num_key_value_heads": 3}"#)
        XCTAssertTrue(message.contains("num_key_value_heads"), message)
        message = try unsupportedMessage(#"{"vocab_size": 10, "hidden_size": 9, "intermediate_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2}"#)
        XCTAssertTrue(message.contains("hidden_size") && message.contains("num_attention_heads"), message)

        // Through load(from:), the error names config.json and the option.
        let temp = try LlamaTemporaryFolder()
        let folder = temp.sub("scaled")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(#"{\#(base), "rope_scaling": {"rope_type": "dynamic", "factor": 2.0}}"#.utf8).write(to: folder.appendingPathComponent("config.json"))
        let error = try XCTUnwrap(loadError(folder))
        guard case .unsupported(let text) = error else { return XCTFail("expected unsupported, got \(error)") }
        XCTAssertTrue(text.contains("config.json") && text.contains("rope_scaling") && text.contains("dynamic"), text)
    }

    func testConfigurationReadsTransformers4And5Layouts() throws {
        let old = try decode(#"""
            {"architectures": ["LlamaForCausalLM"], "vocab_size": 10, "hidden_size": 8, "intermediate_size": 16,
             "num_hidden_layers": 1, "num_attention_heads": 2, "rope_theta": 250000.0, "rope_scaling": null,
             "rms_norm_eps": 1e-05, "eos_token_id": [2, 3], "torch_dtype": "float16"}
            """#)
        XCTAssertNoThrow(try old.validate())
        XCTAssertEqual(old.ropeTheta, 250_000)
        XCTAssertNil(old.ropeScaling)
        XCTAssertEqual(old.keyValueHeads, 2)
        XCTAssertEqual(old.dimensionPerHead, 4)
        XCTAssertEqual(old.eosTokenID, 2)
        XCTAssertEqual(old.rmsNormEps, 1e-5)
        XCTAssertFalse(old.tieWordEmbeddings)
        let new = try decode(#"""
            {"vocab_size": 10, "hidden_size": 8, "intermediate_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2,
             "num_key_value_heads": 1, "head_dim": 6, "rope_parameters": {"rope_type": "default", "rope_theta": 500000.0}}
            """#)
        XCTAssertNoThrow(try new.validate())
        XCTAssertEqual(new.ropeTheta, 500_000)
        XCTAssertNil(new.ropeScaling)
        XCTAssertEqual(new.keyValueHeads, 1)
        XCTAssertEqual(new.dimensionPerHead, 6)
        // Encoding then decoding keeps the configuration.
        var newAgain = new
        newAgain.architectures = ["LlamaForCausalLM"]
        XCTAssertEqual(try JSONDecoder().decode(LlamaConfiguration.self, from: JSONEncoder().encode(new)), newAgain)
        var oldAgain = old
        oldAgain.numKeyValueHeads = 2
        oldAgain.headDim = 4
        XCTAssertEqual(try JSONDecoder().decode(LlamaConfiguration.self, from: JSONEncoder().encode(old)), oldAgain)
    }

    func testInvalidInputIsAnErrorNotACrash() throws {
        let model = try LlamaFixtures.model("base")
        XCTAssertThrowsError(try model.validate(ids: [])) { XCTAssertTrue("\($0)".contains("empty")) }
        XCTAssertThrowsError(try model.validate(ids: [[1, 2], [3]])) { XCTAssertTrue("\($0)".contains("different lengths")) }
        XCTAssertThrowsError(try model.validate(ids: [[1, 100]])) { XCTAssertTrue("\($0)".contains("token id 100")) }
        XCTAssertThrowsError(try model.validate(ids: [[Int](repeating: 1, count: 65)])) { XCTAssertTrue("\($0)".contains("max_position_embeddings 64")) }
        XCTAssertThrowsError(try model.validate(ids: [[1, 2]], pastLength: 63)) { XCTAssertTrue("\($0)".contains("65 positions")) }
        XCTAssertNoThrow(try model.validate(ids: [[1, 2]], pastLength: 62))
    }
}
