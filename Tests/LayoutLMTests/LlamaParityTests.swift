import Foundation
import TensorCore
import XCTest
@testable import LayoutLM

/// Our LlamaForCausalLM reproduces transformers' logits, decodes
/// incrementally with a KV cache to the same logits, and trains.
final class LlamaParityTests: XCTestCase {
    func testLogitsMatchTransformersForEveryConfiguration() throws {
        let ids = LlamaFixtures.inputIDs
        for name in LlamaFixtures.names {
            let model = try LlamaFixtures.model(name)
            let logits = withoutGradients { model.forward(ids: ids) }
            let expected = LlamaFixtures.logits(name)
            XCTAssertEqual(logits.shape, [2, 7, 100], name)
            XCTAssertEqual(logits.shape, expected.shape, name)
            let error = llamaRelativeError(logits.scalars, expected.scalars)
            XCTAssertLessThanOrEqual(error, 1e-4, "\(name): relative error \(error)")
        }
    }

    func testFixtureConfigurationsAreTheIntendedOnes() throws {
        XCTAssertEqual(try LlamaFixtures.model("base").configuration.keyValueHeads, 4)
        XCTAssertEqual(try LlamaFixtures.model("gqa").configuration.keyValueHeads, 2)
        let tied = try LlamaFixtures.model("tied")
        XCTAssertTrue(tied.configuration.tieWordEmbeddings)
        XCTAssertNil(tied.lmHead)
        XCTAssertFalse(tied.namedParameters().map(\.0).contains("lm_head.weight"))
        XCTAssertEqual(try LlamaFixtures.model("theta").configuration.ropeTheta, 500_000)
        XCTAssertEqual(try LlamaFixtures.model("theta").configuration.rmsNormEps, 1e-5)
        let bias = try LlamaFixtures.model("bias")
        XCTAssertEqual(bias.configuration.dimensionPerHead, 12)
        XCTAssertTrue(bias.namedParameters().map(\.0).contains("model.layers.1.self_attn.o_proj.bias"))
        XCTAssertTrue(bias.namedParameters().map(\.0).contains("model.layers.0.mlp.down_proj.bias"))
    }

    func testShardedCheckpointLoadsThroughItsIndex() throws {
        let folder = LlamaFixtures.directory.appendingPathComponent("llama-base-sharded")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        XCTAssertTrue(files.contains("model.safetensors.index.json"))
        XCTAssertFalse(files.contains("model.safetensors"))
        XCTAssertEqual(files.filter { $0.hasSuffix(".safetensors") }.count, 2)
        let model = try LlamaForCausalLM.load(from: folder)
        let logits = withoutGradients { model.forward(ids: LlamaFixtures.inputIDs) }
        XCTAssertLessThanOrEqual(llamaRelativeError(logits.scalars, LlamaFixtures.logits("base").scalars), 1e-4)
    }

    /// Feeding the tokens in pieces through a KV cache gives the full forward's logits at every position.
    func testIncrementalDecodingMatchesTheFullForward() throws {
        for name in LlamaFixtures.names {
            let model = try LlamaFixtures.model(name)
            for row in LlamaFixtures.inputIDs {
                let full = withoutGradients { model.forward(ids: [row]) }
                let v = full.shape[2]
                for pieces in [[3, 1, 1, 2], [1, 1, 1, 1, 1, 1, 1], [7]] {
                    let cache = model.makeCache()
                    var start = 0
                    for size in pieces {
                        let step = model.forward(ids: [Array(row[start..<(start + size)])], cache: cache)
                        XCTAssertEqual(step.shape, [1, size, v])
                        XCTAssertFalse(step.requiresGrad)
                        XCTAssertEqual(cache.length, start + size)
                        let expected = Array(full.scalars[(start * v)..<((start + size) * v)])
                        let error = llamaRelativeError(step.scalars, expected)
                        XCTAssertLessThanOrEqual(error, 1e-5, "\(name) pieces \(pieces) at \(start): relative error \(error)")
                        start += size
                    }
                }
            }
        }
    }

