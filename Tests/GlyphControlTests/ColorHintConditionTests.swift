import Foundation
import PosterCore
import XCTest
@testable import GlyphControl
import TensorCore

/// The colour-hint condition: how the ControlNet's input planes are built,
/// widening a mask-only ControlNet without changing what it computes, and a
/// colour-hint run carried on from a mask-only pipeline.
final class ColorHintConditionTests: XCTestCase {
    func testConditionPlanesFollowTheControlNetsChannels() throws {
        var mask = GrayImage(width: 2, height: 1)
        mask.pixels = [255, 51]
        var hint = RGBImage(width: 2, height: 1)
        hint.pixels = [255, 0, 51, 102, 204, 0]
        XCTAssertEqual(try GlyphCondition.planes(mask: mask, colorHint: hint, channels: 1), [1, 0.2])
        XCTAssertEqual(try GlyphCondition.planes(mask: mask, colorHint: nil, channels: 3), [1, 0.2, 1, 0.2, 1, 0.2])
        XCTAssertEqual(try GlyphCondition.planes(mask: mask, colorHint: hint, channels: 4), [1, 0.2, 1, 0.4, 0, 0.8, 0.2, 0])
        XCTAssertEqual(try GlyphCondition.planes(mask: mask, colorHint: nil, channels: 4), [1, 0.2, 0, 0, 0, 0, 0, 0], "no hint reads as black")
        XCTAssertThrowsError(try GlyphCondition.planes(mask: mask, colorHint: RGBImage(width: 1, height: 1), channels: 4))
        XCTAssertThrowsError(try GlyphCondition.planes(mask: mask, colorHint: nil, channels: 2))
        XCTAssertEqual(try GlyphCondition.tensor(mask: mask, colorHint: hint, channels: 4).shape, [1, 4, 1, 2])
    }

    /// A mask-only ControlNet with every weight random, widened to mask + hint: same residuals whatever the hint says.
    func testWideningKeepsWhatTheControlNetComputes() throws {
        var configuration = GlyphControlTrainerTests.options(steps: 1).unetConfiguration()
        configuration.conditioningChannels = 1
        let narrow = try ControlNetModel(configuration: configuration, seed: 3)
        var random = TensorRandom(seed: 5)
        try narrow.load(narrow.stateDict().mapValues { random.normal(shape: $0.shape) * 0.2 })
        let wide = try GlyphControlModelSet.widened(narrow, conditioningChannels: 4)
        XCTAssertEqual(wide.configuration.conditioningChannels, 4)
        XCTAssertEqual(wide.stateDict()["controlnet_cond_embedding.conv_in.weight"]?.shape, [16, 4, 3, 3])

        let sample = random.normal(shape: [1, 12, 16, 16]), context = random.normal(shape: [1, 5, 32])
        let mask = random.uniform(shape: [1, 1, 32, 32], in: 0...1)
        let hint = random.uniform(shape: [1, 3, 32, 32], in: 0...1)
        let before = withoutGradients { narrow(sample, timesteps: [400], context: context, condition: mask) }
        let after = withoutGradients { wide(sample, timesteps: [400], context: context, condition: Tensor.concatenate([mask, hint], axis: 1)) }
        let mid = try XCTUnwrap(before.mid)
        XCTAssertGreaterThan(mid.scalars.map(abs).max() ?? 0, 0.01, "the residuals are not trivially zero")
        XCTAssertEqual(after.mid?.scalars, mid.scalars)
        XCTAssertEqual(after.down.map { $0.scalars }, before.down.map { $0.scalars })
        XCTAssertThrowsError(try GlyphControlModelSet.widened(wide, conditioningChannels: 1), "narrowing would drop weights")
    }

    /// A colour-hint run on a mask-only pipeline: its ControlNet carries on widened, learns weights for the hint,
    /// and the written pipeline reads 4 planes and follows the hint.
    func testAColourHintRunCarriesOnFromAMaskOnlyPipeline() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("colour-hint-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let examples = GlyphControlTrainerTests.examples.map { example -> GlyphControlExample in
            var e = example
            e.colorHint = RGBImage(width: 32, height: 32, pixels: zip(example.image.pixels, example.mask.pixels.flatMap { [$0, $0, $0] })
                .map { $1 == 255 ? $0 : 0 })
            return e
        }
        func trainer(_ options: GlyphControlTrainingOptions, _ name: String, base: URL? = nil) -> GlyphControlTrainer {
            GlyphControlTrainer(options: options, train: GlyphControlExampleArray(examples), validation: GlyphControlExampleArray(Array(examples.prefix(4))),
                                output: directory.appendingPathComponent(name), base: base)
        }
        try trainer(GlyphControlTrainerTests.options(steps: 2), "mask").run(quiet: true)
        let base = directory.appendingPathComponent("mask/model")
        var options = GlyphControlTrainerTests.options(steps: 3)
        options.colorHint = true
        let run = trainer(options, "hint", base: base)
        let models = try run.makeModels(tokenizer: run.tokenizer())
        let baseControlNet = try XCTUnwrap(PipelineDirectory(base).controlnet())
        XCTAssertEqual(models.controlnet?.stateDict()["controlnet_mid_block.weight"]?.scalars,
                       baseControlNet.stateDict()["controlnet_mid_block.weight"]?.scalars, "the base's ControlNet carries on")
        XCTAssertTrue(models.textEncoder.parameters().allSatisfy(\.isTrainable), "a joint run trains the base's text encoder too")
        XCTAssertTrue(models.unet.parameters().allSatisfy(\.isTrainable))
        try run.run(quiet: true)
        let textWeights = "text_encoder/model.safetensors"
        XCTAssertNotEqual(try SafetensorsFile(path: directory.appendingPathComponent("hint/model/\(textWeights)").path).floats("text_model.final_layer_norm.bias"),
                          try SafetensorsFile(path: base.appendingPathComponent(textWeights).path).floats("text_model.final_layer_norm.bias"),
                          "the text encoder trained")

        let model = directory.appendingPathComponent("hint/model")
        let pipeline = try GlyphPosterPipeline.load(from: model)
        let controlnet = try XCTUnwrap(pipeline.controlnet)
        XCTAssertEqual(controlnet.configuration.conditioningChannels, 4)
        let weight = try XCTUnwrap(controlnet.stateDict()["controlnet_cond_embedding.conv_in.weight"])
        var hintWeights: [Float] = []
        for o in 0..<16 { hintWeights += weight.scalars[((o * 4 + 1) * 9)..<((o * 4 + 4) * 9)] }
        XCTAssertGreaterThan(hintWeights.map { abs($0) }.max() ?? 0, 0, "the hint's weights trained away from zero")

        var c = GenerationConfiguration(prompt: examples[0].caption)
        c.width = 32; c.height = 32; c.steps = 2; c.guidanceScale = 1; c.seed = 1
        c.glyphMask = examples[0].mask
        c.colorHint = examples[0].colorHint
        let white = try pipeline.generate(c)
        c.colorHint = RGBImage(width: 32, height: 32, fill: RGBColor(red: 255, green: 0, blue: 0))
        XCTAssertNotEqual(try pipeline.generate(c), white, "the output follows the hint")
    }
}
