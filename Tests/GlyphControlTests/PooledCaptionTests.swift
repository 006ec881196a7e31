import Foundation
import XCTest
@testable import GlyphControl
import TensorCore

/// `addition_embed_type: "text"` (diffusers TextTimeEmbedding) against
/// diffusers 0.42 on tiny random configs (tools/make_pooled_caption_fixtures.py),
/// and the silenced embedding a trained model gains for fine-tuning.
final class PooledCaptionTests: XCTestCase {
    static let fixtures = UNetExactnessTests.fixtures
    static let outputs = try! SafetensorsFile(path: fixtures.appendingPathComponent("pooled_outputs.safetensors").path)

    func tensor(_ name: String) throws -> Tensor {
        Tensor(shape: try Self.outputs.info(name).shape, scalars: try Self.outputs.floats(name))
    }

    func timesteps() throws -> [Float] { try Self.outputs.int64s("timesteps").map { Float($0) } }

    func testPooledCaptionAndUNetMatchDiffusers() throws {
        let unet = try UNet2DConditionModel.load(from: Self.fixtures.appendingPathComponent("unet-pooled"))
        XCTAssertEqual(unet.configuration.additionEmbedType, "text")
        XCTAssertEqual(unet.configuration.additionEmbedTypeNumHeads, 3)
        let context = try tensor("context")
        let pooled = withoutGradients { unet.addEmbedding!(context) }
        XCTAssertLessThanOrEqual(unetRelativeError(pooled, try tensor("pooled")), 1e-5)
        let out = withoutGradients { unet(try! tensor("sample"), timesteps: try! timesteps(), context: context) }
        XCTAssertLessThanOrEqual(unetRelativeError(out, try tensor("unet.out")), 1e-4)
    }

    func testControlNetWithPooledCaptionMatchesDiffusers() throws {
        let controlnet = try ControlNetModel.load(from: Self.fixtures.appendingPathComponent("controlnet-pooled"))
        let unet = try UNet2DConditionModel.load(from: Self.fixtures.appendingPathComponent("unet-pooled"))
        let (sample, context, t) = (try tensor("sample"), try tensor("context"), try timesteps())
        let residuals = withoutGradients { controlnet(sample, timesteps: t, context: context, condition: try! tensor("mask")) }
        XCTAssertLessThanOrEqual(unetRelativeError(residuals.mid!, try tensor("control.mid")), 1e-4)
        let combined = withoutGradients { unet(sample, timesteps: t, context: context, controlnet: residuals) }
        XCTAssertLessThanOrEqual(unetRelativeError(combined, try tensor("combined.out")), 1e-4)
    }

    func testParameterNamesAreTheCheckpointsNames() throws {
        for name in ["unet-pooled", "controlnet-pooled"] {
            let component = ComponentDirectory(Self.fixtures.appendingPathComponent(name))
            let stored = Set(try component.tensors().keys)
            let configuration = try component.configuration(UNetConfiguration.self)
            let model: Module = name.hasPrefix("controlnet")
                ? try ControlNetModel(configuration: configuration) : try UNet2DConditionModel(configuration: configuration)
            let names = Set(model.namedParameters().map(\.0))
            XCTAssertEqual(names, stored, name)
            XCTAssertTrue(names.contains("add_embedding.pool.positional_embedding"), name)
        }
    }

    /// A trained UNet gains the embedding silenced: same output, and the embedding is still learnable.
    func testAddingPooledCaptionKeepsTheOutputAndLearns() throws {
        let trained = try UNet2DConditionModel.load(from: Self.fixtures.appendingPathComponent("unet-pixel"))
        XCTAssertNil(trained.addEmbedding)
        let extended = try GlyphControlModelSet.addingPooledCaption(trained, configuration: trained.configuration, heads: 4, seed: 5) {
            try UNet2DConditionModel(configuration: $0, seed: $1)
        }
        XCTAssertEqual(extended.configuration.additionEmbedType, "text")
        XCTAssertEqual(extended.configuration.additionEmbedTypeNumHeads, 4)
        let outputs = UNetExactnessTests.outputs
        func fixture(_ name: String) throws -> Tensor { Tensor(shape: try outputs.info(name).shape, scalars: try outputs.floats(name)) }
        let (pixels, context) = (try fixture("pixels"), try fixture("context"))
        let t = try outputs.int64s("timesteps").map { Float($0) }
        let before = withoutGradients { trained(pixels, timesteps: t, context: context) }
        let after = extended(pixels, timesteps: t, context: context)
        XCTAssertEqual(after.scalars, before.scalars, "a silenced embedding changes nothing")
        after.squared().sum().backward()
        let scale = try XCTUnwrap(extended.namedParameters().first { $0.0 == "add_embedding.norm2.weight" }?.1.grad)
        XCTAssertGreaterThan(scale.scalars.map(abs).max() ?? 0, 0, "the silenced embedding still gets a gradient")
        // A model that has the embedding already comes back as it is.
        let again = try GlyphControlModelSet.addingPooledCaption(extended, configuration: extended.configuration, heads: 8, seed: 1) {
            try UNet2DConditionModel(configuration: $0, seed: $1)
        }
        XCTAssertTrue(again === extended)
    }

    func testHeadsThatDoNotDivideTheContextAreRefused() {
        var config = UNetConfiguration()
        config.additionEmbedType = "text"
        config.additionEmbedTypeNumHeads = 5
        XCTAssertThrowsError(try UNet2DConditionModel(configuration: config)) {
            XCTAssertTrue("\($0)".contains("addition_embed_type_num_heads"), "\($0)")
        }
        config.additionEmbedType = "text_time"
        XCTAssertThrowsError(try UNet2DConditionModel(configuration: config)) { XCTAssertTrue("\($0)".contains("text_time")) }
    }
}
