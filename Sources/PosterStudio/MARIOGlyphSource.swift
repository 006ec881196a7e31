import Foundation
import GlyphControl
import GlyphRender
import OCRData
import PosterCore

/// Glyph-ControlNet training pairs from a MARIO folder (`poster data synth`
/// or `poster data annotate` output): the image, its caption, and as the
/// condition the white-on-black text mask read off charseg.npy (every
/// pixel with a character class), as TextDiffuser builds its glyph input;
/// with `colorHint`, also each word's glyphs painted in the colour measured
/// under them (`GlyphColorHint`), the colour-hint model's extra condition.
public struct MARIOGlyphSource: GlyphControlExampleSource {
    public let entries: [MARIOStore.Entry]
    /// Images and masks come out at this side.
    public let size: Int
    public let colorHint: Bool

    public init(entries: [MARIOStore.Entry], size: Int, colorHint: Bool = false) {
        self.entries = entries
        self.size = size
        self.colorHint = colorHint
    }

    /// Every sample under `root`, split by id: the last `validation` (in id order) are held out.
    public static func split(root: URL, size: Int, validation: Int, colorHint: Bool = false) throws
        -> (train: MARIOGlyphSource, validation: MARIOGlyphSource) {
        let entries = try MARIOStore.entries(in: root).sorted { $0.id < $1.id }
        guard entries.count > validation else {
            throw StudioError("\(root.path): \(entries.count) samples, need more than the \(validation) held out for validation")
        }
        return (MARIOGlyphSource(entries: Array(entries.dropLast(validation)), size: size, colorHint: colorHint),
                MARIOGlyphSource(entries: Array(entries.suffix(validation)), size: size, colorHint: colorHint))
    }

    public var count: Int { entries.count }

    public func example(at index: Int) throws -> GlyphControlExample {
        let sample = try MARIOStore.read(entries[index]).sample
        guard let charseg = sample.charseg else {
            throw StudioError("\(entries[index].directory.path): no charseg.npy (the glyph mask comes from it)")
        }
        let mask = GrayImage(width: charseg.columns, height: charseg.rows, pixels: charseg.values.map { $0 == 0 ? 0 : 255 })
        let image = sample.image.width == size && sample.image.height == size ? sample.image : sample.image.resized(width: size, height: size)
        let sized = mask.width == size && mask.height == size ? mask : mask.resizedNearest(width: size, height: size)
        var example = GlyphControlExample(image: image, mask: sized, caption: sample.caption)
        if colorHint {
            let scaleX = Double(size) / Double(sample.image.width), scaleY = Double(size) / Double(sample.image.height)
            let regions = sample.words.compactMap { word -> PixelRect? in
                let xs = stride(from: 0, to: word.polygon.count, by: 2).map { Double(word.polygon[$0]) * scaleX }
                let ys = stride(from: 1, to: word.polygon.count, by: 2).map { Double(word.polygon[$0]) * scaleY }
                guard let minX = xs.min(), let maxX = xs.max(), let minY = ys.min(), let maxY = ys.max() else { return nil }
                return PixelRect(minX: minX - 1, minY: minY - 1, maxX: maxX + 1, maxY: maxY + 1)
            }
            example.colorHint = GlyphColorHint.measured(image: image, mask: sized, regions: regions)
        }
        return example
    }
}
