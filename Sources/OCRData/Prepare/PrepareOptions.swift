/// Every parameter of `poster data prepare`; written into the output's
/// manifest so a dataset says how it was made.
public struct PrepareOptions: Sendable, Codable {
    /// Words below this OCR confidence are dropped.
    public var minimumConfidence: Double = 0.5
    /// Samples with more lines than this are dropped (TextDiffuser plans at most 8).
    public var maximumLines: Int = 8
    /// Samples whose line boxes cover less than this fraction of the image are dropped.
    public var minimumTextArea: Double = 0.002
    /// Samples whose original image (info.json's original size, else the image) is smaller than this on either side are dropped.
    public var minimumImageSide: Int = 256
    /// Keep only samples whose every line's text appears in the caption (case-insensitive).
    public var requireKeywordsInCaption: Bool = true
    /// Percent of samples (by a hash of the id) in the validation split.
    public var validationPercent: Int = 5
    /// Any bad input stops the run instead of being skipped and counted.
    public var strict: Bool = false
    /// Canvas of the records (images are resized to it; masks are drawn at it).
    public var canvas: Int = 512
    public var merger: LineMerger = LineMerger()

    public init() {}

    enum CodingKeys: String, CodingKey {
        case minimumConfidence = "min_confidence", maximumLines = "max_lines", minimumTextArea = "min_text_area"
        case minimumImageSide = "min_image_side", requireKeywordsInCaption = "require_keywords_in_caption"
        case validationPercent = "validation_percent", strict, canvas, merger
    }
}
