import Foundation
import PosterCore

/// The planner's one vocabulary for prompt text and layout (REFERENCE 2):
///
/// | ids        | tokens                                             |
/// |------------|----------------------------------------------------|
/// | 0...3      | `<pad>`, `<bos>`, `<eos>`, `<sep>` (prompt/layout separator) |
/// | 4...259    | the 256 UTF-8 bytes, so any Unicode text is representable |
/// | 260...388  | `[x0]`...`[x128]`                                  |
/// | 389...517  | `[y0]`...`[y128]`                                  |
///
/// A layout is, per line, `[xL][yT][xR][yB]` then the UTF-8 bytes of its text;
/// a training sequence is `<bos> prompt <sep> layout <eos>`.
public struct LayoutTokenizer: Hashable, Sendable {
    public static let padID = 0
    public static let bosID = 1
    public static let eosID = 2
    public static let sepID = 3
    public static let specialNames = ["<pad>", "<bos>", "<eos>", "<sep>"]
    public static let byteOffset = 4
    public static let byteCount = 256
    public static let grid = GridBox.gridSize
    public static let xOffset = byteOffset + byteCount                 // 260
    public static let yOffset = xOffset + grid + 1                      // 389
    public static let vocabularySize = yOffset + grid + 1               // 518
    /// The file saved beside the model weights.
    public static let fileName = "tokenizer.json"
    public static let formatName = "glyphposter-layout-tokenizer"
    public static let version = 1

    public init() {}

    public var count: Int { Self.vocabularySize }
    public var padID: Int { Self.padID }
    public var bosID: Int { Self.bosID }
    public var eosID: Int { Self.eosID }
    public var sepID: Int { Self.sepID }

    // MARK: - Token classes

    public static func byteToken(_ byte: UInt8) -> Int { byteOffset + Int(byte) }
    public static func xToken(_ value: Int) -> Int {
        precondition(GridBox.range.contains(value), "x coordinate \(value) out of 0...\(grid)")
        return xOffset + value
    }
    public static func yToken(_ value: Int) -> Int {
        precondition(GridBox.range.contains(value), "y coordinate \(value) out of 0...\(grid)")
        return yOffset + value
    }
    /// The byte a token stands for, or nil when it is not a byte token.
    public static func byte(of id: Int) -> UInt8? {
        (byteOffset..<byteOffset + byteCount).contains(id) ? UInt8(id - byteOffset) : nil
    }
    /// The x coordinate a token stands for, or nil.
    public static func xValue(of id: Int) -> Int? {
        (xOffset...xOffset + grid).contains(id) ? id - xOffset : nil
    }
    /// The y coordinate a token stands for, or nil.
    public static func yValue(of id: Int) -> Int? {
        (yOffset...yOffset + grid).contains(id) ? id - yOffset : nil
    }

    // MARK: - Encoding

    /// The prompt as byte tokens; `maximumBytes` truncates at a character boundary.
    public func encodePrompt(_ text: String, maximumBytes: Int? = nil) -> [Int] {
        var bytes = Array(text.utf8)
        if let limit = maximumBytes, bytes.count > limit {
            var end = max(0, limit)
            // Back off continuation bytes so the kept prefix is whole characters.
            while end > 0, end < bytes.count, bytes[end] & 0xC0 == 0x80 { end -= 1 }
            bytes = Array(bytes[..<end])
        }
        return bytes.map(Self.byteToken)
    }

    /// Per line four coordinate tokens then the UTF-8 bytes of its text (no `<eos>`).
    public func encodeLayout(_ layout: Layout) -> [Int] {
        var ids: [Int] = []
        for line in layout.lines {
            let b = line.box
            ids += [Self.xToken(b.left), Self.yToken(b.top), Self.xToken(b.right), Self.yToken(b.bottom)]
            ids += line.text.utf8.map(Self.byteToken)
        }
        return ids
    }

    /// `<bos> prompt <sep>`: what the model is given before it writes a layout.
    public func promptPrefix(_ prompt: String, maximumPromptBytes: Int? = nil) -> [Int] {
        [Self.bosID] + encodePrompt(prompt, maximumBytes: maximumPromptBytes) + [Self.sepID]
    }

    /// `<bos> prompt <sep> layout <eos>` with `targetMask` true exactly on the
    /// layout tokens and `<eos>` (the tokens the model must predict). For
    /// next-token training, position i's target is ids[i] predicted from ids[..<i].
    public func trainingSequence(prompt: String, layout: Layout,
                                 maximumPromptBytes: Int? = nil) -> (ids: [Int], targetMask: [Bool]) {
        let prefix = promptPrefix(prompt, maximumPromptBytes: maximumPromptBytes)
        let body = encodeLayout(layout) + [Self.eosID]
        return (prefix + body, Array(repeating: false, count: prefix.count) + Array(repeating: true, count: body.count))
    }

    // MARK: - Decoding

