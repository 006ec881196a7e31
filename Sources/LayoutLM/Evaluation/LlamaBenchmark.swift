import Foundation
import TensorCore

/// Planner speed, as `poster bench lm` reports it and bench/lm_transformers.py
/// compares with transformers: batch 1, no gradients.
///
/// - Prompt: one `forward(ids:cache:)` over `promptLength` tokens into an empty
///   KV cache (the prefill), median of the repeats; tokens/s = promptLength / time.
/// - Decode: after that prefill (untimed), greedy unconstrained decoding of
///   `newTokens` tokens with the cache: the first comes from the prefill's
///   logits, each later one from a one-token forward. Decode tokens/s is
///   (newTokens - 1) / the time from the first new token to the last (the
///   steady-state rate, what transformers' streamer timestamps give); the
///   whole generate (prefill included) is reported too. Median of the repeats.
public enum LlamaBenchmark {
    public struct Result: Sendable, Codable {
        public var name: String
        public var layers: Int
        public var hiddenSize: Int
        public var heads: Int
        public var intermediateSize: Int
        public var vocabSize: Int
        public var parameters: Int
        public var threads: Int
        public var promptTokens: Int
        public var promptSeconds: Double
        public var promptTokensPerSecond: Double
        public var newTokens: Int
        /// From the first new token to the last: newTokens - 1 forwards.
        public var decodeSeconds: Double
        public var decodeTokensPerSecond: Double
        /// Prefill plus every decode step: newTokens new tokens.
        public var generateSeconds: Double
        public var generateTokensPerSecond: Double
        /// The greedy tokens of the last run (to check a peer runs the same model).
        public var generated: [Int]
    }

    /// The "larger" benchmark model: 8 layers x 512 wide, 8 heads, MLP 1376, the planner's 518-token vocabulary.
    public static func largerConfiguration() -> LlamaConfiguration {
        LlamaConfiguration(vocabSize: 518, hiddenSize: 512, intermediateSize: 1376, numHiddenLayers: 8,
                           numAttentionHeads: 8, numKeyValueHeads: 8, rmsNormEps: 1e-6, ropeTheta: 10_000,
                           maxPositionEmbeddings: 512, tieWordEmbeddings: false)
    }

    /// Deterministic prompt ids (a simple LCG over the non-special tokens).
    public static func promptIDs(count: Int, vocabulary: Int, seed: UInt64 = 1) -> [Int] {
        var state = seed &* 6364136223846793005 &+ 1442695040888963407
        let low = min(4, vocabulary - 1)
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return low + Int((state >> 33) % UInt64(max(1, vocabulary - low)))
        }
    }

    public static func run(_ model: LlamaForCausalLM, name: String, promptLength: Int = 200, newTokens: Int = 128,
                           repeats: Int = 3) -> Result {
        let config = model.configuration
        // Leave room for the generated tokens in the position table.
        let promptLength = max(1, min(promptLength, config.maxPositionEmbeddings - newTokens))
        let prompt = promptIDs(count: promptLength, vocabulary: config.vocabSize)
        model.setTrainable(false)

        var promptTimes: [Double] = [], decodeTimes: [Double] = [], generateTimes: [Double] = []
        var lastGenerated: [Int] = []
        for run in 0...max(1, repeats) {   // run 0 warms up
            let cache = model.makeCache()
            let start = DispatchTime.now().uptimeNanoseconds
            let logits = withoutGradients { model.forward(ids: [prompt], cache: cache) }
            var token = argmax(logits.scalars, from: (promptLength - 1) * config.vocabSize, count: config.vocabSize)
            let first = DispatchTime.now().uptimeNanoseconds
            var generated = [token]
            while generated.count < newTokens {
                let step = withoutGradients { model.forward(ids: [[token]], cache: cache) }
                token = argmax(step.scalars, from: 0, count: config.vocabSize)
                generated.append(token)
            }
            let end = DispatchTime.now().uptimeNanoseconds
            lastGenerated = generated
            guard run > 0 else { continue }
            promptTimes.append(Double(first - start) / 1e9)
            decodeTimes.append(Double(end - first) / 1e9)
            generateTimes.append(Double(end - start) / 1e9)
        }
        let promptSeconds = median(promptTimes), decodeSeconds = median(decodeTimes), generateSeconds = median(generateTimes)
        let parameters = model.namedParameters().reduce(0) { $0 + $1.1.value.count }
        return Result(name: name, layers: config.numHiddenLayers, hiddenSize: config.hiddenSize, heads: config.numAttentionHeads,
                      intermediateSize: config.intermediateSize, vocabSize: config.vocabSize, parameters: parameters,
                      threads: Parallel.workers, promptTokens: promptLength, promptSeconds: promptSeconds,
                      promptTokensPerSecond: Double(promptLength) / promptSeconds, newTokens: newTokens,
                      decodeSeconds: decodeSeconds, decodeTokensPerSecond: Double(max(1, newTokens - 1)) / decodeSeconds,
                      generateSeconds: generateSeconds, generateTokensPerSecond: Double(newTokens) / generateSeconds,
                      generated: lastGenerated)
    }

    static func argmax(_ values: [Float], from offset: Int, count: Int) -> Int {
        var best = 0
        var bestValue = -Float.infinity
        for i in 0..<count where values[offset + i] > bestValue {
            bestValue = values[offset + i]
            best = i
        }
        return best
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}
