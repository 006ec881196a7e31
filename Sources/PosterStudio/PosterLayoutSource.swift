import Foundation
import LayoutLM
import PosterCore

/// The first stage of `PosterGenerator`: a request's layout, given (fitted to
/// the output size) or planned by the layout LLM from the prompt's quoted
/// words, refused when its lines would be too small to draw. Usable without
/// the diffusion model (`poster eval reread` plans layouts only).
public final class PosterLayoutSource {
    let plannerDirectory: URL?
    private var loadedPlanner: LayoutPlanner?

    /// Lines shorter than this many pixels at the output size cannot be drawn legibly.
    public static let minimumLinePixels = 8

    /// `planner` nil: models/layout (loaded only when a prompt needs planning).
    public init(planner: URL? = nil) {
        plannerDirectory = planner
    }

    func planner() throws -> LayoutPlanner {
        if let loadedPlanner { return loadedPlanner }
        guard let directory = plannerDirectory ?? LayoutPlanner.defaultDirectory() else {
            throw StudioError("no layout model: models/layout is missing (or pass --layout)")
        }
        let planner = try LayoutPlanner(directory: directory)
        loadedPlanner = planner
        return planner
    }

    /// The layout for a request: the given one fitted to the output, else the planner's for the prompt's quoted words.
    public func layout(for request: PosterRequest) throws -> Layout {
        let canvas = CanvasSize(width: request.size, height: request.size)
        if let given = request.layout {
            guard given.canvas.width == given.canvas.height else {
                throw StudioError("the layout's canvas is \(given.canvas.width)x\(given.canvas.height), not square: this model makes \(request.size)x\(request.size) posters")
            }
            return try check(given.resized(to: canvas))
        }
        let keywords = PromptKeywords.extract(from: request.prompt)
        guard !keywords.isEmpty else {
            throw StudioError("the prompt quotes no text to draw: put the words in quotes (\"... that says 'Summer Sale'\") or give --layout")
        }
        var options = LayoutDecodingOptions()
        options.canvas = canvas
        // Plan lines large enough to come out legible at this size (and tall enough for check()).
        options.requireLegibility(posterSide: request.size)
        return try check(planner().plan(prompt: request.prompt, options: options))
    }

    /// Refuses layouts whose lines would be too small to draw at the output size.
    func check(_ layout: Layout) throws -> Layout {
        guard !layout.lines.isEmpty else { throw StudioError("the layout has no lines: nothing to draw") }
        for (i, line) in layout.lines.enumerated() {
            let rect = layout.pixelRect(of: line.box)
            let height = rect.maxY - rect.minY
            if height < Double(Self.minimumLinePixels) {
                throw StudioError(String(format: "layout line %d '%@' is %.0f px tall at %dx%d: too small to draw (at least %d px; use a larger --size)",
                                         i + 1, line.text, height, layout.canvas.width, layout.canvas.height, Self.minimumLinePixels))
            }
        }
        return layout
    }
}
