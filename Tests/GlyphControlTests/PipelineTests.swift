import Foundation
import PosterCore
import XCTest
@testable import GlyphControl
import TensorCore

/// The whole guided ControlNet loop against diffusers' StableDiffusionControlNetPipeline
/// (tools/make_pipeline_fixture.py), plus the pipeline's contract: sizes, seeds, progress, cancelling, errors.
final class PipelineTests: XCTestCase {
    static let fixtures = UNetExactnessTests.fixtures
    static let run = try! SafetensorsFile(path: fixtures.appendingPathComponent("pipeline_run.safetensors").path)

    /// Serves the reference run's prompt embeddings: [negative, prompt] or [prompt].
    final class FixedEmbeddings: PromptEncoder {
        var calls: [[String]] = []
        func encode(_ prompts: [String]) throws -> Tensor {
            calls.append(prompts)
            func tensor(_ name: String) throws -> Tensor { Tensor(shape: try PipelineTests.run.info(name).shape, scalars: try PipelineTests.run.floats(name)) }
            let parts = try prompts.map { try tensor($0 == "" ? "negative_prompt_embeds" : "prompt_embeds") }
            return Tensor.concatenate(parts, axis: 0)
        }
    }

    func pipeline(_ encoder: FixedEmbeddings) throws -> GlyphPosterPipeline {
        GlyphPosterPipeline(unet: try UNet2DConditionModel.load(from: Self.fixtures.appendingPathComponent("unet-latent")),
                            controlnet: try ControlNetModel.load(from: Self.fixtures.appendingPathComponent("controlnet-rgb")),
                            vae: try AutoencoderKL.load(from: Self.fixtures.appendingPathComponent("vae")),
                            promptEncoder: encoder,
                            scheduler: try SchedulerConfiguration(contentsOf: Self.fixtures.appendingPathComponent("scheduler/scheduler_config.json")))
    }

    func configuration() throws -> GenerationConfiguration {
        var c = GenerationConfiguration(prompt: "a poster")
        c.glyphMask = GrayImage(width: 32, height: 32, pixels: try Self.run.int64s("mask").map { UInt8($0) })
        c.width = 32; c.height = 32; c.steps = 4; c.guidanceScale = 3; c.conditioningScale = 0.8
        return c
    }

    func testGuidedControlNetRunMatchesDiffusers() throws {
        let encoder = FixedEmbeddings()
        var c = try configuration()
        c.initialLatents = Tensor(shape: try Self.run.info("latents").shape, scalars: try Self.run.floats("latents"))
        let image = try pipeline(encoder).generateTensor(c).map({ min(max($0 / 2 + 0.5, 0), 1) }, derivative: { _, _ in 0 })
        let reference = Tensor(shape: try Self.run.info("image").shape, scalars: try Self.run.floats("image"))
        XCTAssertLessThanOrEqual(unetRelativeError(image, reference), 1e-4)
        XCTAssertEqual(encoder.calls, [["", "a poster"]], "negative prompt first, as diffusers concatenates them")
    }

    func testSeedsProgressAndCancelling() throws {
        let p = try pipeline(FixedEmbeddings())
        var c = try configuration()
        c.seed = 5
        var seen: [Int] = []
        let first = try p.generate(c) { seen.append($0.step); return true }
        XCTAssertEqual(seen, [1, 2, 3, 4])
        XCTAssertEqual(first.width, 32)
        XCTAssertEqual(try p.generate(c), first, "same seed, same image")
        c.seed = 6
        XCTAssertNotEqual(try p.generate(c), first)
        var steps = 0
        XCTAssertThrowsError(try p.generate(c) { _ in steps += 1; return steps < 2 }) { XCTAssertTrue($0 is GlyphPosterPipeline.Cancelled) }
        XCTAssertEqual(steps, 2)
    }

    func testImageToImageRunsTheScheduleTailFromTheImage() throws {
        let p = try pipeline(FixedEmbeddings())
        var c = try configuration()
        c.steps = 8
        var full: [Float] = []
        _ = try p.generate(c) { full.append($0.timestep); return true }
        var source = RGBImage(width: 32, height: 32, fill: RGBColor(red: 250, green: 30, blue: 30))
        source.fillRect(minX: 8, minY: 8, maxX: 24, maxY: 24, color: RGBColor(red: 20, green: 20, blue: 220))
        c.initImage = source
        c.strength = 0.5
        var tail: [Float] = []
        let first = try p.generate(c) { tail.append($0.timestep); return true }
        XCTAssertEqual(tail, Array(full.suffix(4)), "int(8 x 0.5) steps, the last ones of the schedule")
        c.initImage = RGBImage(width: 32, height: 32, fill: .white)
        XCTAssertNotEqual(try p.generate(c), first, "the init image shapes the result")
        c.strength = 0.01
        XCTAssertThrowsError(try p.generate(c)) { XCTAssertTrue("\($0)".contains("no denoising steps")) }
        c.strength = 0.5
        c.initImage = RGBImage(width: 16, height: 16)
        XCTAssertThrowsError(try p.generate(c)) { XCTAssertTrue("\($0)".contains("16x16")) }
    }

    func testBadRequestsAreClearErrors() throws {
        let p = try pipeline(FixedEmbeddings())
        var c = try configuration()
        c.glyphMask = nil
        XCTAssertThrowsError(try p.generate(c)) { XCTAssertTrue("\($0)".contains("glyph mask")) }
        c = try configuration()
        c.width = 40
        XCTAssertThrowsError(try p.generate(c)) { XCTAssertTrue("\($0)".contains("multiple of 16")) }
        c = try configuration()
        c.glyphMask = GrayImage(width: 16, height: 16)
        XCTAssertThrowsError(try p.generate(c)) { XCTAssertTrue("\($0)".contains("16x16")) }
        c = try configuration()
        c.scheduler = "PNDMScheduler"
        XCTAssertThrowsError(try p.generate(c)) { XCTAssertTrue("\($0)".contains("PNDMScheduler")) }
    }
}
