/// One OCR word of a MARIO sample (`ocr.txt`): its text, a 4-point polygon in
/// 512-px image coordinates (x1,y1,...,x4,y4, clockwise from the top-left as
/// MARIO writes them) and the OCR confidence.
public struct MARIOWord: Hashable, Sendable {
    public var text: String
    public var polygon: [Int]
    public var confidence: Double

    public init(text: String, polygon: [Int], confidence: Double) {
        self.text = text
        self.polygon = polygon
        self.confidence = confidence
    }

    /// An axis-aligned rectangle as a polygon: top-left, top-right, bottom-right, bottom-left.
    public init(text: String, left: Int, top: Int, right: Int, bottom: Int, confidence: Double) {
        self.init(text: text, polygon: [left, top, right, top, right, bottom, left, bottom], confidence: confidence)
    }

    /// The smallest axis-aligned box around the polygon: left, top, right, bottom
    /// (how TextDiffuser turns OCR polygons into layout boxes).
    public var boundingBox: (left: Int, top: Int, right: Int, bottom: Int) {
        let xs = stride(from: 0, to: polygon.count, by: 2).map { polygon[$0] }
        let ys = stride(from: 1, to: polygon.count, by: 2).map { polygon[$0] }
        return (xs.min() ?? 0, ys.min() ?? 0, xs.max() ?? 0, ys.max() ?? 0)
    }
}
