/// A caption in the manner of MARIO's: one sentence saying what is on the
/// poster (background colours and kind, shapes, text colour and style) with
/// every text line quoted, e.g. `a dark blue poster with yellow circles and
/// white bold text 'Open Late' and 'Since 1990'`. Only things that were
/// drawn are named, so a model trained on it can learn colour from words.
enum SynthCaption {
    struct TextLine {
        var text: String
        /// "white bold text with a black outline".
        var phrase: String
    }

    static func make(background: SynthBackground, extras: [String], lines: [TextLine]) -> String {
        var subject: String
        let names = background.colors.map(\.name)
        switch background.kind {
        case .flat: subject = "\(names[0]) poster"
        case .linearGradient: subject = "\(names[0]) to \(names[1]) gradient poster"
        case .radialGradient: subject = "\(names[0]) to \(names[1]) radial gradient poster"
        case .photo:
            let tone = (background.veil.map { $0 + " " } ?? "") + (names.isEmpty ? "colourful" : names.joined(separator: " and "))
            subject = "poster on " + withArticle(tone) + " photograph"
        }
        if background.grainy { subject = "grainy " + subject }
        var items = background.decorations.map(\.phrase) + extras
        // Consecutive lines painted alike share one phrase: "white text 'A' and 'B'".
        var groups: [(phrase: String, texts: [String])] = []
        for line in lines {
            if let last = groups.last, last.phrase == line.phrase {
                groups[groups.count - 1].texts.append(line.text)
            } else {
                groups.append((line.phrase, [line.text]))
            }
        }
        items += groups.map { "\($0.phrase) \(list($0.texts.map { "'\($0)'" }))" }
        return withArticle(subject) + (items.isEmpty ? "" : " with " + list(items))
    }

    /// "a", "a and b", "a, b and c".
    static func list(_ items: [String]) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " and " + items.last!
    }

    /// "an orange circle", "a red circle".
    static func withArticle(_ phrase: String) -> String {
        guard let first = phrase.lowercased().first else { return phrase }
        return ("aeiou".contains(first) ? "an " : "a ") + phrase
    }
}
