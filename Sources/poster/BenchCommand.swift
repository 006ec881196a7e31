import ArgumentParser
import Foundation
import GlyphControl
import GlyphRender
import PosterCore
import TensorCore

/// `poster bench ...`: benchmarks users run themselves.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure GlyphPoster's speed on this machine.", subcommands: [GlyphBench.self, OpsBench.self, UNetBench.self, LMBench.self, GenerateBench.self])
}

/// `poster bench glyph`: masks per second, 512x512 with 4 fitted lines each.
struct GlyphBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "glyph",
        abstract: "Masks per second for 512x512 canvases with four fitted lines each (bench/glyph_pillow.py runs the same job with Pillow).")

    @Option(help: "Seconds to measure for, per thread setting.")
    var seconds: Double = 3

    @Option(help: "Threads to measure with (each its own renderer); 0 measures 1 thread and every core.")
    var threads: Int = 0

    @Flag(help: "Empty the glyph cache before every mask: measures shaping and rasterising every glyph anew.")
    var coldGlyphs = false

    @Flag(help: "Print the result as JSON.")
    var json = false

    @Flag(help: "Print the job (font file, pixel boxes, each mask's texts) as JSON and exit: what a peer benchmark runs.")
    var printJob = false

    func validate() throws {
        guard seconds > 0, seconds <= 600 else { throw ValidationError("--seconds must be in (0, 600]") }
        guard threads >= 0, threads <= 256 else { throw ValidationError("--threads must be in 0...256") }
    }

    func run() throws {
        let manifest: FontManifest
        do { manifest = try FontManifest.standard() } catch { throw InputError(error) }
        if printJob {
            let fontPath = manifest.entry(family: GlyphBenchmark.font).map(manifest.path(of:)) ?? ""
            let layout = GlyphBenchmark.layout(ofMask: 0)
            let boxes = GlyphBenchmark.boxes.map { box in layout.pixelRect(of: box).integral.map(String.init).joined(separator: ",") }
            let masks = (0..<(GlyphBenchmark.phrases.count / 4)).map { index in
                "[" + GlyphBenchmark.texts(ofMask: index).map(LayoutJSONCodec.quoted).joined(separator: ",") + "]"
            }
            print("{\"canvas\":[\(GlyphBenchmark.canvas.width),\(GlyphBenchmark.canvas.height)],\"font\":\(LayoutJSONCodec.quoted(fontPath)),"
                  + "\"boxes\":[\(boxes.map { "[\($0)]" }.joined(separator: ","))],\"masks\":[\(masks.joined(separator: ","))]}")
            return
        }
        let settings = threads == 0 ? Array(Set([1, ProcessInfo.processInfo.activeProcessorCount])).sorted() : [threads]
        var results: [GlyphBenchmark.Result] = []
        for setting in settings {
            do { results.append(try GlyphBenchmark.run(manifest: manifest, seconds: seconds, threads: setting, coldGlyphs: coldGlyphs)) } catch { throw InputError(error) }
        }
        if json {
            let rows = results.map { "{\"threads\":\($0.threads),\"masks\":\($0.masks),\"seconds\":\(String(format: "%.3f", $0.seconds)),\"masks_per_second\":\(String(format: "%.1f", $0.masksPerSecond))}" }
            print("{\"bench\":\"glyph\",\"canvas\":512,\"lines_per_mask\":4,\"results\":[\(rows.joined(separator: ","))]}")
        } else {
            print("glyph masks: 512x512, 4 lines fitted into 448x80 boxes, \(GlyphBenchmark.font)\(coldGlyphs ? ", glyph cache emptied per mask" : "")")
            for r in results {
                print(String(format: "  %d thread%@: %.0f masks/s (%d masks in %.2f s)", r.threads, r.threads == 1 ? "" : "s", r.masksPerSecond, r.masks, r.seconds))
            }
        }
    }
}

/// `poster bench ops`: the tensor engine's speed at UNet-like shapes.
struct OpsBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ops",
        abstract: "Time matmul, conv2d, attention, group norm and a small UNet-shaped block stack (bench/ops_torch.py runs the same rows in PyTorch).")

    @Option(help: "Seconds to spend on each row (at least 3 runs each).")
    var seconds: Double = 1

    @Option(help: "Only the rows whose name contains this text (the sgemm reference row always runs).")
    var only: String?

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        guard seconds > 0, seconds <= 60 else { throw ValidationError("--seconds must be in (0, 60]") }
    }

    func run() throws {
        let rows = OpsBenchmark.run(minimumSeconds: seconds, filter: only)
        let peak = rows.first?.gflops ?? 0
        let coreType = BLASCore.userCoreType
        if json {
            let items = rows.map { "{\"name\":\(LayoutJSONCodec.quoted($0.name)),\"seconds\":\(String(format: "%.6f", $0.seconds)),\"gflops\":\(String(format: "%.2f", $0.gflops))}" }
            print("{\"bench\":\"ops\",\"threads\":\(Parallel.workers),\"openblas_coretype\":\(LayoutJSONCodec.quoted(coreType)),\"openblas_core\":\(LayoutJSONCodec.quoted(BLASCore.name)),\"sgemm_kernel\":\(LayoutJSONCodec.quoted(BLASCore.sgemmKernel)),\"rows\":[\(items.joined(separator: ","))]}")
            return
        }
        // The team's size (GLYPHPOSTER_THREADS sets it), not the machine's core count.
        print("ops on \(Parallel.workers) threads, \(BLASCore.summary)")
        for row in rows {
            let rate = row.flops > 0 ? String(format: "%8.1f GFLOP/s  %5.1f%% of sgemm", row.gflops, 100 * row.gflops / peak) : ""
            print(String(format: "  %-34@ %10.3f ms  %@", row.name as NSString, row.seconds * 1000, rate))
        }
    }
}

/// `poster bench unet`: one guided denoising step (ControlNet + UNet, batch 2).
struct UNetBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unet",
        abstract: "Time one denoising step (ControlNet + UNet, batch 2) for the diffusers test-size and a mid-size config (bench/unet_diffusers.py runs diffusers).")

    @Option(help: "Seconds to spend on each config (at least 3 runs each).")
    var seconds: Double = 2

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        let rows: [UNetBenchmark.Row]
        do { rows = try UNetBenchmark.run(minimumSeconds: seconds) } catch { throw InputError(error) }
        if json {
            let items = rows.map { "{\"name\":\(LayoutJSONCodec.quoted($0.name)),\"seconds\":\(String(format: "%.6f", $0.seconds)),\"peak_mib\":\(String(format: "%.1f", $0.peakMemoryMiB))}" }
            print("{\"bench\":\"unet\",\"threads\":\(ProcessInfo.processInfo.activeProcessorCount),\"rows\":[\(items.joined(separator: ","))]}")
            return
        }
        print("one guided denoising step (ControlNet + UNet, batch 2), \(ProcessInfo.processInfo.activeProcessorCount) threads")
        for row in rows {
            print(String(format: "  %-30@ %9.2f ms   peak %.0f MiB", row.name as NSString, row.seconds * 1000, row.peakMemoryMiB))
        }
    }
}