    /// Right-padded rows: a row's logits before its padding do not depend on the padding.
    func testRightPaddingDoesNotChangeEarlierPositions() throws {
        let model = try LlamaFixtures.model("gqa")
        let row = LlamaFixtures.inputIDs[0]
        let short = withoutGradients { model.forward(ids: [Array(row[0..<4])]) }
        let padded = withoutGradients { model.forward(ids: [Array(row[0..<4]) + [0, 0, 0], row]) }
        let v = 100
        XCTAssertLessThanOrEqual(llamaRelativeError(Array(padded.scalars[0..<(4 * v)]), short.scalars), 1e-6)
    }

    /// Every parameter receives a gradient, and a few AdamW steps on a fixed
    /// sequence bring its loss well down (tied and grouped-KV model from scratch).
    func testGradientsFlowAndTrainingLowersTheLoss() throws {
        for tied in [false, true] {
            let configuration = LlamaConfiguration(vocabSize: 24, hiddenSize: 16, intermediateSize: 32, numHiddenLayers: 2,
                                                   numAttentionHeads: 4, numKeyValueHeads: 2, maxPositionEmbeddings: 32,
                                                   tieWordEmbeddings: tied)
            let model = try LlamaForCausalLM(configuration: configuration, seed: 3)
            let ids = [[1, 5, 9, 3, 7, 11, 2, 4, 8, 6], [1, 12, 14, 16, 18, 20, 22, 2, 0, 0]]
            // Next-token targets; padding (id 0 after eos) and the last position are ignored.
            let targets = ids.flatMap { row in (0..<row.count).map { i in i + 1 < row.count && row[i + 1] != 0 ? row[i + 1] : -100 } }
            let optimizer = AdamW(model.namedParameters(), learningRate: 1e-2, weightDecay: 0)
            var losses: [Float] = []
            for step in 0..<40 {
                let loss = model.forward(ids: ids).crossEntropy(targets: targets)
                losses.append(loss.item)
                loss.backward()
                if step == 0 {
                    for (name, parameter) in model.namedParameters() {
                        let grad = try XCTUnwrap(parameter.grad, "no gradient for \(name)")
                        XCTAssertTrue(grad.scalars.contains { $0 != 0 }, "zero gradient for \(name)")
                        XCTAssertTrue(grad.scalars.allSatisfy(\.isFinite), "non-finite gradient for \(name)")
                    }
                }
                optimizer.update()
                model.zeroGrad()
            }
            XCTAssertLessThan(losses.last!, losses.first! / 4, "tied \(tied): loss \(losses.first!) -> \(losses.last!)")
        }
    }

    /// Gradients match finite differences through attention, rotary and repeat_kv.
    func testGradientMatchesFiniteDifferences() throws {
        let configuration = LlamaConfiguration(vocabSize: 11, hiddenSize: 8, intermediateSize: 12, numHiddenLayers: 1,
                                               numAttentionHeads: 4, numKeyValueHeads: 2, maxPositionEmbeddings: 16,
                                               initializerRange: 0.5)
        let model = try LlamaForCausalLM(configuration: configuration, seed: 5)
        let ids = [[1, 4, 7, 2, 9]]
        let targets = [4, 7, 2, 9, 3]
        let loss = model.forward(ids: ids).crossEntropy(targets: targets)
        loss.backward()
        for name in ["model.layers.0.self_attn.k_proj.weight", "model.layers.0.self_attn.q_proj.weight", "model.layers.0.mlp.gate_proj.weight"] {
            let parameter = try XCTUnwrap(model.namedParameters().first { $0.0 == name }?.1)
            let analytic = try XCTUnwrap(parameter.grad).scalars
            let original = parameter.value.scalars
            for index in [0, 5, original.count - 1] {
                let h: Float = 1e-2
                func lossAt(_ delta: Float) -> Double {
                    var values = original
                    values[index] += delta
                    parameter.assign(values)
                    return Double(withoutGradients { model.forward(ids: ids).crossEntropy(targets: targets).item })
                }
                let numeric = (lossAt(h) - lossAt(-h)) / Double(2 * h)
                parameter.assign(original)
                XCTAssertEqual(Double(analytic[index]), numeric, accuracy: 2e-3 + 2e-2 * abs(numeric), "\(name)[\(index)]")
            }
        }
    }
}
