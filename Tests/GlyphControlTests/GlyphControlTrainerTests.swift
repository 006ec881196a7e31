import Foundation
import PosterCore
import XCTest
@testable import GlyphControl
import TensorCore

/// `GlyphControlTrainer` end to end on a tiny pixel-space model (32x32 posters,
/// pixel unshuffle 2): it learns, resumes exactly, writes a pipeline folder
/// that loads and generates, and the controlnet stage keeps its base frozen.
final class GlyphControlTrainerTests: XCTestCase {
    static let colors: [(String, RGBColor)] = [
        ("red", RGBColor(red: 215, green: 35, blue: 35)), ("blue", RGBColor(red: 35, green: 90, blue: 210)),
        ("green", RGBColor(red: 40, green: 160, blue: 70)), ("yellow", RGBColor(red: 250, green: 220, blue: 40)),
        ("purple", RGBColor(red: 110, green: 45, blue: 150)), ("orange", RGBColor(red: 245, green: 135, blue: 25)),
    ]

    /// Flat backgrounds with a white or black rectangle standing for the text, its mask, and a caption naming both colours.
    static let examples: [GlyphControlExample] = (0..<12).map { i in
        let (name, color) = colors[i % colors.count]
        let white = i % 2 == 0
        var image = RGBImage(width: 32, height: 32, fill: color)
        var mask = GrayImage(width: 32, height: 32)
        let (x0, y0, x1, y1) = (4 + i % 3 * 2, 6 + i % 4 * 3, 26 - i % 3 * 2, 14 + i % 4 * 3)
        image.fillRect(minX: x0, minY: y0, maxX: x1, maxY: y1, color: white ? .white : .black)
        for y in y0..<y1 { for x in x0..<x1 { mask.pixels[y * 32 + x] = 255 } }
        return GlyphControlExample(image: image, mask: mask, caption: "a \(name) poster with \(white ? "white" : "black") text 'SALE \(i)'")
    }

    static func options(steps: Int) -> GlyphControlTrainingOptions {
        var o = GlyphControlTrainingOptions()
        o.steps = steps
        o.size = 32
        o.pixelUnshuffle = 2
        o.blockOutChannels = [32, 32]
        o.crossAttentionBlocks = [false, true]
        o.conditioningEmbeddingOutChannels = [16, 32]
        o.textHiddenSize = 32
        o.textLayers = 1
        o.textHeads = 2
        o.vocabularySize = 600
        o.batchSize = 4
        o.validationExamples = 4
        o.warmupSteps = 0
        o.learningRate = 2e-3
        o.evaluateEvery = 1000
        o.sampleEvery = 1000
        o.sampleSteps = 2
        o.seed = 7
        return o
    }

    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("glyphcontrol-trainer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func trainer(_ options: GlyphControlTrainingOptions, _ name: String, base: URL? = nil) -> GlyphControlTrainer {
        GlyphControlTrainer(options: options, train: GlyphControlExampleArray(Self.examples),
                            validation: GlyphControlExampleArray(Array(Self.examples.prefix(4))),
                            output: directory.appendingPathComponent(name), base: base)
    }

    /// Every tensor of a safetensors file by name.
    func tensors(_ path: URL) throws -> [String: [Float]] {
        let file = try SafetensorsFile(path: path.path)
        return try Dictionary(uniqueKeysWithValues: file.tensors.map { ($0.name, try file.floats($0.name)) })
    }

    /// The validation loss (fixed examples, noise and timesteps) falls from the fresh model's.
    func testTrainingLowersTheLossOnAFixedBatch() throws {
        var options = Self.options(steps: 16)
        // ε: at the validation's high-noise timesteps the target is nearly the input, learnt within a few steps.
        // (A v target is mostly −x0 there, learnt far more slowly: a short run does not show it.)
        options.prediction = .epsilon
        options.captionDropout = 0
        let run = trainer(options, "learn")
        let tokenizer = try run.tokenizer()
        let objective = DiffusionObjective(schedule: NoiseSchedule(configuration: options.schedulerConfiguration()), prediction: options.prediction)
        let before = try XCTUnwrap(try run.validationLoss(try run.makeModels(tokenizer: tokenizer), tokenizer: tokenizer, objective: objective))
        let summary = try run.run(quiet: true)
        let after = try XCTUnwrap(summary.validationLoss)
        XCTAssertEqual(summary.steps, 16)
        XCTAssertEqual(summary.resumedFrom, 0)
        XCTAssertTrue(before.isFinite && after.isFinite)
        XCTAssertLessThan(after, 0.8 * before, "validation loss \(before) -> \(after) after 16 steps")
        let log = try String(contentsOf: directory.appendingPathComponent("learn/train_log.jsonl"), encoding: .utf8)
        XCTAssertEqual(log.split(separator: "\n").count, 16, "one log line per step")
    }

