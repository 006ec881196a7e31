import ArgumentParser
import Dispatch
import Foundation
import GlyphRender
import OCRData
import PosterCore

/// `poster data synth`: synthetic MARIO-style posters with exact ground truth.
struct DataSynth: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write N synthetic MARIO-format poster samples (image, caption, ocr.txt, charseg.npy, info.json).")

    @Option(help: "Number of samples.")
    var count: Int

    @Option(help: "Seed: the same seed writes the same samples.")
    var seed: UInt64 = 0

    @Option(help: "Output MARIO tree.")
    var out: String

    @Option(help: "Folder of photographs to use as backgrounds (e.g. /usr/share/backgrounds).")
    var backgrounds: String?

    @Option(help: "Most text lines per poster (1...8).")
    var maxLines: Int = 8

    @Option(help: "Share of plain posters (0...1): flat colour or gradient and text only, no shapes, grain, banners, badge or photograph.")
    var plainShare: Double = 0

    @Option(help: "Image size in pixels (charseg is half of it, as in MARIO).")
    var size: Int = 512

    @Option(help: "Index of the first sample (to extend a set).")
    var start: Int = 0

    @Option(help: "Worker threads (default: every core).")
    var workers: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        guard (1...100_000_000).contains(count) else { throw ValidationError("--count must be in 1...100000000") }
        guard start >= 0, start + count <= 999_999_999 else { throw ValidationError("--start + --count must fit 9-digit ids") }
        guard (1...64).contains(workers) else { throw ValidationError("--workers must be in 1...64") }
    }

    func run() throws {
        let synthesizer: PosterSynthesizer
        let manifest: FontManifest
        do {
            manifest = try FontManifest.standard()
            synthesizer = try PosterSynthesizer(manifest: manifest, seed: seed, backgrounds: backgrounds.map { URL(fileURLWithPath: $0) },
                                            size: size, maxLines: maxLines, plainShare: plainShare)
        } catch { throw InputError(error) }
        let root = URL(fileURLWithPath: out)
        let progress = ProgressReporter("synth", total: count, unit: "samples")
        let failures = LockedMessages()
        let workers = min(self.workers, count), start = self.start, count = self.count
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let renderer = GlyphRenderer(manifest: manifest)
            var i = worker
            while i < count, !failures.any {
                do { try MARIOStore.write(synthesizer.sample(index: start + i, renderer: renderer), to: root) } catch {
                    failures.append("sample \(start + i): \(error)")
                }
                progress.advance()
                i += workers
            }
        }
        progress.finish()
        if let failure = failures.first { throw InputError(failure) }
        print("wrote \(count) samples to \(out)")
    }
}
