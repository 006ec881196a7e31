/// GPT-2 / CLIP byte-level alphabet (`bytes_to_unicode` in transformers'
/// tokenization_clip, the `ByteLevel` pre-tokenizer in tokenizers): every
/// byte gets a printable Unicode character, so BPE works on text without
/// whitespace or control characters. Printable Latin-1 bytes map to
/// themselves; the other 68 bytes map to U+0100 onwards, in byte order.
public enum ByteLevelAlphabet {
    /// The character standing for each byte value.
    public static let characters: [Character] = {
        var printable = Set<Int>()
        for range in [0x21...0x7E, 0xA1...0xAC, 0xAE...0xFF] { printable.formUnion(range) }
        var table = [Character](repeating: " ", count: 256)
        var next = 256
        for byte in 0..<256 {
            if printable.contains(byte) {
                table[byte] = Character(Unicode.Scalar(UInt32(byte))!)
            } else {
                table[byte] = Character(Unicode.Scalar(UInt32(next))!)
                next += 1
            }
        }
        return table
    }()

    /// The characters in the order CLIP's vocab.json lists them (printable
    /// bytes first, then the remapped ones): the first 256 vocabulary entries.
    public static let vocabularyOrder: [Character] = {
        let printable = Array(0x21...0x7E) + Array(0xA1...0xAC) + Array(0xAE...0xFF)
        let rest = (0..<256).filter { !printable.contains($0) }
        return (printable + rest).map { characters[$0] }
    }()

    /// Byte value of each alphabet character.
    public static let bytes: [Character: UInt8] = {
        var map: [Character: UInt8] = [:]
        for (byte, character) in characters.enumerated() { map[character] = UInt8(byte) }
        return map
    }()

    /// The byte-level spelling of a piece of text: its UTF-8 bytes as alphabet characters.
    public static func encode(_ text: Substring) -> [Character] {
        text.utf8.map { characters[Int($0)] }
    }

    /// Text from byte-level characters; characters outside the alphabet are kept as they are.
    public static func decode(_ text: String) -> String {
        var out: [UInt8] = []
        for character in text {
            if let byte = bytes[character] {
                out.append(byte)
            } else {
                out.append(contentsOf: Array(String(character).utf8))
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
