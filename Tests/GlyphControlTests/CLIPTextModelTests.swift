import Foundation
import TensorCore
import XCTest
@testable import GlyphControl

/// The text encoder against transformers' CLIPTextModel (diffusers' tiny test
/// config, float16 weights): hidden states within 1e-4 relative error.
final class CLIPTextModelTests: XCTestCase {
    typealias F = TextEncoderFixtures
    static let tolerance: Float = 1e-4

    func model() throws -> CLIPTextModel { try CLIPTextModel.load(from: F.modelDirectory) }

    func assertClose(_ actual: Tensor, _ expected: Tensor, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.shape, expected.shape, what, file: file, line: line)
        guard actual.shape == expected.shape else { return }
        let error = F.relativeError(actual, expected)
        XCTAssertLessThanOrEqual(error, Self.tolerance, "\(what): relative error \(error)", file: file, line: line)
    }

    func testConfigDecodesTransformersNames() throws {
        let config = try JSONDecoder().decode(CLIPTextConfig.self, from: Data(contentsOf: F.modelDirectory.appendingPathComponent("config.json")))
        XCTAssertEqual(config.vocabSize, 1000)
        XCTAssertEqual(config.hiddenSize, 32)
        XCTAssertEqual(config.intermediateSize, 37)
        XCTAssertEqual(config.numHiddenLayers, 5)
        XCTAssertEqual(config.numAttentionHeads, 4)
        XCTAssertEqual(config.maxPositionEmbeddings, 77)
        XCTAssertEqual(config.hiddenAct, "quick_gelu")
        XCTAssertEqual(config.layerNormEps, 1e-5)
        XCTAssertEqual(config.projectionDim, 32)
        XCTAssertEqual(config.eosTokenID, 2)
        // Round trip through the same names.
        let encoded = try JSONEncoder().encode(config)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: encoded) as? [String: Any])
        XCTAssertEqual(object["num_hidden_layers"] as? Int, 5)
        XCTAssertEqual(try JSONDecoder().decode(CLIPTextConfig.self, from: encoded), config)
        // Missing fields take transformers' defaults.
        let defaults = try JSONDecoder().decode(CLIPTextConfig.self, from: Data("{\"hidden_size\": 768}".utf8))
        XCTAssertEqual(defaults.hiddenSize, 768)
        XCTAssertEqual(defaults.vocabSize, 49408)
        XCTAssertEqual(defaults.eosTokenID, 49407)
    }

    func testParameterNamesAreCheckpointNames() throws {
        let names = Set(try CLIPTextModel(CLIPTextConfig(vocabSize: 10, hiddenSize: 8, intermediateSize: 12, numHiddenLayers: 2,
                                                         numAttentionHeads: 2)).namedParameters().map(\.0))
        for name in ["text_model.embeddings.token_embedding.weight", "text_model.embeddings.position_embedding.weight",
                     "text_model.encoder.layers.1.self_attn.q_proj.weight", "text_model.encoder.layers.0.self_attn.out_proj.bias",
                     "text_model.encoder.layers.0.layer_norm1.weight", "text_model.encoder.layers.1.mlp.fc1.weight",
                     "text_model.encoder.layers.1.mlp.fc2.bias", "text_model.encoder.layers.0.layer_norm2.bias",
                     "text_model.final_layer_norm.weight", "text_model.final_layer_norm.bias"] {
            XCTAssertTrue(names.contains(name), name)
        }
        XCTAssertEqual(names.count, 2 + 2 * 16 + 2)
    }

    func testLastHiddenStateAndPooledOutputMatchTransformers() throws {
        let model = try model()
        let ids = try F.idRows("model.ids")
        let out = try model.forward(ids)
        assertClose(out.lastHiddenState, try F.tensor("model.last_hidden_state"), "last_hidden_state")
        // eos_token_id 2 in the config: the legacy argmax rule.
        assertClose(out.pooledOutput, try F.tensor("model.pooled_argmax"), "pooler_output (argmax)")
        XCTAssertEqual(try model(ids).shape, [5, 77, 32])
    }

    func testPooledOutputAtTheEndTokenForNewConfigs() throws {
        var config = try model().config
        config.eosTokenID = F.meta.modelEosId
        let model = try CLIPTextModel(config)
        try model.loadCheckpoint(try ComponentDirectory(F.modelDirectory).tensors())
        let ids = try F.idRows("model.ids")
        XCTAssertNotEqual(model.poolingPositions([ids[4]]), try self.model().poolingPositions([ids[4]]))
        assertClose(try model.forward(ids).pooledOutput, try F.tensor("model.pooled_eos"), "pooler_output (eos id)")
    }

    func testHiddenStatesForClipSkip() throws {
        let model = try model()
        let out = try model.forward(try F.idRows("model.pair_ids"), outputHiddenStates: true)
        XCTAssertEqual(out.hiddenStates.count, 6)
        assertClose(out.hiddenStates[out.hiddenStates.count - 2], try F.tensor("model.penultimate_hidden_state"), "hidden_states[-2]")
    }

    func testShortSequenceWithoutPadding() throws {
        let ids = try F.idRows("model.short_ids")
        XCTAssertEqual(ids[0], F.meta.unpaddedIds[0])
        assertClose(try model()(ids), try F.tensor("model.short_last_hidden_state"), "short last_hidden_state")
    }

    func testGeluActivation() throws {
        var config = try model().config
        config.hiddenAct = "gelu"
        let model = try CLIPTextModel(config)
        try model.loadCheckpoint(try ComponentDirectory(F.modelDirectory).tensors())
        assertClose(try model(try F.idRows("model.pair_ids")), try F.tensor("model.gelu_last_hidden_state"), "gelu last_hidden_state")
    }

    func testTokenizerToEncoder() throws {
        let tok = try CLIPTokenizer(directory: F.tokenizerDirectory.path)
        let ids = tok.encode(F.meta.prompts.prefix(1).map { $0 })
        XCTAssertEqual(ids, [try F.idRows("model.ids")[0]])
        let out = try model()(ids)
        let expected = try F.tensor("model.last_hidden_state").narrowed(axis: 0, start: 0, length: 1)
        assertClose(out, expected, "tokenizer -> encoder")
    }

    func testPromptEncoderAsDiffusersEncodesPrompts() throws {
        let pipeline = try temporaryDirectory()
        try FileManager.default.copyItem(at: F.tokenizerDirectory, to: pipeline.appendingPathComponent("tokenizer"))
        try FileManager.default.copyItem(at: F.modelDirectory, to: pipeline.appendingPathComponent("text_encoder"))
        let encoder = try CLIPPromptEncoder.load(pipeline: pipeline)
        let context = try encoder.encode([F.meta.prompts[0], F.meta.prompts[2]])
        let expected = try F.tensor("model.last_hidden_state").narrowed(axis: 0, start: 0, length: 2)
        assertClose(context, expected, "encode_prompt")
        XCTAssertFalse(context.requiresGrad)
        // clip_skip = 1: final_layer_norm(hidden_states[-2]).
        let skip = CLIPPromptEncoder(tokenizer: encoder.tokenizer, model: encoder.model, clipSkip: 1)
        let pair = try F.idRows("model.pair_ids")
        XCTAssertEqual(encoder.tokenizer.encode(F.meta.prompts[0]), pair[0])
        let out = try skip.encode([F.meta.prompts[0]])
        assertClose(out, try F.tensor("model.clip_skip_1").narrowed(axis: 0, start: 0, length: 1), "clip_skip 1")
    }

    // MARK: loading

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("clip-text-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// A checkpoint named as transformers 4 / Stable Diffusion write it: `text_model.` prefix and the position_ids buffer.
    func testLoadsPrefixedCheckpointWithPositionIDs() throws {
        let source = try SafetensorsFile(path: F.modelDirectory.appendingPathComponent("model.safetensors").path)
        var writer = SafetensorsWriter()
        for info in source.tensors {
            try writer.add("text_model." + info.name, dtype: info.dtype, shape: info.shape, rawBytes: try source.bytes(info.name))
        }
        try writer.add("text_model.embeddings.position_ids", dtype: .i64, shape: [1, 77], integers: (0..<77).map { Int64($0) })
        let dir = try temporaryDirectory()
        try FileManager.default.copyItem(at: F.modelDirectory.appendingPathComponent("config.json"), to: dir.appendingPathComponent("config.json"))
        try writer.write(to: dir.appendingPathComponent("model.safetensors").path)
        let model = try CLIPTextModel.load(from: dir)
        assertClose(try model(try F.idRows("model.ids")), try F.tensor("model.last_hidden_state"), "prefixed checkpoint")
        XCTAssertTrue(model.parameters().allSatisfy { !$0.isTrainable })
    }

    func testLoadErrorsNameMissingAndUnexpectedTensors() throws {
        let source = try SafetensorsFile(path: F.modelDirectory.appendingPathComponent("model.safetensors").path)
        var writer = SafetensorsWriter()
        for info in source.tensors where info.name != "encoder.layers.3.mlp.fc1.weight" {
            try writer.add(info.name, dtype: info.dtype, shape: info.shape, rawBytes: try source.bytes(info.name))
        }
        try writer.add("text_projection.weight", shape: [32, 32], values: [Float](repeating: 0, count: 1024))
        let dir = try temporaryDirectory()
        try FileManager.default.copyItem(at: F.modelDirectory.appendingPathComponent("config.json"), to: dir.appendingPathComponent("config.json"))
        try writer.write(to: dir.appendingPathComponent("model.safetensors").path)
        XCTAssertThrowsError(try CLIPTextModel.load(from: dir)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("text_model.encoder.layers.3.mlp.fc1.weight"), text)
            XCTAssertTrue(text.contains("text_projection.weight"), text)
            XCTAssertTrue(text.contains("missing 1"), text)
            XCTAssertTrue(text.contains("unexpected 1"), text)
        }
        // No weights at all, and no config.
        let empty = try temporaryDirectory()
        XCTAssertThrowsError(try CLIPTextModel.load(from: empty)) { error in XCTAssertTrue("\(error)".contains("config.json"), "\(error)") }
        try FileManager.default.copyItem(at: F.modelDirectory.appendingPathComponent("config.json"), to: empty.appendingPathComponent("config.json"))
        XCTAssertThrowsError(try CLIPTextModel.load(from: empty)) { error in XCTAssertTrue("\(error)".contains("model.safetensors"), "\(error)") }
    }

    func testInvalidConfigsAndInputs() throws {
        XCTAssertThrowsError(try CLIPTextModel(CLIPTextConfig(hiddenAct: "tanhshrink")))
        XCTAssertThrowsError(try CLIPTextModel(CLIPTextConfig(hiddenSize: 30, numAttentionHeads: 4)))
        let model = try model()
        XCTAssertThrowsError(try model([[1, 2], [3]]))
        XCTAssertThrowsError(try model([[1000]])) { error in XCTAssertTrue("\(error)".contains("1000"), "\(error)") }
        XCTAssertThrowsError(try model([[Int](repeating: 1, count: 78)]))
        XCTAssertThrowsError(try model([]))
    }
}
