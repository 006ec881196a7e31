import Foundation
import GlyphControl
import OCRData
import PosterCore

/// Glyph-ControlNet training pairs from a MARIO folder (`poster data synth`
/// or `poster data annotate` output): the image, its caption, and as the
/// condition the white-on-black text mask read off charseg.npy (every
/// pixel with a character class), as TextDiffuser builds its glyph input.
public struct MARIOGlyphSource: GlyphControlExampleSource {
    public let entries: [MARIOStore.Entry]
    /// Images and masks come out at this side.
    public let size: Int

    public init(entries: [MARIOStore.Entry], size: Int) {
        self.entries = entries
        self.size = size
    }

    /// Every sample under `root`, split by id: the last `validation` (in id order) are held out.
    public static func split(root: URL, size: Int, validation: Int) throws -> (train: MARIOGlyphSource, validation: MARIOGlyphSource) {
        let entries = try MARIOStore.entries(in: root).sorted { $0.id < $1.id }
        guard entries.count > validation else {
            throw StudioError("\(root.path): \(entries.count) samples, need more than the \(validation) held out for validation")
        }
        return (MARIOGlyphSource(entries: Array(entries.dropLast(validation)), size: size),
                MARIOGlyphSource(entries: Array(entries.suffix(validation)), size: size))
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
        return GlyphControlExample(image: image, mask: sized, caption: sample.caption)
    }
}
