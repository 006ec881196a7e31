import Foundation
import GlyphControl
import GlyphRender
import LayoutLM
import PosterCore

/// Prompt to poster, end to end (TextDiffuser-2's two stages): the layout
/// planner writes the text layout (unless one is given), GlyphRender draws its
/// white-on-black glyph mask, and the glyph-conditioned diffusion pipeline
/// paints the poster under that mask.
public final class PosterGenerator {
    public let pipeline: GlyphPosterPipeline
    public let model: GlyphPosterModelConfiguration
    public let modelDirectory: URL
    public let renderer: GlyphRenderer
    /// The first stage: planning or fitting the layout.
    public let layouts: PosterLayoutSource

    /// Lines shorter than this many pixels at the output size cannot be drawn legibly.
    public static let minimumLinePixels = PosterLayoutSource.minimumLinePixels

    /// `model` nil: the shipped models/glyphcontrol; `planner` nil: models/layout (loaded only when a prompt needs planning).
    public init(model: URL? = nil, planner: URL? = nil) throws {
        guard let directory = model ?? Self.defaultModelDirectory() else {
            throw StudioError("no poster model: models/glyphcontrol is missing (or pass --model DIR)")
        }
        guard FileManager.default.fileExists(atPath: directory.path) else { throw StudioError("\(directory.path): no such model folder") }
        modelDirectory = directory
        pipeline = try GlyphPosterPipeline.load(from: directory)
        self.model = try GlyphPosterModelConfiguration.load(pipeline: directory)
        guard pipeline.controlnet != nil else {
            throw StudioError("\(directory.path): this pipeline has no controlnet/, so it cannot follow a glyph mask")
        }
        renderer = try GlyphRenderer()
        layouts = PosterLayoutSource(planner: planner)
    }

    public static func defaultModelDirectory() -> URL? { ShippedModels.directory(named: "glyphcontrol", marker: "model_index.json") }

    /// The model's own output side, the default `--size`.
    public var defaultSize: Int { model.sampleSize ?? 256 }

    /// The layout for a request: the given one fitted to the output, else the planner's for the prompt's quoted words.
    public func layout(for request: PosterRequest) throws -> Layout { try layouts.layout(for: request) }

    /// Denoising steps `generate` runs for a request: fewer than `steps` when the colour prior starts part-way (diffusers' img2img count).
    public func denoisingSteps(for request: PosterRequest) -> Int {
        let steps = request.steps ?? model.steps ?? 20
        guard request.colorPrior < 1, ColorPrior.backdrop(in: request.prompt) != nil else { return steps }
        return min(steps, Int(Double(steps) * request.colorPrior))
    }

    /// One poster. `progress` is called after every denoising step; return false to cancel.
    public func generate(_ request: PosterRequest, layout given: Layout? = nil,
                         progress: ((GenerationProgress) -> Bool)? = nil) throws -> PosterResult {
        var timings = PosterTimings()
        var clock = Date()
        func lap() -> Double { let now = Date(); defer { clock = now }; return now.timeIntervalSince(clock) }
        let layout = try given ?? self.layout(for: request)
        timings.plan = lap()
        let mask = try renderer.render(layout)
        timings.render = lap()
        var configuration = GenerationConfiguration(prompt: request.prompt)
        configuration.negativePrompt = request.negativePrompt
        configuration.glyphMask = mask.image
        if pipeline.controlnet?.configuration.conditioningChannels == GlyphCondition.maskAndColorHintChannels {
            configuration.colorHint = PromptTextColors.colorHint(prompt: request.prompt, mask: mask)
        }
        configuration.width = request.size
        configuration.height = request.size
        configuration.steps = request.steps ?? model.steps ?? 20
        configuration.guidanceScale = request.guidance ?? model.guidanceScale ?? 4
        configuration.conditioningScale = request.controlScale
        configuration.scheduler = request.scheduler
        configuration.seed = request.seed
        if request.colorPrior < 1, let start = ColorPrior.image(prompt: request.prompt, mask: mask) {
            configuration.initImage = start.width == request.size ? start : start.resized(width: request.size, height: request.size)
            configuration.strength = request.colorPrior
        }
        let tensor = try pipeline.generateTensor(configuration, progress: progress)
        timings.denoise = lap()
        let image = GlyphPosterPipeline.rgbImage(tensor)
        timings.decode = lap() + pipeline.lastDecodeSeconds
        timings.denoise -= pipeline.lastDecodeSeconds
        return PosterResult(layout: layout, mask: mask, image: image, seed: request.seed, timings: timings)
    }
}

/// What to make: the prompt and the sampling settings (`poster generate`'s flags).
public struct PosterRequest: Sendable {
    public var prompt: String
    public var negativePrompt = ""
    /// A layout to use instead of planning one.
    public var layout: Layout?
    public var size = 256
    /// nil: the model's defaults (glyphposter.json), else 20 steps and guidance 4.
    public var steps: Int?
    public var guidance: Float?
    public var controlScale: Float = 1
    /// ddim, dpm++, euler (nil: the model's scheduler).
    public var scheduler: String?
    public var seed: UInt64 = 0
    /// img2img strength of the colour prior (`ColorPrior`) when the prompt names a background colour; 1 starts from pure noise.
    public var colorPrior = PosterRequest.defaultColorPrior
    public static let defaultColorPrior = 0.9

    public init(prompt: String) { self.prompt = prompt }
}

/// Seconds per stage, for `poster generate` and `poster bench generate`.
public struct PosterTimings: Sendable {
    public var plan = 0.0, render = 0.0, denoise = 0.0, decode = 0.0
    public init() {}
    public var total: Double { plan + render + denoise + decode }
}

public struct PosterResult: Sendable {
    public var layout: Layout
    public var mask: GlyphMask
    public var image: RGBImage
    public var seed: UInt64
    public var timings: PosterTimings
}
