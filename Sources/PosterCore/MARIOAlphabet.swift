/// MARIO-10M's character classes: class 0 is background and 1...95 are the
/// 95 characters of TextDiffuser's alphabet, in its order
/// (`string.digits + ascii_lowercase + ascii_uppercase + punctuation + ' '`).
public enum MARIOAlphabet {
    public static let characters: [Character] = Array(
        "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ ")

    private static let classes: [Character: UInt8] = Dictionary(
        uniqueKeysWithValues: characters.enumerated().map { ($0.element, UInt8($0.offset + 1)) })

    /// The class of a character, or nil for characters outside the alphabet.
    public static func classIndex(of character: Character) -> UInt8? { classes[character] }

    public static func character(ofClass index: UInt8) -> Character? {
        index >= 1 && Int(index) <= characters.count ? characters[Int(index) - 1] : nil
    }
}
