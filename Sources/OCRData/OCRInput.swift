/// What Tesseract is given to read. Tesseract's own thresholding of a colour
/// image splits coloured text from a coloured, mottled background poorly
/// (white on red, dark red on orange read as nothing), so `poster eval ocr`
/// reads a contrast-normalised grey image by default; `.color` keeps the
/// protocol of its reports from before session 20, for comparison.
public enum OCRInput: String, CaseIterable, Codable, Sendable {
    /// The image's own colours.
    case color
    /// `ContrastNormalizer`'s principal-axis grey, text dark on light.
    case contrast
}
