import ArgumentParser
import Foundation
import GlyphControl
import GlyphRender
import PosterCore
import PosterStudio

/// `poster generate`: prompt to poster (planner -> glyph mask -> diffusion).
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Make a poster from a prompt: plan the text layout, render its glyph mask, paint the poster under it.",
        discussion: """
        The text to draw is what the prompt quotes ('Summer Sale'), unless --layout gives the layout (tokens, TextDiffuser-2 \
        lines, encoder string or JSON; a file or the text itself). Default models: models/glyphcontrol and models/layout.
        """)

    @Argument(help: "The prompt, e.g. \"a dark blue poster with yellow circles and white bold text 'Open Late'\".")
    var prompt: String

    @Option(help: "Output PNG (with --count N: name-1.png ... name-N.png).") var out = "poster.png"
    @Option(help: "Layout to use instead of planning one: a file or layout text.") var layout: String?
    @Option(help: "Poster side in pixels (default: the model's).") var size: Int?
    @Option(help: "Denoising steps (default: the model's, else 20).") var steps: Int?
    @Option(help: "Classifier-free guidance scale (default: the model's, else 4).") var guidance: Float?
    @Option(help: "ControlNet conditioning scale.") var controlScale: Float = 1
    @Option(help: "ddim, dpm++ or euler (default: the model's scheduler).") var scheduler: SchedulerName?
    @Option(help: "Seed: the same seed makes the same poster.") var seed: UInt64 = 0
    @Option(help: "Colour prior: when the prompt names a background colour, start from it (with the text in its colours) noised to this img2img strength; 1 starts from pure noise.") var colorPrior = PosterRequest.defaultColorPrior
    @Option(help: "Posters to make, seeds seed, seed+1, ...") var count = 1
    @Option(help: "Negative prompt.") var negative = ""
    @Option(help: "A diffusers ControlNet pipeline folder (default models/glyphcontrol).") var model: String?
    @Option(help: "Layout planner folder (default models/layout).") var planner: String?
    @Option(help: "Write the layout as JSON here.") var saveLayout: String?
    @Option(help: "Write the glyph mask PNG here.") var saveMask: String?
    @Option(help: "Write the layout preview PNG here.") var preview: String?

    func validate() throws {
        guard (1...1000).contains(count) else { throw ValidationError("--count must be in 1...1000") }
        if let steps { guard (1...1000).contains(steps) else { throw ValidationError("--steps must be in 1...1000") } }
        if let size { guard (32...2048).contains(size) else { throw ValidationError("--size must be in 32...2048") } }
        if let guidance { guard guidance >= 1, guidance <= 50 else { throw ValidationError("--guidance must be in 1...50") } }
        guard controlScale >= 0, controlScale <= 5 else { throw ValidationError("--control-scale must be in 0...5") }
        guard colorPrior > 0, colorPrior <= 1 else { throw ValidationError("--color-prior must be in (0, 1], got \(colorPrior)") }
        guard !prompt.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("the prompt is empty") }
    }

    func run() throws {
        let outputs = count == 1 ? [out] : (1...count).map { Self.numbered(out, $0) }
        for path in outputs + [saveLayout, saveMask, preview].compactMap({ $0 }) { try Self.checkWritable(path) }
        var given: Layout? = nil
        if let layout {
            let text = try InputText.read(layout)
            do { given = try Layout.parse(text) } catch { throw InputError("--layout: \(error)") }
        }
        let generator: PosterGenerator
        do {
            generator = try PosterGenerator(model: model.map { URL(fileURLWithPath: $0) }, planner: planner.map { URL(fileURLWithPath: $0) })
        } catch { throw InputError(error) }
        var request = PosterRequest(prompt: prompt)
        request.layout = given
        request.size = size ?? generator.defaultSize
        request.steps = steps
        request.guidance = guidance
        request.controlScale = controlScale
        request.scheduler = scheduler?.className
        request.negativePrompt = negative
        request.colorPrior = colorPrior
        let planned: Layout
        let planStart = Date()
        do { planned = try generator.layout(for: request) } catch { throw InputError(error) }
        let planSeconds = Date().timeIntervalSince(planStart)
        print("layout: \(LayoutTokenCodec.encode(planned))")
        for (i, path) in outputs.enumerated() {
            request.seed = seed &+ UInt64(i)
            let bar = ProgressReporter("generate \(i + 1)/\(outputs.count)", total: generator.denoisingSteps(for: request), unit: "steps")
            var result: PosterResult
            do {
                result = try generator.generate(request, layout: planned) { _ in bar.advance(); return true }
            } catch { throw InputError(error) }
            bar.finish()
            result.timings.plan = i == 0 ? planSeconds : 0
            do { try PNGCodec.write(result.image, to: path) } catch { throw InputError(error) }
            if i == 0 {
                do {
                    if let saveLayout { try InputText.write(LayoutJSONCodec.encode(planned), to: saveLayout) }
                    if let saveMask { try PNGCodec.write(result.mask.image, to: saveMask) }
                    if let preview { try PNGCodec.write(LayoutPreview.render(planned, mask: result.mask, renderer: generator.renderer), to: preview) }
                } catch let error as InputError { throw error } catch { throw InputError(error) }
            }
            let t = result.timings
            print(String(format: "%@: seed %llu, %dx%d; plan %.2f s, render %.3f s, denoise %.2f s, decode %.3f s, total %.2f s",
                         path, request.seed, request.size, request.size, t.plan, t.render, t.denoise, t.decode, t.total))
        }
    }

    /// poster.png, 3 -> poster-3.png.
    static func numbered(_ path: String, _ n: Int) -> String {
        let url = URL(fileURLWithPath: path)
        let ext = url.pathExtension.isEmpty ? "png" : url.pathExtension
        return url.deletingPathExtension().path + "-\(n)." + ext
    }

    /// Refuses an output whose folder is missing or not writable, before any work.
    static func checkWritable(_ path: String) throws {
        guard path != "-" else { return }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw InputError("cannot write \(path): folder \(folder) does not exist")
        }
        guard FileManager.default.isWritableFile(atPath: folder) else { throw InputError("cannot write \(path): folder \(folder) is not writable") }
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue { throw InputError("cannot write \(path): it is a folder") }
    }
}
