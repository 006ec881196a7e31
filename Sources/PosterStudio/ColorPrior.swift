import GlyphRender
import PosterCore

/// The start image of `poster generate`'s colour prior: the background colour
/// the prompt names ("a dark blue poster"), with the planned glyphs painted
/// in their colours (`PromptTextColors`). Generation starts from this image
/// noised to a high img2img strength instead of from pure noise, so the
/// noise's low frequencies no longer decide the background (MODEL_CARD: the
/// default model does not read background colour words from the caption,
/// and at the first steps it takes the noise's blotches for colour regions).
public enum ColorPrior {
    /// The background colour the prompt names, nil when none: then there is no prior.
    public static func background(in prompt: String) -> RGBColor? {
        ColorAdherence.backgroundColor(in: prompt).flatMap(PromptTextColors.rgb)
    }

    /// nil when the prompt names no background colour.
    public static func image(prompt: String, mask: GlyphMask) -> RGBImage? {
        guard let background = background(in: prompt) else { return nil }
        let hint = PromptTextColors.colorHint(prompt: prompt, mask: mask)
        let coverage = mask.image
        var image = RGBImage(width: coverage.width, height: coverage.height, fill: background)
        let base = [background.red, background.green, background.blue]
        for i in 0..<(coverage.width * coverage.height) {
            let a = UInt32(coverage.pixels[i])
            guard a > 0 else { continue }
            for c in 0..<3 {
                // The hint holds colour × coverage: over the background, that is colour·a + background·(1 − a).
                let painted = UInt32(hint.pixels[i * 3 + c]) * 255 + UInt32(base[c]) * (255 - a)
                image.pixels[i * 3 + c] = UInt8(min(255, (painted + 127) / 255))
            }
        }
        return image
    }
}
