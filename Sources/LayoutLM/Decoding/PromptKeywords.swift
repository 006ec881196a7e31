/// The texts a prompt asks to see on the poster: what it quotes, as
/// TextDiffuser captions do (`a poster ... with the text 'Summer Sale'`).
public enum PromptKeywords {
    /// Quoted texts in order: `'...'`, `"..."`, `‘...’`, `“...”`. A quote opens
    /// only at a word start (not after a letter or digit, and not before a
    /// space) and closes only at a word end (not before a letter or digit, and
    /// not after a space), so apostrophes inside words (`Don't`, `cats'`,
    /// `90's`) neither open nor close. Whitespace runs inside are collapsed to
    /// one space; empty quotes give nothing.
    public static func extract(from prompt: String) -> [String] {
        let characters = Array(prompt)
        var keywords: [String] = []
        var index = 0
        while index < characters.count {
            let character = characters[index]
            guard let closer = closers[character], opensAt(index, in: characters) else {
                index += 1
                continue
            }
            var end = index + 1
            var found: Int?
            while end < characters.count {
                if characters[end] == closer, closesAt(end, in: characters, opener: index) { found = end; break }
                end += 1
            }
            guard let close = found else {
                index += 1
                continue
            }
            let text = String(characters[(index + 1)..<close])
                .split(whereSeparator: \.isWhitespace).joined(separator: " ")
            if !text.isEmpty { keywords.append(text) }
            index = close + 1
        }
        return keywords
    }

    /// Parses `--keywords "A/B"`: texts separated by `/`, trimmed, empty ones dropped.
    public static func parseList(_ text: String, separator: Character = "/") -> [String] {
        text.split(separator: separator).map { $0.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
            .filter { !$0.isEmpty }
    }

    static let closers: [Character: Character] = ["'": "'", "\"": "\"", "\u{2018}": "\u{2019}", "\u{201C}": "\u{201D}"]

    static func isWordCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber
    }

    static func opensAt(_ index: Int, in characters: [Character]) -> Bool {
        if index > 0, isWordCharacter(characters[index - 1]) { return false }
        guard index + 1 < characters.count else { return false }
        return !characters[index + 1].isWhitespace
    }

    static func closesAt(_ index: Int, in characters: [Character], opener: Int) -> Bool {
        guard index > opener + 1, !characters[index - 1].isWhitespace else { return false }
        if index + 1 < characters.count, isWordCharacter(characters[index + 1]) { return false }
        return true
    }
}
