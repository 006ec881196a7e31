import ArgumentParser
import Foundation
import GlyphControl
import GlyphRender
import PosterCore
import PosterStudio

/// `poster train glyphcontrol`: the default poster model from MARIO-format posters.
struct TrainGlyphControl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "glyphcontrol",
        abstract: "Train the glyph-conditioned diffusion model (UNet + glyph ControlNet + text encoder) on MARIO-format posters.",
        discussion: """
        Stages: base (UNet + text encoder on captions), controlnet (a ControlNet on a frozen --base pipeline, zero convs), \
        joint (all at once). Resumes from OUT/checkpoint.safetensors; writes OUT/train_log.jsonl, OUT/samples/step-N.png \
        (caption, mask, EMA output, reference) and at the end OUT/model/, a diffusers pipeline folder in fp16.
        """)

    @Option(help: "MARIO folder of training posters (poster data synth output).") var data: String
    @Option(help: "Output folder (checkpoint, log, samples, final model).") var out: String
    @Option(help: "base, controlnet or joint.") var stage: String = "joint"
    @Option(help: "Pipeline folder whose UNet and text encoder start the run (required for --stage controlnet).") var base: String?
    @Option(help: "Optimiser steps in all (a resumed run continues to this count).") var steps = 4000
    @Option(help: "Posters per step.") var batchSize = 8
    @Option(help: "Peak learning rate.") var learningRate: Float = 5e-4
    @Option(help: "Warm-up steps.") var warmupSteps = 200
    @Flag(help: "Cosine decay to 10% over --steps (default: constant after warm-up, which extends cleanly on resume).") var cosine = false
    @Option(help: "EMA decay.") var emaDecay: Float = 0.999
    @Option(help: "Loss weight near text.") var textWeight: Float = 3
    @Option(help: "Prediction target: sample (x0, the default: a pixel-space model then never has to reproduce the noise), v_prediction or epsilon.") var prediction = "sample"
    @Option(help: "Timesteps drawn more often, as diffusers' --timestep_bias_strategy: none, earlier or later.") var timestepBiasStrategy = "none"
    @Option(help: "Weight of the biased timesteps (diffusers' --timestep_bias_multiplier).") var timestepBiasMultiplier: Float = 1
    @Option(help: "Share of timesteps biased, from the start (earlier) or the end (later).") var timestepBiasPortion: Float = 0.25
    @Option(help: "Divide the cosine schedule's signal-to-noise ratios by this squared (shifted cosine, Hoogeboom et al. 2023; shipped as diffusers trained_betas). 4 gives a 256-px poster the noise levels a 64-px image has, so the caption, not the noise, decides the background. A --base is fine-tuned onto it; a resumed run must keep it.") var noiseScheduleShift: Double = 1
    @Option(help: "Share of captions dropped for classifier-free guidance.") var captionDropout: Float = 0.1
    @Option(help: "Output side in pixels.") var size = 256
    @Option(help: "Pixel-unshuffle factor (the UNet works at size/r).") var pixelUnshuffle = 4
    @Option(help: "UNet widths, comma-separated.") var channels = "64,128,192"
    @Option(help: "Which blocks have cross-attention, e.g. 0,0,1.") var attention = "0,0,1"
    @Option(help: "Text encoder width.") var textWidth = 128
    @Option(help: "Text encoder layers.") var textLayers = 2
    @Option(help: "Held-out posters for validation loss and samples.") var validation = 64
    @Option(help: "Steps between validation losses.") var evaluateEvery = 250
    @Option(help: "Steps between checkpoints.") var checkpointEvery = 50
    @Option(help: "Steps between sample sheets.") var sampleEvery = 500
    @Option(help: "Seed for initialisation, noise and shuffling.") var seed: UInt64 = 0
    @Flag(help: "The ControlNet also reads a colour hint: the glyphs painted in their text colour (measured under each word in training, named in the prompt at generation). A --base ControlNet that reads the mask alone is widened with zero weights.") var colorHint = false
    @Flag(help: "The UNet and ControlNet add the pooled caption to the time embedding (diffusers addition_embed_type \"text\"), so the caption steers global traits such as the background colour. A --base without it gains one that starts silent.") var pooledCaption = false
    @Option(help: "Learning-rate multiple for the pooled-caption embedding (it starts silent in a trained --base).") var pooledCaptionLrScale: Float = 1

    func validate() throws {
        guard GlyphControlTrainingOptions.Stage(rawValue: stage) != nil else { throw ValidationError("--stage must be base, controlnet or joint") }
        guard stage != "controlnet" || base != nil else { throw ValidationError("--stage controlnet trains on a frozen base: give --base DIR") }
        guard SchedulerConfiguration.PredictionType(rawValue: prediction) != nil else {
            throw ValidationError("--prediction must be epsilon, v_prediction or sample")
        }
        guard steps > 0, batchSize > 0, learningRate > 0, evaluateEvery > 0, checkpointEvery > 0, sampleEvery > 0, validation > 0 else {
            throw ValidationError("steps, batch size, learning rate, intervals and --validation must be positive")
        }
        guard pixelUnshuffle >= 1, size % (pixelUnshuffle * 8) == 0 else { throw ValidationError("--size must be a multiple of 8 × --pixel-unshuffle") }
        guard pooledCaptionLrScale > 0 else { throw ValidationError("--pooled-caption-lr-scale must be positive, got \(pooledCaptionLrScale)") }
        guard noiseScheduleShift > 0, noiseScheduleShift.isFinite else {
            throw ValidationError("--noise-schedule-shift must be a positive number, got \(noiseScheduleShift)")
        }
        guard (0...1).contains(captionDropout) else { throw ValidationError("--caption-dropout must be in 0...1") }
        guard TimestepBias.Strategy(rawValue: timestepBiasStrategy) != nil else {
            throw ValidationError("--timestep-bias-strategy must be none, earlier or later")
        }
        guard timestepBiasMultiplier > 0 else { throw ValidationError("--timestep-bias-multiplier must be positive") }
        guard timestepBiasPortion > 0, timestepBiasPortion <= 1 else { throw ValidationError("--timestep-bias-portion must be in (0, 1]") }
    }

    func run() throws {
        var options = GlyphControlTrainingOptions()
        options.stage = GlyphControlTrainingOptions.Stage(rawValue: stage)!
        options.steps = steps; options.batchSize = batchSize; options.learningRate = learningRate; options.warmupSteps = warmupSteps
        options.cosineDecay = cosine; options.emaDecay = emaDecay; options.textWeight = textWeight
        options.prediction = SchedulerConfiguration.PredictionType(rawValue: prediction)!
        options.captionDropout = captionDropout; options.size = size; options.pixelUnshuffle = pixelUnshuffle
        options.textHiddenSize = textWidth; options.textLayers = textLayers; options.validationExamples = validation
        options.evaluateEvery = evaluateEvery; options.checkpointEvery = checkpointEvery; options.sampleEvery = sampleEvery; options.seed = seed
        options.colorHint = colorHint
        options.noiseScheduleShift = noiseScheduleShift
        options.pooledCaption = pooledCaption
        options.pooledCaptionLearningRateScale = pooledCaptionLrScale
        options.timestepBias = TimestepBias(strategy: TimestepBias.Strategy(rawValue: timestepBiasStrategy)!,
                                            multiplier: timestepBiasMultiplier, portion: timestepBiasPortion)
        do {
            options.blockOutChannels = try Self.integers(channels, name: "--channels")
            options.crossAttentionBlocks = try Self.integers(attention, name: "--attention").map { $0 != 0 }
            guard options.crossAttentionBlocks.count == options.blockOutChannels.count else {
                throw InputError("--attention names \(options.crossAttentionBlocks.count) blocks, --channels \(options.blockOutChannels.count)")
            }
            let (train, held) = try MARIOGlyphSource.split(root: URL(fileURLWithPath: data), size: size, validation: validation, colorHint: colorHint)
            FileHandle.standardError.write(Data("train glyphcontrol: \(train.count) training and \(held.count) validation posters from \(data)\n".utf8))
            let output = URL(fileURLWithPath: out)
            let trainer = GlyphControlTrainer(options: options, train: train, validation: held, output: output, base: base.map { URL(fileURLWithPath: $0) })
            let renderer = try GlyphRenderer()
            trainer.onSamples = { step, rows in
                let folder = output.appendingPathComponent("samples")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                let sheet = ContactSheet(cell: size).render(rows.map {
                    ContactSheet.Row(label: $0.caption, images: [RGBImage(gray: $0.mask), $0.output, $0.reference])
                }, renderer: renderer)
                try PNGCodec.write(sheet, to: folder.appendingPathComponent(String(format: "step-%06d.png", step)).path)
            }
            let summary = try trainer.run()
            print(String(format: "trained steps %d-%d (%.0f s in all, %.2f samples/s this run): train loss %.4f, validation loss %@; model in %@",
                         summary.resumedFrom, summary.steps, summary.seconds, summary.samplesPerSecond, summary.trainLoss,
                         summary.validationLoss.map { String(format: "%.4f", $0) } ?? "n/a", summary.model.path))
        } catch let error as InputError { throw error } catch { throw InputError(error) }
    }

    static func integers(_ text: String, name: String) throws -> [Int] {
        let values = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? -1) >= 0 }) else { throw InputError("\(name) '\(text)': expected comma-separated whole numbers") }
        return values.map { $0! }
    }
}
