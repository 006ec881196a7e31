import ArgumentParser
import Foundation
import GlyphRender
import LayoutLM
import PosterCore

/// `poster plan`: the layout planner, prompt in, layout out.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Plan a poster's text layout from a prompt with the layout LLM.",
        discussion: """
        Quoted text in the prompt ('Summer Sale' or "Summer Sale") or --keywords "A/B" are the texts to place: the lines spell
        exactly those, each once (split only at spaces), in any order. Decoding is constrained, so the output always parses.
        """)

    @Argument(help: "The prompt, e.g. \"a poster of a beach at sunset that says 'Summer Sale'\".")
    var prompt: String

    @Option(help: "Texts to place, separated by '/' (overrides the prompt's quotes).")
    var keywords: String?

    @Option(help: "0 for greedy decoding; above 0 samples.")
    var temperature: Float = 0

    @Option(help: "Nucleus sampling: keep the smallest set of tokens with this much probability.")
    var topP: Float = 1

    @Option(help: "Seed for sampling.")
    var seed: UInt64 = 0

    @Option(help: "Most lines in the layout.")
    var maxLines: Int = 8

    @Option(help: "Output: tokens, td2 (TextDiffuser-2 planner lines), encoder, or json (as poster layout --json).")
    var format: PlanFormat = .tokens

    @Option(help: "Plan as poster generate does for a poster of this many pixels a side: lines at least 24 px high and 12 px per character.")
    var legibleAt: Int?

    @Option(help: "Write the layout preview PNG here.")
    var preview: String?

    @Option(help: "Model folder (config.json, model.safetensors, tokenizer.json); default models/layout.")
    var model: String?

    enum PlanFormat: String, ExpressibleByArgument, CaseIterable {
        case tokens, td2, encoder, json
        var layoutFormat: LayoutFormat {
            switch self {
            case .tokens: .tokens
            case .td2: .planner
            case .encoder: .encoder
            case .json: .json
            }
        }
    }

    func validate() throws {
        guard temperature >= 0, temperature <= 10 else { throw ValidationError("--temperature must be in 0...10") }
        guard topP > 0, topP <= 1 else { throw ValidationError("--top-p must be in (0, 1]") }
        guard (1...32).contains(maxLines) else { throw ValidationError("--max-lines must be in 1...32") }
        if let legibleAt { guard (32...4096).contains(legibleAt) else { throw ValidationError("--legible-at must be in 32...4096 pixels") } }
    }

    func run() throws {
        do {
            guard let directory = model.map({ URL(fileURLWithPath: $0) }) ?? LayoutPlanner.defaultDirectory() else {
                throw PlannerError("no layout model: models/layout is missing (or pass --model DIR)")
            }
            let planner = try LayoutPlanner(directory: directory)
            let words = keywords.map { PromptKeywords.parseList($0) }
            var options = LayoutDecodingOptions(temperature: temperature, topP: topP, seed: seed, maximumLines: maxLines)
            options.canvas = .standard
            if let legibleAt { options.requireLegibility(posterSide: legibleAt) }
            let layout = try planner.plan(prompt: prompt, keywords: words, options: options)
            print(format.layoutFormat.encode(layout))
            if let preview {
                let renderer = try GlyphRenderer()
                let mask = try renderer.render(layout)
                try PNGCodec.write(LayoutPreview.render(layout, mask: mask, renderer: renderer), to: preview)
            }
        } catch { throw InputError(error) }
    }
}
