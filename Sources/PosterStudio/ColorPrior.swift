import GlyphRender
import PosterCore

/// The start image of `poster generate`'s colour prior: the backdrop the prompt
/// names ("a dark blue poster", "a yellow to orange gradient poster"), with the
/// planned glyphs painted in their colours (`PromptTextColors`). Generation
/// starts from this image noised to a high img2img strength instead of from
/// pure noise, so the noise's low frequencies no longer decide the background
/// (MODEL_CARD: the default model does not read background colour words from
/// the caption, and at the first steps it takes the noise's blotches for
/// colour regions).
public enum ColorPrior {
    /// A backdrop in the synthetic captions' words (`SynthCaption`): a flat colour, or
    /// a gradient "A to B gradient" / "A to B radial gradient".
    public enum Backdrop: Equatable, Sendable {
        case flat(RGBColor)
        /// Drawn top to bottom: captions do not say the direction, and the synthesizer draws all four.
        case linearGradient(RGBColor, RGBColor)
        /// Centre colour then edge colour, centred a little above the middle (the synthesizer's mean centre).
        case radialGradient(RGBColor, RGBColor)

        public func image(width: Int, height: Int) -> RGBImage {
            switch self {
            case .flat(let color): return RGBImage(width: width, height: height, fill: color)
            case .linearGradient(let a, let b):
                return .linearGradient(width: width, height: height, from: a, to: b, angle: Double.pi / 2)
            case .radialGradient(let a, let b):
                return .radialGradient(width: width, height: height, centre: a, edge: b, cx: 0.5, cy: 0.4, radius: 0.85)
            }
        }
    }

    /// The backdrop the prompt names, nil when none: then there is no prior.
    public static func backdrop(in prompt: String) -> Backdrop? {
        if let flat = ColorAdherence.backgroundColor(in: prompt).flatMap(PromptTextColors.rgb) { return .flat(flat) }
        let words = prompt.lowercased().split(whereSeparator: { !$0.isLetter }).map(String.init)
        guard let p = words.firstIndex(of: "poster"), p >= 2, words[p - 1] == "gradient" else { return nil }
        let radial = words[p - 2] == "radial"
        let end = radial ? p - 2 : p - 1
        // "<a|an> A to B [radial] gradient poster", A and B one or two words each.
        for second in [2, 1] where end - second - 1 >= 1 && words[end - second - 1] == "to" {
            let b = words[(end - second)..<end].joined(separator: " ")
            let to = end - second - 1
            for first in [2, 1] where to - first >= 1 && ["a", "an"].contains(words[to - first - 1]) {
                let a = words[(to - first)..<to].joined(separator: " ")
                if let ca = PromptTextColors.rgb(a), let cb = PromptTextColors.rgb(b) {
                    return radial ? .radialGradient(ca, cb) : .linearGradient(ca, cb)
                }
            }
        }
        return nil
    }

    /// nil when the prompt names no backdrop.
    public static func image(prompt: String, mask: GlyphMask) -> RGBImage? {
        guard let backdrop = backdrop(in: prompt) else { return nil }
        let hint = PromptTextColors.colorHint(prompt: prompt, mask: mask)
        let coverage = mask.image
        var image = backdrop.image(width: coverage.width, height: coverage.height)
        for i in 0..<(coverage.width * coverage.height) {
            let a = UInt32(coverage.pixels[i])
            guard a > 0 else { continue }
            for c in 0..<3 {
                // The hint holds colour × coverage: over the backdrop, that is colour·a + backdrop·(1 − a).
                let painted = UInt32(hint.pixels[i * 3 + c]) * 255 + UInt32(image.pixels[i * 3 + c]) * (255 - a)
                image.pixels[i * 3 + c] = UInt8(min(255, (painted + 127) / 255))
            }
        }
        return image
    }
}