    /// Steps 0-4 in one go equal 0-2, stop, then a new trainer continuing to 4 from the checkpoint.
    func testResumeIsExact() throws {
        let straight = try trainer(Self.options(steps: 4), "straight").run(quiet: true)
        XCTAssertEqual(straight.steps, 4)
        let first = try trainer(Self.options(steps: 2), "resumed").run(quiet: true)
        XCTAssertEqual(first.steps, 2)
        let halfway = try tensors(directory.appendingPathComponent("resumed/checkpoint.safetensors"))
        let second = try trainer(Self.options(steps: 4), "resumed").run(quiet: true)
        XCTAssertEqual(second.resumedFrom, 2)
        XCTAssertEqual(second.steps, 4)

        let a = try tensors(directory.appendingPathComponent("straight/checkpoint.safetensors"))
        let b = try tensors(directory.appendingPathComponent("resumed/checkpoint.safetensors"))
        XCTAssertEqual(Set(a.keys), Set(b.keys))
        XCTAssertTrue(a.keys.contains { $0.hasPrefix("model.controlnet.") } && a.keys.contains { $0.hasPrefix("optimizer.") }
                      && a.keys.contains { $0.hasPrefix("ema.") })
        let differing = a.keys.filter { a[$0] != b[$0] }.sorted()
        XCTAssertTrue(differing.isEmpty, "\(differing.count) tensors differ, e.g. \(differing.prefix(5))")
        for component in ["unet/diffusion_pytorch_model.safetensors", "controlnet/diffusion_pytorch_model.safetensors", "text_encoder/model.safetensors"] {
            XCTAssertEqual(try Data(contentsOf: directory.appendingPathComponent("straight/model/\(component)")),
                           try Data(contentsOf: directory.appendingPathComponent("resumed/model/\(component)")), component)
        }
        // Step, RNG state, data position and EMA count agree too; only the wall time may differ.
        var (metaA, metaB) = (try SafetensorsFile(path: directory.appendingPathComponent("straight/checkpoint.safetensors").path).metadata,
                              try SafetensorsFile(path: directory.appendingPathComponent("resumed/checkpoint.safetensors").path).metadata)
        metaA["seconds"] = nil
        metaB["seconds"] = nil
        XCTAssertEqual(metaA, metaB)
        XCTAssertEqual(metaA["step"], "4")
        // The second run did train steps 3 and 4.
        XCTAssertNotEqual(halfway["model.unet.conv_in.weight"], b["model.unet.conv_in.weight"])
    }

