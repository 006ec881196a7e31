import Foundation
import TensorCore
import XCTest
@testable import LayoutLM

/// `save(to:dtype:)` writes a folder that `load(from:)` (and transformers:
/// tools/make_llama_fixtures.py --check-saved) reads back.
final class LlamaSaveTests: XCTestCase {
    /// Set GLYPHPOSTER_KEEP_LLAMA_SAVE=DIR to keep the saved folders for the Python check.
    static let keep = ProcessInfo.processInfo.environment["GLYPHPOSTER_KEEP_LLAMA_SAVE"].map { URL(fileURLWithPath: $0) }

    func testSaveThenLoadRoundTrips() throws {
        let temp = try LlamaTemporaryFolder()
        for name in LlamaFixtures.names {
            let model = try LlamaFixtures.model(name)
            let folder = temp.sub(name)
            try model.save(to: folder)
            if let keep = Self.keep { try model.save(to: keep.appendingPathComponent(name)) }
            XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: folder.path)), ["config.json", "model.safetensors"])
            let file = try SafetensorsFile(path: folder.appendingPathComponent("model.safetensors").path)
            XCTAssertEqual(file.metadata["format"], "pt")
            XCTAssertEqual(Set(file.names), Set(try SafetensorsFile(path: LlamaFixtures.folder(name).appendingPathComponent("model.safetensors").path).names), name)
            XCTAssertEqual(file.names.contains("lm_head.weight"), name != "tied")
            let config = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("config.json"))) as? [String: Any]
            XCTAssertEqual(config?["model_type"] as? String, "llama")
            XCTAssertEqual(config?["dtype"] as? String, "float32")

            let reloaded = try LlamaForCausalLM.load(from: folder)
            XCTAssertEqual(reloaded.configuration, model.configuration, name)
            let (a, b) = (model.stateDict(), reloaded.stateDict())
            XCTAssertEqual(Set(a.keys), Set(b.keys))
            for (key, value) in a { XCTAssertEqual(value.scalars, b[key]?.scalars, "\(name) \(key)") }
            let logits = withoutGradients { reloaded.forward(ids: LlamaFixtures.inputIDs) }
            XCTAssertLessThanOrEqual(llamaRelativeError(logits.scalars, LlamaFixtures.logits(name).scalars), 1e-4)
        }
    }

    func testHalfPrecisionSaveRoundsTheWeights() throws {
        let temp = try LlamaTemporaryFolder()
        for name in ["gqa", "tied"] {
            let model = try LlamaFixtures.model(name)
            let folder = temp.sub(name)
            try model.save(to: folder, dtype: .f16)
            if let keep = Self.keep { try model.save(to: keep.appendingPathComponent("\(name)-f16"), dtype: .f16) }
            let file = try SafetensorsFile(path: folder.appendingPathComponent("model.safetensors").path)
            XCTAssertTrue(file.tensors.allSatisfy { $0.dtype == .f16 })
            let reloaded = try LlamaForCausalLM.load(from: folder)
            let original = model.stateDict()
            for (key, value) in reloaded.stateDict() {
                let expected = original[key]!.scalars.map { HalfPrecision.float(fromFloat16Bits: HalfPrecision.float16Bits(from: $0)) }
                XCTAssertEqual(value.scalars, expected, key)
            }
            let logits = withoutGradients { reloaded.forward(ids: LlamaFixtures.inputIDs) }
            XCTAssertLessThanOrEqual(llamaRelativeError(logits.scalars, LlamaFixtures.logits(name).scalars), 1e-2)
        }
        XCTAssertThrowsError(try LlamaFixtures.model("base").save(to: temp.sub("i8"), dtype: .i8))
    }

    /// A model built from a configuration is initialised as transformers does and saves and loads.
    func testFreshModelInitialisesLikeTransformersAndRoundTrips() throws {
        let configuration = LlamaConfiguration(vocabSize: 50, hiddenSize: 16, intermediateSize: 24, numHiddenLayers: 2,
                                               numAttentionHeads: 4, numKeyValueHeads: 1, maxPositionEmbeddings: 32)
        let model = try LlamaForCausalLM(configuration: configuration, seed: 11)
        let names = model.namedParameters().map(\.0)
        XCTAssertEqual(names.first, "model.embed_tokens.weight")
        XCTAssertEqual(names.last, "lm_head.weight")
        XCTAssertTrue(names.contains("model.layers.1.post_attention_layernorm.weight"))
        XCTAssertEqual(model.namedParameters().first { $0.0 == "model.layers.0.self_attn.k_proj.weight" }?.1.shape, [4, 16])
        let embedding = model.model.embedTokens.weight.value.scalars
        let std = (embedding.map { Double($0 * $0) }.reduce(0, +) / Double(embedding.count)).squareRoot()
        XCTAssertEqual(std, 0.02, accuracy: 0.003)
        XCTAssertTrue(model.model.norm.weight.value.scalars.allSatisfy { $0 == 1 })
        XCTAssertEqual(try LlamaForCausalLM(configuration: configuration, seed: 11).stateDict()["lm_head.weight"]?.scalars,
                       model.stateDict()["lm_head.weight"]?.scalars, "same seed, same weights")

        let temp = try LlamaTemporaryFolder()
        try model.save(to: temp.sub("fresh"))
        let reloaded = try LlamaForCausalLM.load(from: temp.sub("fresh"))
        let ids = [[3, 1, 4, 1, 5, 9, 2, 6]]
        XCTAssertEqual(withoutGradients { reloaded.forward(ids: ids) }.scalars, withoutGradients { model.forward(ids: ids) }.scalars)
    }
}
