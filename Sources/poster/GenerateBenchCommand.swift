import ArgumentParser
import Foundation
import PosterStudio
import TensorCore

/// `poster bench generate`: where the time of one poster goes.
struct GenerateBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Time prompt-to-poster with the default models: planner, mask render, denoise, decode (median of --runs).")

    @Option(help: "Prompt to time.") var prompt = "a dark blue poster with yellow circles and white bold text 'Open Late'"
    @Option(help: "Poster side (default: the model's).") var size: Int?
    @Option(help: "Denoising steps.") var steps = 20
    @Option(help: "Runs (the median is reported).") var runs = 3
    @Option(help: "Model folder (default models/glyphcontrol).") var model: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        do {
            let generator = try PosterGenerator(model: model.map { URL(fileURLWithPath: $0) })
            var request = PosterRequest(prompt: prompt)
            request.size = size ?? generator.defaultSize
            request.steps = steps
            // Every one of the --steps denoising steps, as the peer script runs them (the colour prior would skip the first ones).
            request.colorPrior = 1
            var all: [PosterTimings] = []
            for run in 0...max(1, runs) {
                request.seed = UInt64(run)
                var t = PosterTimings()
                let start = Date()
                let layout = try generator.layout(for: request)
                t.plan = Date().timeIntervalSince(start)
                var result = try generator.generate(request, layout: layout)
                result.timings.plan = t.plan
                if run > 0 { all.append(result.timings) }  // the first run warms caches
            }
            func median(_ f: (PosterTimings) -> Double) -> Double { all.map(f).sorted()[all.count / 2] }
            let (plan, render, denoise, decode, total) = (median(\.plan), median(\.render), median(\.denoise), median(\.decode), median(\.total))
            let threads = ProcessInfo.processInfo.activeProcessorCount
            if json {
                print(String(format: "{\"bench\":\"generate\",\"size\":%d,\"steps\":%d,\"threads\":%d,\"plan\":%.4f,\"render\":%.4f,\"denoise\":%.4f,\"decode\":%.4f,\"total\":%.4f}",
                             request.size, steps, threads, plan, render, denoise, decode, total))
            } else {
                print("prompt to poster, \(request.size)x\(request.size), \(steps) steps, guidance on, \(threads) threads, \(BLASCore.summary) (median of \(all.count))")
                print(String(format: "  plan %.3f s   render %.4f s   denoise %.2f s   decode %.4f s   total %.2f s", plan, render, denoise, decode, total))
            }
        } catch { throw InputError(error) }
    }
}
