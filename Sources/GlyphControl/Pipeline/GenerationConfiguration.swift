import PosterCore
import TensorCore

/// Everything one generation needs, as ml-stable-diffusion's
/// `StableDiffusionPipeline.Configuration` gathers it.
public struct GenerationConfiguration: Sendable {
    public var prompt: String
    public var negativePrompt: String = ""
    /// The white-on-black glyph mask at the output size (ControlNet condition); nil without a ControlNet.
    public var glyphMask: GrayImage?
    /// The text-colour hint at the output size, read by a ControlNet with 4 conditioning channels (nil: no colour given).
    public var colorHint: RGBImage?
    public var width: Int = 256
    public var height: Int = 256
    public var steps: Int = 20
    /// Classifier-free guidance; 1 disables the unconditional pass.
    public var guidanceScale: Float = 7.5
    public var conditioningScale: Float = 1
    public var guessMode: Bool = false
    /// A diffusers scheduler class name overriding the pipeline's (e.g. "DDIMScheduler").
    public var scheduler: String?
    public var seed: UInt64 = 0
    /// img2img: start from this image (output size) noised to `strength` instead of from pure noise.
    public var initImage: RGBImage?
    /// img2img strength in [0, 1]: 1 ignores the image's content, small values keep it.
    public var strength: Double = 0.8
    /// Starting latents instead of seeded noise (diffusers' `latents=`), e.g. to repeat a reference run.
    public var initialLatents: Tensor?

    public init(prompt: String) { self.prompt = prompt }
}

/// Where a generation is, for a progress callback; returning false cancels.
public struct GenerationProgress: Sendable {
    public var step: Int
    public var stepCount: Int
    public var timestep: Float
}
