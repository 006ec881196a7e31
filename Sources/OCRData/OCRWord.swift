import PosterCore

/// A word Tesseract read: its text, confidence (0...1) and pixel box, plus the
/// boxes of its symbols (characters) where Tesseract gives them.
public struct OCRWord: Hashable, Sendable {
    public var text: String
    public var confidence: Double
    /// Left, top, right, bottom in image pixels (right and bottom exclusive).
    public var box: OCRBox
    public var symbols: [OCRSymbol]

    public init(text: String, confidence: Double, box: OCRBox, symbols: [OCRSymbol] = []) {
        self.text = text
        self.confidence = confidence
        self.box = box
        self.symbols = symbols
    }
}

/// One recognised character and its box.
public struct OCRSymbol: Hashable, Sendable {
    public var text: String
    public var confidence: Double
    public var box: OCRBox
}

/// An axis-aligned pixel box: left, top, right, bottom (right and bottom exclusive).
public struct OCRBox: Hashable, Sendable {
    public var left: Int
    public var top: Int
    public var right: Int
    public var bottom: Int

    public init(left: Int, top: Int, right: Int, bottom: Int) {
        self.left = left
        self.top = top
        self.right = right
        self.bottom = bottom
    }
}
