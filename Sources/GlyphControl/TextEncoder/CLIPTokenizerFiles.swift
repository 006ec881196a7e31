import Foundation

/// Reading a tokenizer directory as transformers' `CLIPTokenizer.from_pretrained`
/// does: the BPE from `vocab.json` + `merges.txt` (or `tokenizer.json`), the
/// special tokens and `model_max_length` from `tokenizer_config.json` and
/// `special_tokens_map.json`, and added tokens from `added_tokens.json`
/// (transformers 4 slow tokenizers: matched in the raw text), the config's
/// `added_tokens_decoder` and `tokenizer.json`'s `added_tokens` (each with
/// its `normalized` flag).
extension CLIPTokenizer {
    /// Loads `directory` (a Stable Diffusion pipeline's `tokenizer/` folder).
    /// `maxLength` overrides the config's `model_max_length`.
    public init(directory: String, maxLength: Int? = nil) throws(CLIPTokenizerError) {
        let files = TokenizerDirectory(directory)
        let fast = try files.json("tokenizer.json")
        let model = fast?["model"] as? [String: Any]

        let vocabulary: [String: Int]
        if let vocab = try files.json("vocab.json") {
            vocabulary = try Self.vocabulary(vocab, path: files.path("vocab.json"))
        } else if let model, let vocab = model["vocab"] as? [String: Any] {
            vocabulary = try Self.vocabulary(vocab, path: files.path("tokenizer.json"))
        } else {
            throw CLIPTokenizerError.missingFile(directory: directory, expected: ["vocab.json", "tokenizer.json"])
        }

        let merges: [(String, String)]
        if let text = try files.text("merges.txt") {
            merges = try Self.merges(text: text, path: files.path("merges.txt"))
        } else if let model, let list = model["merges"] as? [Any] {
            merges = try Self.merges(list: list, path: files.path("tokenizer.json"))
        } else {
            throw CLIPTokenizerError.missingFile(directory: directory, expected: ["merges.txt", "tokenizer.json"])
        }

        var special = CLIPSpecialTokens()
        var configMaxLength: Int?
        var added: [Int: CLIPAddedToken] = [:]
        if let config = try files.json("tokenizer_config.json") {
            Self.readSpecialTokens(config, into: &special)
            if let length = config["model_max_length"] as? NSNumber, length.doubleValue >= 1, length.doubleValue < 1e6 {
                configMaxLength = length.intValue
            }
            if let decoder = config["added_tokens_decoder"] as? [String: Any] {
                for (key, value) in decoder {
                    guard let id = Int(key), let entry = value as? [String: Any], let content = entry["content"] as? String else {
                        throw CLIPTokenizerError.malformedFile(path: files.path("tokenizer_config.json"), reason: "added_tokens_decoder entry '\(key)'")
                    }
                    added[id] = Self.addedToken(content: content, id: id, entry: entry)
                }
            }
        }
        if let map = try files.json("special_tokens_map.json") { Self.readSpecialTokens(map, into: &special) }
        if let list = fast?["added_tokens"] as? [Any] {
            for item in list {
                guard let entry = item as? [String: Any], let id = (entry["id"] as? NSNumber)?.intValue, let content = entry["content"] as? String else {
                    throw CLIPTokenizerError.malformedFile(path: files.path("tokenizer.json"), reason: "an added_tokens entry lacks id or content")
                }
                if added[id] == nil { added[id] = Self.addedToken(content: content, id: id, entry: entry) }
            }
        }
        if let map = try files.json("added_tokens.json") {
            for (content, value) in map {
                guard let id = (value as? NSNumber)?.intValue else {
                    throw CLIPTokenizerError.malformedFile(path: files.path("added_tokens.json"), reason: "'\(content)' has no integer id")
                }
                if added[id] == nil { added[id] = CLIPAddedToken(content: content, id: id) }
            }
        }
        try self.init(vocabulary: vocabulary, merges: merges, specialTokens: special,
                      maxLength: maxLength ?? configMaxLength ?? Self.defaultMaxLength,
                      addedTokens: added.values.sorted { $0.id < $1.id })
    }

    /// A tokenizer from the two BPE files alone (CLIPTokenizer(vocab_file, merges_file)).
    public init(vocabularyFile: String, mergesFile: String, specialTokens: CLIPSpecialTokens = CLIPSpecialTokens(),
                maxLength: Int = CLIPTokenizer.defaultMaxLength) throws(CLIPTokenizerError) {
        let vocabData = try TokenizerDirectory.read(vocabularyFile)
        guard let vocab = (try? JSONSerialization.jsonObject(with: vocabData)) as? [String: Any] else {
            throw CLIPTokenizerError.malformedFile(path: vocabularyFile, reason: "not a JSON object of token -> id")
        }
        let mergesData = try TokenizerDirectory.read(mergesFile)
        guard let text = String(data: mergesData, encoding: .utf8) else {
            throw CLIPTokenizerError.malformedFile(path: mergesFile, reason: "not UTF-8 text")
        }
        try self.init(vocabulary: Self.vocabulary(vocab, path: vocabularyFile), merges: Self.merges(text: text, path: mergesFile),
                      specialTokens: specialTokens, maxLength: maxLength)
    }

