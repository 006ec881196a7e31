import CTesseract
import PosterCore

/// Tesseract through its C API (`tesseract/capi.h`): word-level text, boxes and
/// confidences, with symbol boxes. The one OCR binding of the project: the
/// dataset annotator, the legibility tests and the MARIO-Eval evaluation all
/// read through it. Loading a language model takes a while, so keep an
/// instance; it is not thread-safe, so use one per thread.
public final class TesseractOCR {
    /// Tesseract's page segmentation modes used here.
    public enum PageSegmentation: Int32, Sendable {
        case automatic = 3
        case singleBlock = 6
        case singleLine = 7
        case singleWord = 8
        case sparseText = 11
    }

    private let api: OpaquePointer
    public let language: String

    /// Loads `language` (a traineddata name such as "eng") from `dataPath`, or
    /// from Tesseract's default location (Debian: /usr/share/tesseract-ocr/5/tessdata).
    public init(language: String = "eng", dataPath: String? = nil) throws(OCRError) {
        guard let api = TessBaseAPICreate() else { throw OCRError("cannot create a Tesseract instance") }
        let status = TessBaseAPIInit3(api, dataPath, language)
        guard status == 0 else {
            TessBaseAPIDelete(api)
            throw OCRError("cannot load Tesseract language '\(language)'\(dataPath.map { " from \($0)" } ?? ""): is tesseract-ocr-\(language) installed?")
        }
        self.api = api
        self.language = language
        // Images come without a resolution; stating one keeps Tesseract from guessing (and from saying so on stderr).
        TessBaseAPISetVariable(api, "user_defined_dpi", "300")
        TessBaseAPISetVariable(api, "debug_file", "/dev/null")
    }

    deinit {
        TessBaseAPIEnd(api)
        TessBaseAPIDelete(api)
    }

    /// Reads the words of an 8-bit grey image (dark text on light reads best;
    /// invert a white-on-black glyph mask first).
    public func recognize(_ image: GrayImage, mode: PageSegmentation = .automatic) -> [OCRWord] {
        image.pixels.withUnsafeBufferPointer { pixels in
            recognize(pixels.baseAddress!, width: image.width, height: image.height, bytesPerPixel: 1, mode: mode)
        }
    }

    public func recognize(_ image: RGBImage, mode: PageSegmentation = .automatic) -> [OCRWord] {
        image.pixels.withUnsafeBufferPointer { pixels in
            recognize(pixels.baseAddress!, width: image.width, height: image.height, bytesPerPixel: 3, mode: mode)
        }
    }

    /// The words joined by single spaces.
    public func text(_ image: GrayImage, mode: PageSegmentation = .automatic) -> String {
        recognize(image, mode: mode).map(\.text).joined(separator: " ")
    }

    private func recognize(_ pixels: UnsafePointer<UInt8>, width: Int, height: Int, bytesPerPixel: Int,
                           mode: PageSegmentation) -> [OCRWord] {
        TessBaseAPISetPageSegMode(api, TessPageSegMode(UInt32(mode.rawValue)))
        TessBaseAPISetImage(api, pixels, Int32(width), Int32(height), Int32(bytesPerPixel), Int32(width * bytesPerPixel))
        defer { TessBaseAPIClear(api) }
        guard TessBaseAPIRecognize(api, nil) == 0, let iterator = TessBaseAPIGetIterator(api) else { return [] }
        defer { TessResultIteratorDelete(iterator) }
        let page = TessResultIteratorGetPageIterator(iterator)
        var words: [OCRWord] = []
        repeat {
            if TessPageIteratorIsAtBeginningOf(page, RIL_WORD) != 0, let text = string(iterator, RIL_WORD) {
                words.append(OCRWord(text: text, confidence: Double(TessResultIteratorConfidence(iterator, RIL_WORD)) / 100,
                                     box: box(page, RIL_WORD) ?? OCRBox(left: 0, top: 0, right: 0, bottom: 0)))
            }
            if !words.isEmpty, let symbol = string(iterator, RIL_SYMBOL), let symbolBox = box(page, RIL_SYMBOL) {
                words[words.count - 1].symbols.append(
                    OCRSymbol(text: symbol, confidence: Double(TessResultIteratorConfidence(iterator, RIL_SYMBOL)) / 100, box: symbolBox))
            }
        } while TessResultIteratorNext(iterator, RIL_SYMBOL) != 0
        return words.filter { !$0.text.allSatisfy(\.isWhitespace) }
    }

    private func string(_ iterator: OpaquePointer, _ level: TessPageIteratorLevel) -> String? {
        guard let raw = TessResultIteratorGetUTF8Text(iterator, level) else { return nil }
        defer { TessDeleteText(raw) }
        return String(cString: raw)
    }

    private func box(_ page: OpaquePointer?, _ level: TessPageIteratorLevel) -> OCRBox? {
        var left: Int32 = 0, top: Int32 = 0, right: Int32 = 0, bottom: Int32 = 0
        guard TessPageIteratorBoundingBox(page, level, &left, &top, &right, &bottom) != 0 else { return nil }
        return OCRBox(left: Int(left), top: Int(top), right: Int(right), bottom: Int(bottom))
    }
}

/// Why OCR could not run.
public struct OCRError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
