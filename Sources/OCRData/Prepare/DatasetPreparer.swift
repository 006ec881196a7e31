import Dispatch
import Foundation
import GlyphRender
import PosterCore

/// `poster data prepare`: a MARIO-format tree to sharded training records.
///
/// Samples go to shard `hash(id) mod N` (FNV-1a of the id, stable across
/// machines), so `--shard I --num-shards N` processes one slice on its own and
/// N jobs (a Slurm array, a Kubernetes Indexed Job) cover every sample exactly
/// once. A shard is written into a hidden temporary folder and renamed into
/// place when complete, so a finished shard is never redone and a killed run
/// loses only the shard in progress. The split is by a second hash of the id.
public struct DatasetPreparer {
    public var options: PrepareOptions
    public var manifest: FontManifest
    public var workers: Int

    public init(options: PrepareOptions, manifest: FontManifest, workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.options = options
        self.manifest = manifest
        self.workers = max(1, workers)
    }

    public struct Failure: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public static func shard(of id: String, count: Int) -> Int {
        Int(SeededRandom.stableHash("shard:" + id) % UInt64(count))
    }

    public static func isValidation(_ id: String, percent: Int) -> Bool {
        Int(SeededRandom.stableHash("split:" + id) % 100) < percent
    }

    public static func shardName(_ index: Int, of count: Int) -> String {
        func pad(_ n: Int) -> String { let s = String(n); return String(repeating: "0", count: max(0, 5 - s.count)) + s }
        return "shard-\(pad(index))-of-\(pad(count))"
    }

    /// Prepares the shards `only` (all when nil) of `input` into `output`;
    /// returns the report over every finished shard in `output`.
    public func run(input: URL, output: URL, numShards: Int, only: Int? = nil, quiet: Bool = false) throws(Failure) -> PrepareReport {
        guard numShards >= 1 else { throw Failure(message: "the number of shards must be at least 1, got \(numShards)") }
        if let only, !(0..<numShards).contains(only) {
            throw Failure(message: "shard \(only) is out of range: with \(numShards) shards it must be in 0...\(numShards - 1)")
        }
        let entries: [MARIOStore.Entry]
        do { entries = try MARIOStore.entries(in: input) } catch { throw Failure(message: error.message) }
        let fm = FileManager.default
        do { try fm.createDirectory(at: output, withIntermediateDirectories: true) } catch {
            throw Failure(message: "cannot create \(output.path): \(error.localizedDescription)")
        }
        try writeManifest(output: output, numShards: numShards, samples: entries.count)
        var byShard = [[MARIOStore.Entry]](repeating: [], count: numShards)
        for entry in entries { byShard[Self.shard(of: entry.id, count: numShards)].append(entry) }
        let shards = only.map { [$0] } ?? Array(0..<numShards)
        let pending = shards.filter { !fm.fileExists(atPath: output.appendingPathComponent(Self.shardName($0, of: numShards)).path) }
        let progress = ProgressReporter("prepare", total: pending.reduce(0) { $0 + byShard[$1].count }, unit: "samples", quiet: quiet)
        for shard in pending {
            try prepareShard(shard, of: numShards, entries: byShard[shard], output: output, progress: progress)
        }
        progress.finish()
        // The whole-dataset report sums every finished shard's report.
        var total = PrepareReport()
        total.count("shards.skipped_already_done", by: shards.count - pending.count)
        for shard in 0..<numShards {
            let url = output.appendingPathComponent(Self.shardName(shard, of: numShards)).appendingPathComponent("report.json")
            if let data = fm.contents(atPath: url.path), let report = PrepareReport.parse(data) {
                total.merge(report)
                total.count("shards.done")
            }
        }
        let path = output.appendingPathComponent("report.json")
        // POSIX rename replaces atomically. (Not FileManager.replaceItemAt: on Linux it
        // moves the old file onto the new one's path and fails, so the old report stayed.)
        guard fm.createFile(atPath: path.path + ".tmp", contents: Data(total.json().utf8)),
              rename(path.path + ".tmp", path.path) == 0 else {
            throw Failure(message: "cannot write \(path.path)")
        }
        return total
    }

