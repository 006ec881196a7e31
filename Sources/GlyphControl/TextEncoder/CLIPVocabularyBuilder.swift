import Foundation

/// Learns a CLIP-format byte-level BPE vocabulary from captions, so a text
/// encoder trained from scratch here gets a tokenizer whose files
/// (`vocab.json`, `merges.txt`, `tokenizer_config.json`,
/// `special_tokens_map.json`) transformers' `CLIPTokenizer` reads unchanged.
/// The layout matches OpenAI CLIP's vocabulary: the 256 byte characters, the
/// same with `</w>`, one entry per merge in rank order, then
/// `<|startoftext|>` and `<|endoftext|>`. Merges are learnt as Sennrich et
/// al.'s BPE does: repeatedly join the most frequent adjacent pair (ties go to
/// the pair seen first), over words as CLIP splits and normalises them.
public struct CLIPVocabularyBuilder {
    public var vocabularySize: Int
    /// Pairs seen fewer times than this are not merged.
    public var minimumFrequency: Int

    public init(vocabularySize: Int = 4096, minimumFrequency: Int = 2) {
        self.vocabularySize = vocabularySize
        self.minimumFrequency = minimumFrequency
    }

    /// Merges in rank order, learnt from `texts`.
    public func merges(from texts: [String]) -> [(String, String)] {
        var counts: [String: Int] = [:]
        for text in texts {
            for word in CLIPPreTokenizer.split(CLIPTextNormalizer.normalize(text)) { counts[word, default: 0] += 1 }
        }
        // Each distinct word as interned symbols, the last one marked as a word end.
        var names: [String] = []
        var ids: [String: Int] = [:]
        func intern(_ symbol: String) -> Int {
            if let id = ids[symbol] { return id }
            ids[symbol] = names.count
            names.append(symbol)
            return names.count - 1
        }
        var words: [[Int]] = []
        var frequencies: [Int] = []
        for (word, count) in counts.sorted(by: { $0.key < $1.key }) {
            var symbols = ByteLevelAlphabet.encode(Substring(word)).map { String($0) }
            guard !symbols.isEmpty else { continue }
            symbols[symbols.count - 1] += "</w>"
            words.append(symbols.map(intern))
            frequencies.append(count)
        }
        let budget = max(0, vocabularySize - 512 - 2)
        var merges: [(String, String)] = []
        while merges.count < budget {
            var pairs: [Int: Int] = [:]
            var order: [Int] = []
            for (w, symbols) in words.enumerated() where symbols.count > 1 {
                for i in 0..<(symbols.count - 1) {
                    let pair = symbols[i] << 32 | symbols[i + 1]
                    if let count = pairs[pair] { pairs[pair] = count + frequencies[w] } else {
                        pairs[pair] = frequencies[w]
                        order.append(pair)
                    }
                }
            }
            var best = -1
            var bestCount = minimumFrequency - 1
            for pair in order where pairs[pair]! > bestCount {
                best = pair
                bestCount = pairs[pair]!
            }
            guard best >= 0 else { break }
            let (left, right) = (best >> 32, best & 0xFFFF_FFFF)
            merges.append((names[left], names[right]))
            let joined = intern(names[left] + names[right])
            for w in words.indices where words[w].count > 1 {
                var symbols = words[w]
                var i = 0
                var changed = false
                while i < symbols.count - 1 {
                    if symbols[i] == left, symbols[i + 1] == right {
                        symbols[i] = joined
                        symbols.remove(at: i + 1)
                        changed = true
                    }
                    i += 1
                }
                if changed { words[w] = symbols }
            }
        }
        return merges
    }

    /// vocab.json's token -> id for `merges`, in OpenAI CLIP's order.
    public static func vocabulary(merges: [(String, String)]) -> [String: Int] {
        var vocabulary: [String: Int] = [:]
        var next = 0
        func add(_ token: String) {
            guard vocabulary[token] == nil else { return }
            vocabulary[token] = next
            next += 1
        }
        for c in ByteLevelAlphabet.vocabularyOrder { add(String(c)) }
        for c in ByteLevelAlphabet.vocabularyOrder { add(String(c) + "</w>") }
        for (a, b) in merges { add(a + b) }
        add("<|startoftext|>")
        add("<|endoftext|>")
        return vocabulary
    }

    /// Learns merges from `texts` and writes the four tokenizer files into `directory`.
    @discardableResult
    public func write(from texts: [String], to directory: URL, maxLength: Int = CLIPTokenizer.defaultMaxLength) throws -> CLIPTokenizer {
        let merges = merges(from: texts)
        let vocabulary = Self.vocabulary(merges: merges)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
        try JSONSerialization.data(withJSONObject: vocabulary, options: options).write(to: directory.appendingPathComponent("vocab.json"), options: .atomic)
        let mergeLines = ["#version: 0.2"] + merges.map { "\($0.0) \($0.1)" }
        try Data((mergeLines.joined(separator: "\n") + "\n").utf8).write(to: directory.appendingPathComponent("merges.txt"), options: .atomic)
        let special: [String: Any] = ["bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>", "pad_token": "<|endoftext|>",
                                      "unk_token": "<|endoftext|>"]
        try JSONSerialization.data(withJSONObject: special, options: options.union(.prettyPrinted))
            .write(to: directory.appendingPathComponent("special_tokens_map.json"), options: .atomic)
        var config = special
        config["tokenizer_class"] = "CLIPTokenizer"
        config["model_max_length"] = maxLength
        config["do_lower_case"] = true
        config["errors"] = "replace"
        config["add_prefix_space"] = false
        config["clean_up_tokenization_spaces"] = true
        try JSONSerialization.data(withJSONObject: config, options: options.union(.prettyPrinted))
            .write(to: directory.appendingPathComponent("tokenizer_config.json"), options: .atomic)
        return try CLIPTokenizer(vocabulary: vocabulary, merges: merges, maxLength: maxLength)
    }
}
