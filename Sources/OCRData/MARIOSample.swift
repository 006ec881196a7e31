import PosterCore

/// One MARIO-10M sample: the folder `{5-digit}/{9-digit}/` holding image.jpg
/// (or .png), caption.txt, ocr.txt, charseg.npy and info.json.
public struct MARIOSample: Sendable {
    /// The 9-digit sample id; its first five digits name the parent folder.
    public var id: String
    public var image: RGBImage
    public var caption: String
    public var words: [MARIOWord]
    /// 256x256 character classes (0 background, 1...95 `MARIOAlphabet`); nil when the sample has none.
    public var charseg: NumpyArray?
    /// info.json as written (a JSON object), kept byte for byte.
    public var info: String
    /// Whether image is stored as PNG rather than JPEG.
    public var imageIsPNG: Bool

    public init(id: String, image: RGBImage, caption: String, words: [MARIOWord], charseg: NumpyArray?,
                info: String = "{}", imageIsPNG: Bool = false) {
        self.id = id
        self.image = image
        self.caption = caption
        self.words = words
        self.charseg = charseg
        self.info = info
        self.imageIsPNG = imageIsPNG
    }

    /// The 9-digit id for sample number `index`.
    public static func id(index: Int) -> String {
        let digits = String(index)
        return String(repeating: "0", count: max(0, 9 - digits.count)) + digits
    }

    /// The folder a sample lives in, relative to the dataset root: `28330/283305839`.
    public static func relativePath(id: String) -> String { "\(id.prefix(5))/\(id)" }
}