    private func prepareShard(_ shard: Int, of count: Int, entries: [MARIOStore.Entry], output: URL, progress: ProgressReporter) throws(Failure) {
        let fm = FileManager.default
        let name = Self.shardName(shard, of: count)
        let temporary = output.appendingPathComponent(".\(name).tmp-\(getpid())")
        do {
            if fm.fileExists(atPath: temporary.path) { try fm.removeItem(at: temporary) }
            try fm.createDirectory(at: temporary.appendingPathComponent("images"), withIntermediateDirectories: true)
            try fm.createDirectory(at: temporary.appendingPathComponent("masks"), withIntermediateDirectories: true)
        } catch {
            throw Failure(message: "cannot create \(temporary.path): \(error.localizedDescription)")
        }
        // Samples in parallel, one renderer per worker; results kept in input order.
        let outcomes = UnsafeMutableBufferPointer<SamplePreparer.Outcome?>.allocate(capacity: entries.count)
        outcomes.initialize(repeating: nil)
        defer { outcomes.deinitialize(); outcomes.deallocate() }
        nonisolated(unsafe) let shared = outcomes
        let preparer = SamplePreparer(options: options)
        let manifest = self.manifest, workers = min(self.workers, max(1, entries.count)), strict = options.strict
        let writeErrors = LockedList()
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let renderer = GlyphRenderer(manifest: manifest)
            var index = worker
            while index < entries.count {
                if strict && writeErrors.hasFatal { break }
                var outcome = preparer.prepare(entries[index], renderer: renderer)
                if let record = outcome.record {
                    let image = temporary.appendingPathComponent("images/\(record.id).jpg").path
                    let mask = temporary.appendingPathComponent("masks/\(record.id).png").path
                    do {
                        if let bytes = outcome.imageBytes {
                            guard fm.createFile(atPath: image, contents: Data(bytes)) else { throw ImageIOError(path: image, message: "cannot write file") }
                        } else if let rgb = outcome.image {
                            try JPEGCodec.write(rgb, to: image)
                        }
                        if let maskImage = outcome.mask { try PNGCodec.write(maskImage, to: mask) }
                    } catch {
                        writeErrors.append("cannot write a record of \(record.id): \(error)", fatal: true)
                        outcome.record = nil
                    }
                    outcome.image = nil; outcome.imageBytes = nil; outcome.mask = nil
                }
                if outcome.fatal != nil { writeErrors.append(outcome.fatal!, fatal: true) }
                shared[index] = outcome
                progress.advance()
                index += workers
            }
        }
        if let fatal = writeErrors.firstFatal {
            try? fm.removeItem(at: temporary)
            throw Failure(message: fatal)
        }
        var report = PrepareReport()
        var files: [String: String] = ["layout.train.jsonl": "", "layout.val.jsonl": "", "glyph.train.jsonl": "", "glyph.val.jsonl": ""]
        for outcome in outcomes {
            guard let outcome else { continue }
            report.count("samples.seen")
            report.merge(outcome.report)
            guard let record = outcome.record else { continue }
            let split = Self.isValidation(record.id, percent: options.validationPercent) ? "val" : "train"
            report.count("samples.kept.\(split)")
            report.count("lines.kept", by: record.layout.lines.count)
            files["layout.\(split).jsonl"]! += record.layoutLine + "\n"
            files["glyph.\(split).jsonl"]! += record.glyphLine + "\n"
        }
        files["report.json"] = report.json()
        for (file, text) in files {
            guard fm.createFile(atPath: temporary.appendingPathComponent(file).path, contents: Data(text.utf8)) else {
                throw Failure(message: "cannot write \(temporary.appendingPathComponent(file).path)")
            }
        }
        do { try fm.moveItem(at: temporary, to: output.appendingPathComponent(name)) } catch {
            throw Failure(message: "cannot move \(temporary.path) into place: \(error.localizedDescription)")
        }
    }

    private func writeManifest(output: URL, numShards: Int, samples: Int) throws(Failure) {
        let path = output.appendingPathComponent("manifest.json")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        struct Manifest: Encodable {
            var format = "glyphposter-prepare/1"
            var num_shards: Int
            var input_samples: Int
            var options: PrepareOptions
        }
        guard let data = try? encoder.encode(Manifest(num_shards: numShards, input_samples: samples, options: options)) else {
            throw Failure(message: "cannot encode the manifest")
        }
        if let existing = FileManager.default.contents(atPath: path.path),
           let object = try? JSONSerialization.jsonObject(with: existing) as? [String: Any],
           let shards = object["num_shards"] as? Int, shards != numShards {
            throw Failure(message: "\(output.path) was prepared with --num-shards \(shards); rerun with the same count or a new --out")
        }
        guard FileManager.default.createFile(atPath: path.path, contents: data) else { throw Failure(message: "cannot write \(path.path)") }
    }
}

/// Errors gathered from worker threads.
final class LockedList: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [(String, Bool)] = []

    func append(_ message: String, fatal: Bool) { lock.lock(); items.append((message, fatal)); lock.unlock() }
    var hasFatal: Bool { lock.lock(); defer { lock.unlock() }; return items.contains { $0.1 } }
    var firstFatal: String? { lock.lock(); defer { lock.unlock() }; return items.first { $0.1 }?.0 }
}
