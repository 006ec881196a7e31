import ArgumentParser
import Foundation
import GlyphRender
import OCRData
import PosterCore

/// `poster data`: the MARIO-style dataset tool.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Make, annotate, prepare and inspect MARIO-format datasets.",
        subcommands: [DataSynth.self, DataAnnotate.self, DataPrepare.self, DataStats.self])
}

struct DataAnnotate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "annotate",
        abstract: "Run Tesseract over a folder of images and write MARIO-format samples (512x512, ocr.txt, charseg.npy).",
        discussion: "Captions come from a sidecar NAME.txt beside each image or from --captions (FILENAME<TAB>CAPTION per line); images without one are skipped and counted in report.json.")

    @Argument(help: "Folder of JPEG/PNG images (searched recursively).")
    var images: String

    @Option(help: "Output MARIO tree.")
    var out: String

    @Option(help: "Captions file: FILENAME<TAB>CAPTION per line.")
    var captions: String?

    @Option(name: .customLong("min-conf"), help: "Minimum word confidence (0...1).")
    var minConf: Double = 0.6

    @Flag(help: "Stop at the first bad image instead of skipping and counting it.")
    var strict = false

    func validate() throws {
        guard (0...1).contains(minConf) else { throw ValidationError("--min-conf must be in 0...1, got \(minConf)") }
    }

    func run() throws {
        var source = CaptionSource()
        if let captions {
            do { source = try CaptionSource(file: URL(fileURLWithPath: captions)) } catch { throw InputError(error) }
        }
        let annotator = TesseractAnnotator(minimumConfidence: minConf, captions: source, strict: strict)
        do {
            let report = try annotator.run(input: URL(fileURLWithPath: images), output: URL(fileURLWithPath: out))
            print("annotated \(report["samples.written"]) of \(report["images.seen"]) images into \(out) (report.json has the counts)")
        } catch { throw InputError(error) }
    }
}

struct DataPrepare: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare",
        abstract: "Turn a MARIO-format tree into sharded training records for the layout LLM and the glyph ControlNet.",
        discussion: """
        Writes OUT/shard-IIIII-of-NNNNN/{layout,glyph}.{train,val}.jsonl, images/, masks/ and report.json,
        plus OUT/manifest.json and OUT/report.json. Finished shards are not redone; --shard I runs one
        slice (for a Slurm array or a Kubernetes Indexed Job). Bad input is skipped and counted unless --strict.
        """)

    @Argument(help: "MARIO-format tree (NNNNN/ID/ folders).")
    var input: String

    @Option(help: "Output folder.")
    var out: String

    @Option(help: "Process only this shard (0-based).")
    var shard: Int?

    @Option(help: "Number of shards (default: one per 1,000 samples, at least 1).")
    var numShards: Int?

    @Option(name: .customLong("min-conf"), help: "Minimum word OCR confidence.")
    var minConf: Double = 0.5

    @Option(help: "Largest number of lines a sample may have.")
    var maxLines: Int = 8

    @Option(help: "Smallest fraction of the image the line boxes must cover.")
    var minTextArea: Double = 0.002

    @Option(help: "Smallest original image side in pixels.")
    var minImageSide: Int = 256

    @Option(help: "Percent of samples in the validation split.")
    var valPercent: Int = 5

    @Flag(help: "Keep samples whose line texts do not all appear in their caption.")
    var noKeywordFilter = false

    @Flag(help: "Stop at the first bad input instead of skipping and counting it.")
    var strict = false

    @Option(help: "Worker threads (default: every core).")
    var workers: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        if let numShards, numShards < 1 || numShards > 100_000 { throw ValidationError("--num-shards must be in 1...100000") }
        if let shard {
            guard let numShards else { throw ValidationError("--shard needs --num-shards, so every job agrees on the slicing") }
            guard (0..<numShards).contains(shard) else { throw ValidationError("--shard must be in 0...\(numShards - 1)") }
        }
        guard (0...1).contains(minConf) else { throw ValidationError("--min-conf must be in 0...1") }
        guard (1...64).contains(maxLines) else { throw ValidationError("--max-lines must be in 1...64") }
        guard (0...100).contains(valPercent) else { throw ValidationError("--val-percent must be in 0...100") }
        guard (1...64).contains(workers) else { throw ValidationError("--workers must be in 1...64") }
    }

    func run() throws {
        var options = PrepareOptions()
        options.minimumConfidence = minConf
        options.maximumLines = maxLines
        options.minimumTextArea = minTextArea
        options.minimumImageSide = minImageSide
        options.validationPercent = valPercent
        options.requireKeywordsInCaption = !noKeywordFilter
        options.strict = strict
        do {
            let input = URL(fileURLWithPath: self.input)
            let shards = try numShards ?? max(1, (MARIOStore.entries(in: input).count + 999) / 1000)
            let preparer = DatasetPreparer(options: options, manifest: try FontManifest.standard(), workers: workers)
            let start = Date()
            let report = try preparer.run(input: input, output: URL(fileURLWithPath: out), numShards: shards, only: shard)
            let seconds = Date().timeIntervalSince(start)
            let kept = report["samples.kept.train"] + report["samples.kept.val"]
            print("prepared \(report["samples.seen"]) samples in \(report["shards.done"]) of \(shards) shards: kept \(kept) "
                  + "(train \(report["samples.kept.train"]), val \(report["samples.kept.val"])); report in \(out)/report.json")
            if report["shards.skipped_already_done"] > 0 { print("skipped \(report["shards.skipped_already_done"]) shards already done") }
            print(String(format: "%.2f s this run", seconds))
        } catch { throw InputError(error) }
    }
}

struct DataStats: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "Counts, lines per image, characters, box histograms and top words of a MARIO-format tree.")

    @Argument(help: "MARIO-format tree.")
    var dir: String

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        do {
            let stats = try DatasetStats.collect(URL(fileURLWithPath: dir))
            print(json ? stats.json : stats.text, terminator: json ? "\n" : "")
        } catch { throw InputError(error) }
    }
}

/// Messages gathered from worker threads.
final class LockedMessages: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []
    func append(_ message: String) { lock.lock(); messages.append(message); lock.unlock() }
    var any: Bool { lock.lock(); defer { lock.unlock() }; return !messages.isEmpty }
    var first: String? { lock.lock(); defer { lock.unlock() }; return messages.first }
}