    /// Reads layout tokens back into a `Layout`. Accepts either the layout
    /// tokens alone or a whole sequence starting with `<bos>` (everything up to
    /// and including `<sep>` is skipped). Stops at the first `<eos>`; a sequence
    /// without one ends at its last token. Errors name the token position
    /// (0-based, in `ids`).
    public func decodeLayout(_ ids: [Int], canvas: CanvasSize = .standard) throws(LayoutTokenizerError) -> Layout {
        var index = 0
        if ids.first == Self.bosID {
            guard let sep = ids.firstIndex(of: Self.sepID) else {
                throw LayoutTokenizerError(position: nil, "sequence starts with <bos> but has no <sep> before the layout")
            }
            index = sep + 1
        }
        var lines: [LayoutLine] = []
        var box: [Int] = []
        var boxStart = 0
        var bytes: [UInt8] = []
        var sawEOS = false

        func finishLine(at position: Int) throws(LayoutTokenizerError) {
            guard !box.isEmpty else { return }
            if box.count < 4 {
                throw LayoutTokenizerError(position: position, "line \(lines.count + 1) ends after \(box.count) of its 4 coordinate tokens")
            }
            if bytes.isEmpty {
                throw LayoutTokenizerError(position: position, "line \(lines.count + 1) has no characters")
            }
            let text = String(decoding: bytes, as: UTF8.self)
            if Array(text.utf8) != bytes {
                throw LayoutTokenizerError(position: boxStart, "line \(lines.count + 1) text is not valid UTF-8")
            }
            let line = LayoutLine(box: GridBox(left: box[0], top: box[1], right: box[2], bottom: box[3]), text: text)
            if let problem = line.problem {
                throw LayoutTokenizerError(position: boxStart, "line \(lines.count + 1): \(problem)")
            }
            lines.append(line)
            box = []
            bytes = []
        }

        while index < ids.count {
            let id = ids[index]
            if id == Self.eosID { sawEOS = true; break }
            if let byte = Self.byte(of: id) {
                if box.count < 4 {
                    throw LayoutTokenizerError(position: index, box.isEmpty
                        ? "character byte \(spell(id)) before any line box: expected [xN] (left)"
                        : "character byte \(spell(id)) inside a line box: expected \(Self.slotNames[box.count])")
                }
                bytes.append(byte)
            } else if Self.xValue(of: id) != nil || Self.yValue(of: id) != nil {
                let isX = Self.xValue(of: id) != nil
                let value = isX ? Self.xValue(of: id)! : Self.yValue(of: id)!
                if box.count == 4 {
                    // A coordinate after characters starts the next line.
                    try finishLine(at: index)
                }
                if box.isEmpty { boxStart = index }
                let expectX = box.count % 2 == 0
                if isX != expectX {
                    throw LayoutTokenizerError(position: index, "\(spell(id)) where \(Self.slotNames[box.count]) was expected")
                }
                if box.count == 2, value <= box[0] {
                    throw LayoutTokenizerError(position: index, "right \(spell(id)) must be greater than left [x\(box[0])]")
                }
                if box.count == 3, value <= box[1] {
                    throw LayoutTokenizerError(position: index, "bottom \(spell(id)) must be greater than top [y\(box[1])]")
                }
                box.append(value)
            } else if (0..<Self.byteOffset).contains(id) {
                throw LayoutTokenizerError(position: index, "unexpected \(spell(id)) inside the layout")
            } else {
                throw LayoutTokenizerError(position: index, "token id \(id) is outside the vocabulary (0..<\(count))")
            }
            index += 1
        }
        try finishLine(at: index)
        if lines.isEmpty {
            throw LayoutTokenizerError(position: index, sawEOS ? "<eos> before any line: a layout needs at least one line" : "no layout tokens")
        }
        do {
            return try Layout(canvas: canvas, lines: lines)
        } catch {
            throw LayoutTokenizerError(position: nil, error.message)
        }
    }

    static let slotNames = ["[xN] (left)", "[yN] (top)", "[xN] (right)", "[yN] (bottom)"]

    // MARK: - Spelling

    /// A token's spelling: `<bos>`, `[x12]`, `[y7]`, a byte as its character
    /// when printable ASCII, else `<0xAB>`.
    public func token(_ id: Int) -> String { spell(id) }

    /// A whole sequence spelled token by token.
    public func spell(_ ids: [Int]) -> String { ids.map(spell).joined() }

    func spell(_ id: Int) -> String {
        if (0..<Self.byteOffset).contains(id) { return Self.specialNames[id] }
        if let byte = Self.byte(of: id) {
            if (0x20...0x7E).contains(byte) { return String(UnicodeScalar(byte)) }
            return "<0x" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2) + ">"
        }
        if let x = Self.xValue(of: id) { return "[x\(x)]" }
        if let y = Self.yValue(of: id) { return "[y\(y)]" }
        return "<unk:\(id)>"
    }

    /// The token id of a spelling (inverse of `token(_:)`), or nil.
    public func id(of spelling: String) -> Int? {
        if let special = Self.specialNames.firstIndex(of: spelling) { return special }
        let scalars = Array(spelling.unicodeScalars)
        if scalars.count == 1, (0x20...0x7E).contains(scalars[0].value) { return Self.byteToken(UInt8(scalars[0].value)) }
        if spelling.hasPrefix("<0x"), spelling.hasSuffix(">"), spelling.count == 6,
           let byte = UInt8(spelling.dropFirst(3).dropLast(), radix: 16) { return Self.byteToken(byte) }
        if spelling.hasPrefix("[x") || spelling.hasPrefix("[y"), spelling.hasSuffix("]"),
           let value = Int(spelling.dropFirst(2).dropLast()), GridBox.range.contains(value),
           spelling.dropFirst(2).dropLast().allSatisfy(\.isASCII) {
            return spelling.hasPrefix("[x") ? Self.xToken(value) : Self.yToken(value)
        }
        return nil
    }
}

/// A token sequence that is not a layout, or a `tokenizer.json` that is not
/// this tokenizer. `position` is the 0-based token index where it went wrong.
public struct LayoutTokenizerError: Error, Hashable, Sendable, CustomStringConvertible {
    public var position: Int?
    public var message: String

    public init(position: Int?, _ message: String) {
        self.position = position
        self.message = message
    }

    public var description: String {
        if let position { return "layout tokens, token \(position): \(message)" }
        return "layout tokens: \(message)"
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
