/// transformers' CLIPTokenizer (the byte-level BPE tokenizer of Stable
/// Diffusion's text encoder), producing the same ids:
///
/// 1. added tokens are cut out first: special tokens and non-normalized added
///    tokens in the raw text, then normalized added tokens in the normalized
///    text (see `CLIPAddedToken`);
/// 2. the rest is normalized (`CLIPTextNormalizer`: NFC, white space
///    collapsed, lower case) and split into words (`CLIPPreTokenizer`);
/// 3. every word is byte-level BPE encoded with `</w>` closing it
///    (`BytePairEncoder`);
/// 4. `<|startoftext|>` ... `<|endoftext|>` around the content, truncated so
///    the end token survives, and padded to `maxLength` (77).
///
/// A value: `addTokens` and `setPaddingToken` change this copy only. Safe to
/// share between threads.
public struct CLIPTokenizer: Sendable {
    public static let defaultMaxLength = 77

    public let encoder: BytePairEncoder
    public private(set) var specialTokens: CLIPSpecialTokens
    public let startID: Int
    public let endID: Int
    public private(set) var paddingID: Int
    public let unknownID: Int
    /// Sequence length for `.maxLength` padding and for truncation (model_max_length).
    public var maxLength: Int
    /// Tokens added on top of the BPE vocabulary, in id order.
    public private(set) var addedTokens: [CLIPAddedToken] = []

    private var rawMatcher = AddedTokenMatcher()
    private var normalizedMatcher = AddedTokenMatcher()
    private var addedByID: [Int: CLIPAddedToken] = [:]
    private var addedByContent: [String: CLIPAddedToken] = [:]
    private let tokensByID: [String]
    private var nextID = 0

    /// A tokenizer from a vocabulary (token -> id) and merges in rank order.
    public init(vocabulary: [String: Int], merges: [(String, String)], specialTokens: CLIPSpecialTokens = CLIPSpecialTokens(),
                maxLength: Int = CLIPTokenizer.defaultMaxLength, addedTokens: [CLIPAddedToken] = []) throws(CLIPTokenizerError) {
        encoder = try BytePairEncoder(vocabulary: vocabulary, merges: merges, unknownToken: specialTokens.unknown)
        func id(_ role: String, _ token: String) throws(CLIPTokenizerError) -> Int {
            if let id = vocabulary[token] { return id }
            if let added = addedTokens.first(where: { $0.content == token }) { return added.id }
            throw CLIPTokenizerError.specialTokenNotInVocabulary(role: role, token: token)
        }
        startID = try id("start", specialTokens.start)
        endID = try id("end", specialTokens.end)
        paddingID = try id("padding", specialTokens.padding)
        unknownID = try id("unknown", specialTokens.unknown)
        self.specialTokens = specialTokens
        self.maxLength = maxLength
        var table = [String](repeating: "", count: (vocabulary.values.max() ?? -1) + 1)
        for (token, id) in vocabulary where id >= 0 { table[id] = token }
        tokensByID = table
        nextID = table.count
        for token in addedTokens.sorted(by: { $0.id < $1.id }) {
            if token.id < table.count, !table[token.id].isEmpty, table[token.id] != token.content {
                throw CLIPTokenizerError.conflictingAddedToken(content: token.content, id: token.id, existing: table[token.id])
            }
            register(token)
        }
        // The special tokens are matched in the raw text, as transformers does.
        for (content, tokenID) in [(specialTokens.start, startID), (specialTokens.end, endID), (specialTokens.unknown, unknownID)]
        where addedByContent[content] == nil {
            register(CLIPAddedToken(content: content, id: tokenID, normalized: false, special: true))
        }
    }

    private mutating func register(_ token: CLIPAddedToken) {
        guard addedByContent[token.content] == nil else { return }
        addedByContent[token.content] = token
        addedByID[token.id] = addedByID[token.id] ?? token
        if let last = addedTokens.last, last.id > token.id {
            addedTokens.insert(token, at: addedTokens.firstIndex { $0.id > token.id }!)
        } else {
            addedTokens.append(token)
        }
        nextID = max(nextID, token.id + 1)
        if token.normalized {
            normalizedMatcher.insert(CLIPTextNormalizer.normalize(token.content), id: token.id)
        } else {
            rawMatcher.insert(token.content, id: token.id)
        }
    }

