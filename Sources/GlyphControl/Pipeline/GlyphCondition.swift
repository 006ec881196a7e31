import PosterCore
import TensorCore

/// What the glyph ControlNet reads, by its `conditioning_channels`:
/// 1 = the white-on-black mask; 3 = the mask in all three planes (how an
/// RGB ControlNet such as diffusers' examples takes a glyph image);
/// 4 = the mask, then the RGB colour hint (GlyphRender's `GlyphColorHint`:
/// glyphs painted in their text colour). All planes in [0, 1]. The hint is
/// always given in training, so black hint planes under lit mask pixels mean
/// black text; a missing hint is taken as black.
public enum GlyphCondition {
    public static let maskAndColorHintChannels = 4

    /// One [C, H, W] plane stack as a flat array.
    public static func planes(mask: GrayImage, colorHint: RGBImage?, channels: Int) throws -> [Float] {
        let plane = mask.pixels.map { Float($0) / 255 }
        switch channels {
        case 1, 3:
            return Array([[Float]](repeating: plane, count: channels).joined())
        case maskAndColorHintChannels:
            var out = plane
            out.reserveCapacity(plane.count * 4)
            guard let hint = colorHint else { return out + [Float](repeating: 0, count: plane.count * 3) }
            guard hint.width == mask.width, hint.height == mask.height else {
                throw GenerationError("colour hint is \(hint.width)x\(hint.height), the glyph mask \(mask.width)x\(mask.height)")
            }
            for c in 0..<3 {
                out += stride(from: c, to: hint.pixels.count, by: 3).map { Float(hint.pixels[$0]) / 255 }
            }
            return out
        default:
            throw GenerationError("a glyph ControlNet reads 1 (mask), 3 (mask as RGB) or 4 (mask + colour hint) channels, this one \(channels)")
        }
    }

    /// [1, C, H, W] for one mask (and hint).
    public static func tensor(mask: GrayImage, colorHint: RGBImage?, channels: Int) throws -> Tensor {
        Tensor(shape: [1, channels, mask.height, mask.width], scalars: try planes(mask: mask, colorHint: colorHint, channels: channels))
    }
}