    /// OUT/model is a diffusers ControlNet pipeline folder that loads and generates deterministically.
    func testWritesALoadablePipelineFolder() throws {
        let summary = try trainer(Self.options(steps: 2), "pipeline").run(quiet: true)
        let model = directory.appendingPathComponent("pipeline/model")
        XCTAssertEqual(summary.model.standardizedFileURL.path, model.standardizedFileURL.path)
        let index = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: model.appendingPathComponent("model_index.json"))) as? [String: Any])
        XCTAssertEqual(index["_class_name"] as? String, "StableDiffusionControlNetPipeline")
        XCTAssertEqual(index["controlnet"] as? [String], ["diffusers", "ControlNetModel"])
        let settings = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: model.appendingPathComponent("glyphposter.json"))) as? [String: Any])
        XCTAssertEqual(settings["pixel_unshuffle"] as? Int, 2)
        XCTAssertEqual(settings["sample_size"] as? Int, 32)
        XCTAssertEqual(try GlyphPosterModelConfiguration.load(pipeline: model).steps, 2)

        let pipeline = try GlyphPosterPipeline.load(from: model)
        XCTAssertEqual(pipeline.pixelUnshuffle, 2)
        XCTAssertNotNil(pipeline.controlnet)
        XCTAssertEqual(pipeline.unet.configuration.inChannels, 12)
        var c = GenerationConfiguration(prompt: Self.examples[0].caption)
        c.width = 32; c.height = 32; c.steps = 2; c.guidanceScale = 3; c.seed = 11
        c.glyphMask = Self.examples[0].mask
        let image = try pipeline.generate(c)
        XCTAssertEqual(image.width, 32)
        XCTAssertEqual(image.height, 32)
        XCTAssertEqual(try pipeline.generate(c), image, "same seed, same image")
        c.seed = 12
        XCTAssertNotEqual(try pipeline.generate(c), image)
        c.glyphMask = nil
        XCTAssertThrowsError(try pipeline.generate(c), "a ControlNet pipeline needs a mask")
    }

    /// controlnet stage: the base's UNet and text encoder stay as they were; the ControlNet starts from the UNet's encoder.
    func testControlNetStageFreezesTheBase() throws {
        var baseOptions = Self.options(steps: 2)
        baseOptions.stage = .base
        try trainer(baseOptions, "base").run(quiet: true)
        let base = directory.appendingPathComponent("base/model")
        let baseIndex = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: base.appendingPathComponent("model_index.json"))) as? [String: Any])
        XCTAssertEqual(baseIndex["_class_name"] as? String, "StableDiffusionPipeline")
        XCTAssertFalse(FileManager.default.fileExists(atPath: base.appendingPathComponent("controlnet").path))

        // The base samples with DPM-Solver++ on the schedule it was trained on: the stage's folder keeps that sampler.
        let schedulerPath = base.appendingPathComponent("scheduler/scheduler_config.json")
        var sampler = try SchedulerConfiguration(contentsOf: schedulerPath)
        XCTAssertEqual(sampler.className, "DDIMScheduler")
        sampler.className = "DPMSolverMultistepScheduler"
        sampler.algorithmType = .dpmSolverPlusPlus
        sampler.solverOrder = 2
        try JSONEncoder().encode(sampler).write(to: schedulerPath)

        var options = Self.options(steps: 2)
        options.stage = .controlnet
        let stage = trainer(options, "controlnet", base: base)
        XCTAssertEqual(stage.exportedScheduler(trained: options.schedulerConfiguration()), sampler)
        var otherTarget = options
        otherTarget.prediction = otherTarget.prediction == .sample ? .epsilon : .sample
        XCTAssertEqual(stage.exportedScheduler(trained: otherTarget.schedulerConfiguration()), otherTarget.schedulerConfiguration(),
                       "a base trained for another target does not lend its sampler")
        let models = try stage.makeModels(tokenizer: try stage.tokenizer())
        let controlnet = try XCTUnwrap(models.controlnet)
        let unetWeights = models.unet.stateDict(), controlWeights = controlnet.stateDict()
        var shared = 0
        for (name, value) in controlWeights where ["conv_in.", "time_embedding.", "down_blocks.", "mid_block."].contains(where: { name.hasPrefix($0) }) {
            XCTAssertEqual(value.scalars, unetWeights[name]?.scalars, "controlnet \(name) starts as the UNet's")
            shared += 1
        }
        XCTAssertGreaterThan(shared, 20)
        for (name, value) in controlWeights where name.hasPrefix("controlnet_down_blocks.") || name.hasPrefix("controlnet_mid_block.") {
            XCTAssertTrue(value.scalars.allSatisfy { $0 == 0 }, "zero conv \(name) starts at zero")
        }
        XCTAssertTrue(models.unet.parameters().allSatisfy { !$0.isTrainable })
        XCTAssertTrue(models.textEncoder.parameters().allSatisfy { !$0.isTrainable })
        XCTAssertTrue(controlnet.parameters().allSatisfy(\.isTrainable))

        try stage.run(quiet: true)
        let out = directory.appendingPathComponent("controlnet/model")
        for component in ["unet/diffusion_pytorch_model.safetensors", "text_encoder/model.safetensors"] {
            XCTAssertEqual(try tensors(out.appendingPathComponent(component)), try tensors(base.appendingPathComponent(component)),
                           "\(component) is frozen")
        }
        let checkpoint = try tensors(directory.appendingPathComponent("controlnet/checkpoint.safetensors"))
        XCTAssertEqual(checkpoint["model.unet.conv_in.weight"], unetWeights["conv_in.weight"]?.scalars)
        XCTAssertNotEqual(checkpoint["model.controlnet.controlnet_mid_block.weight"], controlWeights["controlnet_mid_block.weight"]?.scalars,
                          "the ControlNet trained")
        let index = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("model_index.json"))) as? [String: Any])
        XCTAssertEqual(index["_class_name"] as? String, "StableDiffusionControlNetPipeline")
        XCTAssertEqual(index["scheduler"] as? [String], ["diffusers", "DPMSolverMultistepScheduler"])
        XCTAssertEqual(try SchedulerConfiguration(contentsOf: out.appendingPathComponent("scheduler/scheduler_config.json")).solverOrder, 2)
        XCTAssertNotNil(try GlyphPosterPipeline.load(from: out).controlnet)
    }
}
