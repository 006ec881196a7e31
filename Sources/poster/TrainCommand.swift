import ArgumentParser
import Foundation
import LayoutLM

/// `poster train ...`: training the default models.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train", abstract: "Train GlyphPoster's models.", subcommands: [TrainLayout.self, TrainGlyphControl.self])
}

struct TrainLayout: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layout",
        abstract: "Fine-tune the layout planner on `poster data prepare` records (resumes from OUT/checkpoint.safetensors).",
        discussion: "Writes OUT/checkpoint.safetensors (every --checkpoint-every steps, atomically), OUT/train_log.jsonl, and at the end OUT/model/ (config.json, model.safetensors in fp16, tokenizer.json).")

    @Option(help: "Folder of prepared records (shard-*/layout.{train,val}.jsonl).")
    var records: String

    @Option(help: "Output folder (checkpoint, log, final model).")
    var out: String

    @Option(help: "Optimiser steps in all (a resumed run continues to this count).") var steps = 2000
    @Option(help: "Sequences per step.") var batchSize = 16
    @Option(help: "Peak learning rate.") var learningRate: Float = 1e-3
    @Option(help: "Warm-up steps.") var warmupSteps = 100
    @Option(help: "Longest sequence in tokens (longer records are skipped and counted).") var maxLength = 384
    @Option(help: "Steps between validation losses.") var evaluateEvery = 200
    @Option(help: "Steps between checkpoints.") var checkpointEvery = 100
    @Option(help: "Hidden width.") var hiddenSize = 256
    @Option(help: "Decoder layers.") var layers = 4
    @Option(help: "Attention heads.") var heads = 4
    @Option(help: "MLP width.") var intermediateSize = 688
    @Option(help: "Seed for initialisation and shuffling.") var seed: UInt64 = 0

    func validate() throws {
        guard steps > 0, batchSize > 0, learningRate > 0, maxLength >= 16, evaluateEvery > 0, checkpointEvery > 0 else {
            throw ValidationError("steps, batch size, learning rate, evaluate/checkpoint intervals must be positive and max length at least 16")
        }
        guard hiddenSize % heads == 0 else { throw ValidationError("--hidden-size must be a multiple of --heads") }
    }

    func run() throws {
        var options = LayoutTrainingOptions()
        options.steps = steps; options.batchSize = batchSize; options.learningRate = learningRate; options.warmupSteps = warmupSteps
        options.maximumLength = maxLength; options.evaluateEvery = evaluateEvery; options.checkpointEvery = checkpointEvery
        options.hiddenSize = hiddenSize; options.layers = layers; options.heads = heads; options.intermediateSize = intermediateSize
        options.seed = seed
        do {
            let tokenizer = LayoutTokenizer()
            let examples = try LayoutTrainingExamples.load(records: URL(fileURLWithPath: records), tokenizer: tokenizer, maximumLength: maxLength)
            FileHandle.standardError.write(Data("train layout: \(examples.train.count) training and \(examples.validation.count) validation sequences; skipped \(examples.skipped)\n".utf8))
            let trainer = LayoutTrainer(options: options, examples: examples, tokenizer: tokenizer, output: URL(fileURLWithPath: out))
            let summary = try trainer.run()
            print(String(format: "trained steps %d-%d in %.0f s (%.0f tokens/s): train loss %.4f, validation loss %@; model in %@/model",
                         summary.resumedFrom, summary.steps, summary.seconds, summary.tokensPerSecond, summary.trainLoss,
                         summary.validationLoss.map { String(format: "%.4f", $0) } ?? "n/a", out))
        } catch { throw InputError(error) }
    }
}
