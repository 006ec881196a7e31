import ArgumentParser
import Foundation
import OCRData
import PosterCore
import PosterStudio

/// `poster eval ocr`: legibility of generated posters, read back by Tesseract.
struct EvalOCR: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ocr",
        abstract: "Generate each prompt's posters and read them with Tesseract: MARIO-Eval P/R/F/accuracy, line accuracy and NED on box crops, the same on flat renders (the OCR's ceiling), colour adherence.",
        discussion: "Writes OUT/report.json, OUT/contact_sheet.png (mask, poster, flat render) and OUT/images/.")

    @Argument(help: "Prompts file: one prompt per line with its text in quotes; # starts a comment.") var prompts: String
    @Option(help: "Posters per prompt (seeds 0...N-1, or from --first-seed).") var seeds = 4
    @Option(help: "First seed: the posters use seeds F...F+N-1, to add seeds to an earlier run's.") var firstSeed = 0
    @Option(help: "Output folder.") var out = "eval-ocr"
    @Option(help: "Poster side (default: the model's).") var size: Int?
    @Option(help: "Denoising steps (default: the model's).") var steps: Int?
    @Option(help: "Model folder (default models/glyphcontrol).") var model: String?
    @Option(help: "Layout planner folder (default models/layout).") var planner: String?
    @Option(help: "Evaluate only the first N prompts.") var limit: Int?
    @Option(help: "Colour-prior strength, as poster generate's --color-prior (1: start from pure noise).") var colorPrior = PosterRequest.defaultColorPrior
    @Option(help: "Classifier-free guidance scale (default: the model's).") var guidance: Float?
    @Option(help: "ControlNet conditioning scale.") var controlScale: Float = 1
    @Option(help: "ddim, dpm++ or euler (default: the model's scheduler).") var scheduler: SchedulerName?
    @Option(help: "Negative prompt for every poster.") var negative = ""
    @Option(help: "What Tesseract reads: contrast (principal-axis grey, text dark on light) or color (the poster's colours, the protocol before session 20).")
    var ocrInput = OCRInput.contrast
    @Flag(help: "Print the summary as JSON.") var json = false

    func validate() throws {
        guard (1...64).contains(seeds) else { throw ValidationError("--seeds must be in 1...64") }
        guard firstSeed >= 0 else { throw ValidationError("--first-seed must be 0 or more, got \(firstSeed)") }
        if let limit { guard limit > 0 else { throw ValidationError("--limit must be positive") } }
        if let guidance { guard guidance >= 1, guidance <= 50 else { throw ValidationError("--guidance must be in 1...50") } }
        guard controlScale >= 0, controlScale <= 5 else { throw ValidationError("--control-scale must be in 0...5") }
        guard colorPrior > 0, colorPrior <= 1 else { throw ValidationError("--color-prior must be in (0, 1], got \(colorPrior)") }
    }

    func run() throws {
        do {
            var list = try OCREvaluation.prompts(from: URL(fileURLWithPath: prompts))
            if let limit { list = Array(list.prefix(limit)) }
            let generator = try PosterGenerator(model: model.map { URL(fileURLWithPath: $0) }, planner: planner.map { URL(fileURLWithPath: $0) })
            let folder = URL(fileURLWithPath: out)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let progress = ProgressReporter("eval ocr", total: list.count * seeds, unit: "posters")
            var evaluation = OCREvaluation(seeds: seeds, colorPrior: colorPrior)
            evaluation.firstSeed = UInt64(firstSeed)
            evaluation.sampling.steps = steps
            evaluation.sampling.guidance = guidance
            evaluation.sampling.controlScale = controlScale
            evaluation.sampling.scheduler = scheduler?.className
            evaluation.sampling.negativePrompt = negative
            evaluation.ocrInput = ocrInput
            let report = try evaluation.run(prompts: list, generator: generator, size: size ?? generator.defaultSize, out: folder,
                                            progress: progress)
            progress.finish()
            EvalOCRSummary.print(report, out: out, json: json)
        } catch let error as InputError { throw error } catch { throw InputError(error) }
    }
}
