/// Finds added tokens in text, leftmost match first and the longest one
/// among those starting there (the leftmost-longest Aho-Corasick search of
/// tokenizers' AddedVocabulary), splitting the text into token ids and the
/// plain pieces between them.
struct AddedTokenMatcher: Sendable {
    final class Node: @unchecked Sendable {
        var children: [Unicode.Scalar: Node] = [:]
        var id: Int?
    }

    enum Piece: Equatable {
        case token(Int)
        case text(String)
    }

    private(set) var root = Node()
    private(set) var isEmpty = true

    init(_ entries: [(pattern: String, id: Int)] = []) {
        for entry in entries { insert(entry.pattern, id: entry.id) }
    }

    /// Adds a pattern; an existing identical pattern keeps its first id.
    mutating func insert(_ pattern: String, id: Int) {
        guard !pattern.isEmpty else { return }
        if !isKnownUniquelyReferenced(&root) { root = Self.copy(root) }
        var node = root
        for scalar in pattern.unicodeScalars {
            if let next = node.children[scalar] {
                node = next
            } else {
                let next = Node()
                node.children[scalar] = next
                node = next
            }
        }
        if node.id == nil { node.id = id }
        isEmpty = false
    }

    private static func copy(_ node: Node) -> Node {
        let out = Node()
        out.id = node.id
        for (key, child) in node.children { out.children[key] = copy(child) }
        return out
    }

    func split(_ text: String) -> [Piece] {
        guard !isEmpty else { return text.isEmpty ? [] : [.text(text)] }
        let scalars = Array(text.unicodeScalars)
        var pieces: [Piece] = []
        var plainStart = 0, i = 0
        func flush(to end: Int) {
            if end > plainStart {
                var view = String.UnicodeScalarView()
                view.append(contentsOf: scalars[plainStart..<end])
                pieces.append(.text(String(view)))
            }
        }
        while i < scalars.count {
            var node = root, j = i
            var match: (end: Int, id: Int)?
            while j < scalars.count, let next = node.children[scalars[j]] {
                node = next
                j += 1
                if let id = node.id { match = (j, id) }
            }
            if let match {
                flush(to: i)
                pieces.append(.token(match.id))
                i = match.end
                plainStart = i
            } else {
                i += 1
            }
        }
        flush(to: scalars.count)
        return pieces
    }
}
