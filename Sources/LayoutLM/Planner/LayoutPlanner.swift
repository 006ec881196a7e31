import Foundation
import PosterCore
import TensorCore

/// The layout planner: a trained LlamaForCausalLM and its tokenizer (a folder
/// with config.json, model.safetensors and tokenizer.json, as `poster train
/// layout` writes and `models/layout/` ships), decoding under
/// `LayoutConstraint` so the output always parses and spells the keywords.
public final class LayoutPlanner {
    public let model: LlamaForCausalLM
    public let tokenizer: LayoutTokenizer
    public let directory: URL

    public init(directory: URL) throws {
        self.directory = directory
        model = try LlamaForCausalLM.load(from: directory)
        tokenizer = try LayoutTokenizer.load(from: directory.appendingPathComponent(LayoutTokenizer.fileName))
        guard model.configuration.vocabSize >= tokenizer.count else {
            throw PlannerError("\(directory.path): the model's vocabulary (\(model.configuration.vocabSize)) is smaller than the tokenizer's (\(tokenizer.count))")
        }
        model.setTrainable(false)
    }

    /// The shipped default model: `$GLYPHPOSTER_MODELS/layout`, else `models/layout`
    /// in the working directory, beside the executable, or in the source tree.
    public static func defaultDirectory() -> URL? {
        ShippedModels.directory(named: "layout", marker: "config.json")
    }

    /// Plans a layout for `prompt`; `keywords` nil takes the prompt's quoted texts (none: free text).
    public func plan(prompt: String, keywords: [String]? = nil, options: LayoutDecodingOptions = LayoutDecodingOptions()) throws -> Layout {
        try generate(prompt: prompt, keywords: keywords, options: options).layout
    }

    public func generate(prompt: String, keywords: [String]? = nil, options: LayoutDecodingOptions = LayoutDecodingOptions()) throws -> LayoutGeneration {
        guard !prompt.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw PlannerError("empty prompt: describe the poster") }
        var promptTokens = tokenizer.promptPrefix(prompt, maximumPromptBytes: options.maximumPromptBytes).count
        let context = model.configuration.maxPositionEmbeddings
        guard promptTokens < context - 16 else {
            throw PlannerError("prompt is \(promptTokens) tokens; the planner's context is \(context) (leave room for the layout): shorten it")
        }
        // Keywords come from the whole prompt; when the prompt leaves too little room for
        // them (boxes, bytes, end) plus a margin, its tail is cut so the layout fits.
        let words = keywords ?? PromptKeywords.extract(from: prompt)
        var budget = options
        let layoutRoom = words.reduce(1) { $0 + $1.utf8.count + 4 } + 16
        if promptTokens + layoutRoom > context {
            let bytes = context - layoutRoom - 2
            guard bytes >= 16 else {
                throw PlannerError("the keywords need \(layoutRoom) layout tokens, too many for the planner's context of \(context)")
            }
            budget.maximumPromptBytes = min(bytes, options.maximumPromptBytes ?? bytes)
            promptTokens = tokenizer.promptPrefix(prompt, maximumPromptBytes: budget.maximumPromptBytes).count
        }
        budget.maximumNewTokens = min(options.maximumNewTokens, context - promptTokens)
        let cache = model.makeCache()
        var fed = 0
        // The decoder may take forced tokens without asking; feed everything the cache has not seen.
        return try LayoutDecoder.generate(prompt: prompt, keywords: words.isEmpty ? nil : words, options: budget) { tokens in
            let fresh = Array(tokens[fed...])
            fed = tokens.count
            let logits = withoutGradients { self.model.forward(ids: [fresh], cache: cache) }
            let vocabulary = logits.shape[2]
            return Array(logits.scalars[((fresh.count - 1) * vocabulary)...])
        }
    }
}

/// A planning request that cannot be carried out, and why.
public struct PlannerError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