    /// Number of ids: the BPE vocabulary plus added tokens (`len(tokenizer)`);
    /// the text encoder's embedding table must have at least this many rows.
    public var count: Int { nextID }

    /// Adds tokens matched before BPE, each with the next free id, skipping
    /// tokens already added; returns how many were added. `normalized: false`
    /// (the default) matches them case-sensitively in the raw text, as
    /// TextDiffuser-2's coordinate (`l12`) and character (`[a]`) tokens were.
    @discardableResult
    public mutating func addTokens(_ tokens: [String], normalized: Bool = false, special: Bool = false) -> Int {
        var added = 0
        for content in tokens where !content.isEmpty && addedByContent[content] == nil {
            let id = encoder.vocabulary[content] ?? count
            register(CLIPAddedToken(content: content, id: id, normalized: normalized, special: special))
            added += 1
        }
        return added
    }

    /// Pads with another token from the vocabulary (Stable Diffusion 2 pads with `!`).
    public mutating func setPaddingToken(_ token: String) throws(CLIPTokenizerError) {
        guard let id = self.id(of: token) else { throw CLIPTokenizerError.specialTokenNotInVocabulary(role: "padding", token: token) }
        specialTokens.padding = token
        paddingID = id
    }

    /// The id of a vocabulary or added token.
    public func id(of token: String) -> Int? { addedByContent[token]?.id ?? encoder.vocabulary[token] }

    /// The spelling of an id (byte-level, with `</w>`, for BPE tokens).
    public func token(of id: Int) -> String? {
        if let added = addedByID[id] { return added.content }
        return id >= 0 && id < tokensByID.count && !tokensByID[id].isEmpty ? tokensByID[id] : nil
    }

    /// The ids of the text alone: no start/end token, no truncation or padding.
    public func contentIDs(_ text: String) -> [Int] {
        var ids: [Int] = []
        for piece in rawMatcher.split(text) {
            switch piece {
            case .token(let id): ids.append(id)
            case .text(let raw):
                for inner in normalizedMatcher.split(CLIPTextNormalizer.normalize(raw)) {
                    switch inner {
                    case .token(let id): ids.append(id)
                    case .text(let normalized):
                        for word in CLIPPreTokenizer.split(normalized) { ids += encoder.encode(word: word) }
                    }
                }
            }
        }
        return ids
    }

    /// The token spellings of the text (no start/end tokens).
    public func tokenize(_ text: String) -> [String] { contentIDs(text).map { token(of: $0) ?? "" } }

    /// Ids as `tokenizer(text, padding="max_length", max_length=77,
    /// truncation=True).input_ids` gives them (with the defaults).
    /// Truncation keeps the first `maxLength - 2` content ids, then the end token.
    public func encode(_ text: String, addSpecialTokens: Bool = true, padding: CLIPPadding = .maxLength, truncation: Bool = true) -> [Int] {
        var ids = contentIDs(text)
        let reserved = addSpecialTokens ? 2 : 0
        if truncation, ids.count > maxLength - reserved { ids = Array(ids.prefix(max(0, maxLength - reserved))) }
        if addSpecialTokens { ids = [startID] + ids + [endID] }
        if padding == .maxLength, ids.count < maxLength { ids += [Int](repeating: paddingID, count: maxLength - ids.count) }
        return ids
    }

    /// A batch, each padded to `maxLength` and truncated: `[B][77]`.
    public func encode(_ texts: [String]) -> [[Int]] { texts.map { encode($0) } }

    /// Text from ids, as transformers decodes (byte-level decoding, `</w>`
    /// read as a space, ends trimmed; no clean-up of spaces before punctuation).
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = true) -> String {
        let specialIDs: Set<Int> = [startID, endID, paddingID, unknownID]
        var bytes: [UInt8] = []
        for id in ids {
            if skipSpecialTokens, specialIDs.contains(id) || addedByID[id]?.special == true { continue }
            guard let token = token(of: id) else { continue }
            var tokenBytes: [UInt8] = []
            var allMapped = true
            for character in token {
                guard let byte = ByteLevelAlphabet.bytes[character] else { allMapped = false; break }
                tokenBytes.append(byte)
            }
            bytes += allMapped ? tokenBytes : Array(token.utf8)
        }
        let text = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: BytePairEncoder.endOfWord, with: " ")
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

import Foundation
