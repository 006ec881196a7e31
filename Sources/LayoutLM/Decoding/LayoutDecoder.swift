import PosterCore

/// How `LayoutDecoder` generates: sampling, limits, the constraint's options.
public struct LayoutDecodingOptions: Sendable, Hashable {
    /// 0 (the default) is greedy decoding.
    public var temperature: Float
    /// Nucleus sampling: the fewest most-likely tokens whose probability reaches this.
    public var topP: Float
    public var topK: Int?
    public var seed: UInt64
    public var maximumLines: Int
    /// The most layout tokens generated (`<eos>` included); the constraint
    /// finishes the layout within it.
    public var maximumNewTokens: Int
    /// Prompts longer than this many UTF-8 bytes are cut (at a character boundary).
    public var maximumPromptBytes: Int?
    public var minimumBoxWidth: Int
    public var minimumBoxHeight: Int
    /// The constraint's legibility rule: grid units of box width per character (0: off).
    public var minimumCharacterWidth: Int
    public var canvas: CanvasSize
    /// When only one token is allowed it is taken without calling the model,
    /// so a call may then see several new tokens since the previous one.
    public var skipForcedTokens: Bool

    public init(temperature: Float = 0, topP: Float = 1, topK: Int? = nil, seed: UInt64 = 0,
                maximumLines: Int = 8, maximumNewTokens: Int = 512, maximumPromptBytes: Int? = nil,
                minimumBoxWidth: Int = 1, minimumBoxHeight: Int = 1, minimumCharacterWidth: Int = 0,
                canvas: CanvasSize = .standard, skipForcedTokens: Bool = true) {
        self.temperature = temperature
        self.topP = topP
        self.topK = topK
        self.seed = seed
        self.maximumLines = maximumLines
        self.maximumNewTokens = maximumNewTokens
        self.maximumPromptBytes = maximumPromptBytes
        self.minimumBoxWidth = minimumBoxWidth
        self.minimumBoxHeight = minimumBoxHeight
        self.minimumCharacterWidth = minimumCharacterWidth
        self.canvas = canvas
        self.skipForcedTokens = skipForcedTokens
    }
}

extension LayoutDecodingOptions {
    /// The smallest line height and width per character worth planning for a
    /// generated poster (models/glyphcontrol/MODEL_CARD.md, "Sampling
    /// defaults"): on the held-out prompts every planned line under 9 px per
    /// character or 12 px high was misread on all seeds, lines from 14 px per
    /// character up mostly read; on the dev prompts, raising the height from 16
    /// to 24 px made the 18 px lines ('Friday', 'Open Daily') read.
    public static let legibleLinePixels = 24
    public static let legibleCharacterPixels = 12

    /// Plans lines at least `linePixels` high and `characterPixels` wide per
    /// character on a `posterSide`-pixel poster (the constraint's legibility rule).
    public mutating func requireLegibility(posterSide: Int, linePixels: Int = legibleLinePixels,
                                           characterPixels: Int = legibleCharacterPixels) {
        func grid(_ pixels: Int) -> Int {
            max(1, min(GridBox.gridSize, Int((Double(pixels * GridBox.gridSize) / Double(max(1, posterSide))).rounded(.up))))
        }
        minimumBoxHeight = max(minimumBoxHeight, grid(linePixels))
        minimumCharacterWidth = grid(characterPixels)
    }
}

/// What one decode produced.
public struct LayoutGeneration: Sendable {
    public var layout: Layout
    /// `<bos> prompt <sep>` as given to the model.
    public var promptTokens: [Int]
    /// The generated layout tokens, `<eos>` included.
    public var layoutTokens: [Int]
}

/// The generic decode loop: `<bos> prompt <sep>`, then layout tokens under a
/// `LayoutConstraint` until `<eos>`. The model is a closure from the tokens so
/// far (prompt prefix and generated tokens) to the next token's logits (at
/// least `LayoutTokenizer.vocabularySize` of them; extra ones are ignored), so
/// a KV-cached model only has to feed the tokens it has not seen yet (with
/// `skipForcedTokens`, the default, that can be more than one: tokens the
/// constraint forces are appended without asking the model).
public enum LayoutDecoder {
    public static func decode(prompt: String, keywords: [String]? = nil,
                              options: LayoutDecodingOptions = LayoutDecodingOptions(),
                              nextLogits: ([Int]) throws -> [Float]) throws -> Layout {
        try generate(prompt: prompt, keywords: keywords, options: options, nextLogits: nextLogits).layout
    }

    public static func generate(prompt: String, keywords: [String]? = nil,
                                options: LayoutDecodingOptions = LayoutDecodingOptions(),
                                nextLogits: ([Int]) throws -> [Float]) throws -> LayoutGeneration {
        let tokenizer = LayoutTokenizer()
        var constraint = try LayoutConstraint(keywords: keywords, maximumLines: options.maximumLines,
                                              minimumBoxWidth: options.minimumBoxWidth,
                                              minimumBoxHeight: options.minimumBoxHeight,
                                              minimumCharacterWidth: options.minimumCharacterWidth)
        let needed = constraint.minimumTokensToComplete
        guard options.maximumNewTokens >= needed else {
            throw LayoutConstraintError("the keywords need at least \(needed) layout tokens but maximumNewTokens is \(options.maximumNewTokens)")
        }
        var sampler = LayoutSampler(temperature: options.temperature, topP: options.topP,
                                    topK: options.topK, seed: options.seed)
        let prefix = tokenizer.promptPrefix(prompt, maximumPromptBytes: options.maximumPromptBytes)
        var sequence = prefix
        while !constraint.isComplete {
            let remaining = options.maximumNewTokens - constraint.tokens.count
            let allowed = constraint.allowedTokens(remainingTokens: remaining)
            guard !allowed.isEmpty else {
                // Unreachable: the constraint only allows tokens that keep the layout finishable.
                throw LayoutConstraintError("decoding reached a state with no allowed token after \(constraint.tokens.count) tokens", position: constraint.tokens.count)
            }
            let token: Int
            if allowed.count == 1 && options.skipForcedTokens {
                token = allowed[0]   // forced (e.g. a keyword's next byte): the model is not asked
            } else {
                let logits = try nextLogits(sequence)
                guard logits.count >= tokenizer.count else {
                    throw LayoutConstraintError("the model returned \(logits.count) logits: expected at least the vocabulary's \(tokenizer.count)")
                }
                token = sampler.sample(logits: logits, allowed: allowed)
            }
            try constraint.advance(token)
            sequence.append(token)
        }
        let layoutTokens = Array(sequence[prefix.count...])
        let layout = try tokenizer.decodeLayout(layoutTokens, canvas: options.canvas)
        return LayoutGeneration(layout: layout, promptTokens: prefix, layoutTokens: layoutTokens)
    }
}
