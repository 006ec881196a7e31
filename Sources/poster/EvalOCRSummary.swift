import ArgumentParser
import Foundation
import OCRData
import PosterStudio

extension OCRInput: ExpressibleByArgument {}

/// The summary `poster eval ocr` and `poster eval reread` print: a table, or one JSON object.
enum EvalOCRSummary {
    static func print(_ report: OCREvaluation.Report, out: String, json: Bool) {
        if json {
            let numbers: [String: Any] = [
                "mario_accuracy": report.mario.accuracy, "mario_precision": report.mario.precision, "mario_recall": report.mario.recall,
                "mario_f": report.mario.f, "line_accuracy": report.lineAccuracy, "line_ned": report.lineNED,
                "flat_mario_accuracy": report.flatMario.accuracy, "flat_line_accuracy": report.flatLineAccuracy,
                "color_adherence": report.colorAdherence, "images": report.mario.images,
                "ocr_input": (report.ocrInput ?? .color).rawValue,
            ]
            Swift.print(String(decoding: (try? JSONSerialization.data(withJSONObject: numbers, options: [.sortedKeys])) ?? Data(), as: UTF8.self))
            return
        }
        func f(_ x: Double) -> String { String(format: "%.3f", x) }
        Swift.print("OCR evaluation of \(report.model): \(report.prompts) prompts x \(report.seedsPerPrompt) seeds (\(report.mario.images) posters), OCR input \((report.ocrInput ?? .color).rawValue)")
        Swift.print("                        generated   flat render (OCR ceiling)")
        Swift.print("  MARIO-Eval accuracy   \(f(report.mario.accuracy))       \(f(report.flatMario.accuracy))")
        Swift.print("  MARIO-Eval P / R      \(f(report.mario.precision)) / \(f(report.mario.recall))   \(f(report.flatMario.precision)) / \(f(report.flatMario.recall))")
        Swift.print("  MARIO-Eval F          \(f(report.mario.f))       \(f(report.flatMario.f))")
        Swift.print("  line accuracy (boxes) \(f(report.lineAccuracy))       \(f(report.flatLineAccuracy))")
        Swift.print("  line NED (boxes)      \(f(report.lineNED))       \(f(report.flatLineNED))")
        Swift.print("  colour adherence      \(f(report.colorAdherence)) of \(report.colorChecks) named colours")
        Swift.print(String(format: "  %.2f s per poster; report in %@/report.json", report.secondsPerImage, out))
        if !report.failures.isEmpty { Swift.print("  \(report.failures.count) prompts failed: \(report.failures.prefix(3).joined(separator: "; "))") }
    }
}
