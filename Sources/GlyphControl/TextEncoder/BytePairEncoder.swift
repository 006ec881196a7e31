import Foundation

/// Byte-pair encoding of one word as CLIP does it (transformers'
/// CLIPTokenizer.bpe, tokenizers' `BPE` model with `end_of_word_suffix`
/// `</w>`): the word's byte-level characters, the last one carrying `</w>`,
/// are merged pair by pair, always the pair whose merge ranks first, until
/// no listed merge applies. Symbols missing from the vocabulary become the
/// unknown token. Results are cached per word; safe to share between threads.
public final class BytePairEncoder: @unchecked Sendable {
    public static let endOfWord = "</w>"

    struct Pair: Hashable {
        let first: String
        let second: String
    }

    public let vocabulary: [String: Int]
    let ranks: [Pair: Int]
    let unknownID: Int?
    let cacheLimit: Int
    private var cache: [String: [Int]] = [:]
    private let lock = NSLock()

    /// `merges` in rank order (merges.txt order). Every merge's parts and
    /// result must be in the vocabulary, as tokenizers' BPE requires.
    public init(vocabulary: [String: Int], merges: [(String, String)], unknownToken: String?, cacheLimit: Int = 50_000) throws(CLIPTokenizerError) {
        var ranks: [Pair: Int] = [:]
        ranks.reserveCapacity(merges.count)
        for (rank, (a, b)) in merges.enumerated() {
            for part in [a, b, a + b] where vocabulary[part] == nil {
                throw CLIPTokenizerError.mergeOutOfVocabulary(merge: "\(a) \(b)", token: part)
            }
            let pair = Pair(first: a, second: b)
            if ranks[pair] == nil { ranks[pair] = rank }
        }
        self.vocabulary = vocabulary
        self.ranks = ranks
        self.unknownID = unknownToken.flatMap { vocabulary[$0] }
        self.cacheLimit = cacheLimit
    }

    public var mergeCount: Int { ranks.count }

    /// The ids of one pre-tokenized word (plain text, not yet byte-level).
    public func encode(word: String) -> [Int] {
        lock.lock()
        if let hit = cache[word] { lock.unlock(); return hit }
        lock.unlock()
        let ids = symbols(ofWord: word).compactMap { vocabulary[$0] ?? unknownID }
        lock.lock()
        if cache.count >= cacheLimit { cache.removeAll(keepingCapacity: true) }
        cache[word] = ids
        lock.unlock()
        return ids
    }

    /// The BPE symbols (vocabulary strings) of one word.
    public func symbols(ofWord word: String) -> [String] {
        let characters = ByteLevelAlphabet.encode(Substring(word))
        guard !characters.isEmpty else { return [] }
        var parts = characters.map { String($0) }
        parts[parts.count - 1] += Self.endOfWord
        while parts.count > 1 {
            // The listed pair with the best (lowest) rank.
            var best: Pair?, bestRank = Int.max
            for i in 0..<(parts.count - 1) {
                let pair = Pair(first: parts[i], second: parts[i + 1])
                if let rank = ranks[pair], rank < bestRank { bestRank = rank; best = pair }
            }
            guard let best else { break }
            // Merge every occurrence, left to right.
            var merged: [String] = []
            merged.reserveCapacity(parts.count)
            var i = 0
            while i < parts.count {
                if i < parts.count - 1, parts[i] == best.first, parts[i + 1] == best.second {
                    merged.append(best.first + best.second)
                    i += 2
                } else {
                    merged.append(parts[i])
                    i += 1
                }
            }
            parts = merged
        }
        return parts
    }
}
