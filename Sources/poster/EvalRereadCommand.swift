import ArgumentParser
import Foundation
import GlyphRender
import OCRData
import PosterCore
import PosterStudio

/// `poster eval reread`: an earlier `poster eval ocr` run's posters scored again under the current OCR protocol.
struct EvalReread: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reread",
        abstract: "Read an earlier poster eval ocr run's posters again with the current OCR settings, without generating.",
        discussion: """
        Reads RUN/report.json and RUN/images/, plans each prompt's layout again (greedy planning is deterministic; the \
        lines must match the run's) and writes OUT/report.json with the posters copied to OUT/images/. Use it to compare \
        models evaluated before an OCR protocol change with those after.
        """)

    @Argument(help: "The earlier run's folder (poster eval ocr --out).") var runFolder: String
    @Option(help: "Output folder (not the run's own).") var out = "eval-reread"
    @Option(help: "Layout planner folder (default models/layout): the one the run used.") var planner: String?
    @Option(help: "What Tesseract reads: contrast or color.") var ocrInput = OCRInput.contrast
    @Flag(help: "Print the summary as JSON.") var json = false

    func run() throws {
        do {
            let folder = URL(fileURLWithPath: runFolder)
            let earlier = try OCREvaluation.report(in: folder)
            let layouts = PosterLayoutSource(planner: planner.map { URL(fileURLWithPath: $0) })
            var evaluation = OCREvaluation(seeds: earlier.seedsPerPrompt, colorPrior: earlier.colorPrior)
            evaluation.ocrInput = ocrInput
            let progress = ProgressReporter("eval reread", total: earlier.images.count, unit: "posters")
            let report = try evaluation.reread(earlier, from: folder, layouts: layouts, renderer: try GlyphRenderer(), out: URL(fileURLWithPath: out), progress: progress)
            progress.finish()
            EvalOCRSummary.print(report, out: out, json: json)
        } catch let error as InputError { throw error } catch { throw InputError(error) }
    }
}