    static func vocabulary(_ object: [String: Any], path: String) throws(CLIPTokenizerError) -> [String: Int] {
        var vocabulary: [String: Int] = [:]
        vocabulary.reserveCapacity(object.count)
        var seen = Set<Int>()
        for (token, value) in object {
            guard let number = value as? NSNumber, let id = Int(exactly: number.doubleValue), id >= 0 else {
                throw CLIPTokenizerError.malformedFile(path: path, reason: "token '\(token)' has no non-negative integer id")
            }
            guard seen.insert(id).inserted else {
                throw CLIPTokenizerError.malformedFile(path: path, reason: "id \(id) is given to more than one token")
            }
            vocabulary[token] = id
        }
        guard !vocabulary.isEmpty else { throw CLIPTokenizerError.malformedFile(path: path, reason: "empty vocabulary") }
        return vocabulary
    }

    /// merges.txt: an optional `#version` line, then one `left right` pair per line.
    static func merges(text: String, path: String) throws(CLIPTokenizerError) -> [(String, String)] {
        var merges: [(String, String)] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.hasSuffix("\r") ? line.dropLast() : line
            if trimmed.isEmpty || (index == 0 && trimmed.hasPrefix("#version")) { continue }
            let parts = trimmed.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw CLIPTokenizerError.malformedFile(path: path, reason: "line \(index + 1) is not two space-separated symbols: '\(trimmed)'")
            }
            merges.append((String(parts[0]), String(parts[1])))
        }
        return merges
    }

    /// tokenizer.json merges: `"a b"` strings (tokenizers < 0.20) or `["a", "b"]` pairs.
    static func merges(list: [Any], path: String) throws(CLIPTokenizerError) -> [(String, String)] {
        var merges: [(String, String)] = []
        for (index, item) in list.enumerated() {
            if let pair = item as? [String], pair.count == 2 {
                merges.append((pair[0], pair[1]))
            } else if let text = item as? String, case let parts = text.split(separator: " ", omittingEmptySubsequences: false),
                      parts.count == 2 {
                merges.append((String(parts[0]), String(parts[1])))
            } else {
                throw CLIPTokenizerError.malformedFile(path: path, reason: "merge \(index) is not a pair of symbols")
            }
        }
        return merges
    }

    static func readSpecialTokens(_ object: [String: Any], into special: inout CLIPSpecialTokens) {
        func content(_ key: String) -> String? {
            if let text = object[key] as? String { return text }
            return (object[key] as? [String: Any])?["content"] as? String
        }
        if let value = content("bos_token") { special.start = value }
        if let value = content("eos_token") { special.end = value }
        if let value = content("pad_token") { special.padding = value }
        if let value = content("unk_token") { special.unknown = value }
    }

    static func addedToken(content: String, id: Int, entry: [String: Any]) -> CLIPAddedToken {
        let special = (entry["special"] as? Bool) ?? false
        let normalized = (entry["normalized"] as? Bool) ?? !special
        // Special tokens are always matched in the raw text.
        return CLIPAddedToken(content: content, id: id, normalized: normalized && !special, special: special)
    }
}

/// Optional JSON and text files in a tokenizer directory.
struct TokenizerDirectory {
    let directory: String

    init(_ directory: String) { self.directory = directory }

    func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    static func read(_ path: String) throws(CLIPTokenizerError) -> Data {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIPTokenizerError.missingFile(directory: (path as NSString).deletingLastPathComponent,
                                                 expected: [(path as NSString).lastPathComponent])
        }
        do { return try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw CLIPTokenizerError.unreadableFile(path: path, reason: "\(error)")
        }
    }

    /// The file's JSON object, nil when the file does not exist.
    func json(_ name: String) throws(CLIPTokenizerError) -> [String: Any]? {
        let file = path(name)
        guard FileManager.default.fileExists(atPath: file) else { return nil }
        let data = try Self.read(file)
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw CLIPTokenizerError.malformedFile(path: file, reason: "not a JSON object")
        }
        return object
    }

    /// The file's UTF-8 text, nil when the file does not exist.
    func text(_ name: String) throws(CLIPTokenizerError) -> String? {
        let file = path(name)
        guard FileManager.default.fileExists(atPath: file) else { return nil }
        guard let text = String(data: try Self.read(file), encoding: .utf8) else {
            throw CLIPTokenizerError.malformedFile(path: file, reason: "not UTF-8 text")
        }
        return text
    }
}
