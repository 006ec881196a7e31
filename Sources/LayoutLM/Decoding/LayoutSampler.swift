import Foundation
import TensorCore

/// Picks the next token from the model's logits among the allowed ids:
/// greedy at temperature 0, else softmax(logits / temperature) cut to the
/// top-k and then the smallest top-p nucleus, sampled with a seeded
/// `TensorRandom` (same seed, same logits: same choices on every machine).
/// Logits of tokens that are not allowed never matter.
public struct LayoutSampler: Sendable {
    public var temperature: Float
    public var topP: Float
    public var topK: Int?
    public var random: TensorRandom

    public init(temperature: Float = 0, topP: Float = 1, topK: Int? = nil, seed: UInt64 = 0) {
        self.temperature = temperature
        self.topP = topP
        self.topK = topK
        self.random = TensorRandom(seed: seed)
    }

    public var isGreedy: Bool { !(temperature > 0) || topK == 1 }

    /// The chosen token; always one of `allowed` (which must not be empty).
    public mutating func sample(logits: [Float], allowed: [Int]) -> Int {
        precondition(!allowed.isEmpty, "LayoutSampler.sample: no token is allowed")
        if isGreedy { return Self.greedy(logits: logits, allowed: allowed) }
        let candidates = Self.candidates(logits: logits, allowed: allowed,
                                         temperature: temperature, topP: topP, topK: topK)
        let u = random.uniform()
        var cumulative: Float = 0
        for candidate in candidates {
            cumulative += candidate.probability
            if u < cumulative { return candidate.token }
        }
        return candidates.last!.token
    }

    /// The chosen token under a constraint's allowed set.
    public mutating func sample(logits: [Float], constraint: LayoutConstraint, remainingTokens: Int? = nil) -> Int {
        sample(logits: logits, allowed: constraint.allowedTokens(remainingTokens: remainingTokens))
    }

    /// The allowed token with the largest logit (NaN counts as lowest; ties: lowest id).
    public static func greedy(logits: [Float], allowed: [Int]) -> Int {
        var best = allowed[0]
        var bestValue = -Float.infinity
        var found = false
        for token in allowed {
            let value = token < logits.count ? logits[token] : -.infinity
            guard !value.isNaN else { continue }
            if !found || value > bestValue || (value == bestValue && token < best) {
                best = token; bestValue = value; found = true
            }
        }
        return best
    }

    /// The tokens sampling may pick and their renormalised probabilities,
    /// most likely first: allowed tokens, softmax at `temperature`, the `topK`
    /// most likely, then the fewest whose probabilities reach `topP`.
    /// Non-finite logits are treated as impossible unless every allowed logit
    /// is, in which case the allowed tokens are equally likely.
    public static func candidates(logits: [Float], allowed: [Int], temperature: Float,
                                  topP: Float = 1, topK: Int? = nil) -> [(token: Int, probability: Float)] {
        precondition(!allowed.isEmpty, "LayoutSampler.candidates: no token is allowed")
        let t = max(temperature, 1e-6)
        var scored: [(token: Int, logit: Float)] = allowed.map { token in
            let value = token < logits.count ? logits[token] : -.infinity
            return (token, value.isFinite ? value / t : -.infinity)
        }
        scored.sort { $0.logit != $1.logit ? $0.logit > $1.logit : $0.token < $1.token }
        if let k = topK, k >= 1, scored.count > k { scored.removeLast(scored.count - k) }
        let top = scored[0].logit
        var weights: [Double]
        if top == -.infinity {
            weights = Array(repeating: 1, count: scored.count)
        } else {
            weights = scored.map { $0.logit == -.infinity ? 0 : exp(Double($0.logit - top)) }
        }
        let total = weights.reduce(0, +)
        var kept = 0
        var cumulative = 0.0
        let p = Double(min(max(topP, 0), 1))
        for weight in weights {
            guard weight > 0 || kept == 0 else { break }
            kept += 1
            cumulative += weight / total
            if cumulative >= p - 1e-9 { break }
        }
        kept = max(kept, 1)
        let keptTotal = weights.prefix(kept).reduce(0, +)
        return (0..<kept).map { (scored[$0].token, Float(weights[$0] / keptTotal)) }
    }
}

