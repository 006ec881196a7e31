import Foundation
import PosterCore
import TensorCore

/// Prompt + glyph mask -> image, composed like diffusers'
/// StableDiffusionControlNetPipeline: encode the prompt (and the negative
/// prompt for guidance), start from seeded noise, and at each scheduler step
/// run the ControlNet on the mask, the UNet with its residuals, guidance, and
/// the scheduler; decode with the VAE when the model works in latents.
public final class GlyphPosterPipeline {
    public let unet: UNet2DConditionModel
    public let controlnet: ControlNetModel?
    public let vae: AutoencoderKL?
    public let promptEncoder: PromptEncoder
    public let schedulerConfiguration: SchedulerConfiguration
    /// Pixel-space models without a VAE may run their UNet on the
    /// pixel-unshuffled image (`glyphposter.json`'s `pixel_unshuffle`).
    public let pixelUnshuffle: Int
    /// Seconds the last generation spent decoding (VAE or pixel shuffle), for per-stage timings.
    public private(set) var lastDecodeSeconds = 0.0

    public init(unet: UNet2DConditionModel, controlnet: ControlNetModel?, vae: AutoencoderKL?, promptEncoder: PromptEncoder,
                scheduler: SchedulerConfiguration, pixelUnshuffle: Int = 1) {
        self.pixelUnshuffle = vae == nil ? max(1, pixelUnshuffle) : 1
        self.unet = unet
        self.controlnet = controlnet
        self.vae = vae
        self.promptEncoder = promptEncoder
        self.schedulerConfiguration = scheduler
    }

    public struct Cancelled: Error {}

    /// Pixels per latent cell: 2^(VAE blocks − 1), the unshuffle factor in pixel space.
    public var latentScale: Int { vae.map { 1 << ($0.configuration.blockOutChannels.count - 1) } ?? pixelUnshuffle }

    public func generate(_ configuration: GenerationConfiguration,
                         progress: ((GenerationProgress) -> Bool)? = nil) throws -> RGBImage {
        Self.rgb(try generateTensor(configuration, progress: progress))
    }

    /// The decoded image as [1, C, H, W] in [-1, 1], before quantisation.
    public func generateTensor(_ configuration: GenerationConfiguration,
                               progress: ((GenerationProgress) -> Bool)? = nil) throws -> Tensor {
        let scale = latentScale
        guard configuration.width > 0, configuration.height > 0, configuration.width % (scale * 8) == 0, configuration.height % (scale * 8) == 0 else {
            throw GenerationError("size \(configuration.width)x\(configuration.height) must be a positive multiple of \(scale * 8)")
        }
        guard (1...1000).contains(configuration.steps) else { throw GenerationError("steps must be in 1...1000, got \(configuration.steps)") }
        var scheduler = try makeScheduler(schedulerConfiguration, className: configuration.scheduler)
        try scheduler.setTimesteps(configuration.steps)
        let useGuidance = configuration.guidanceScale != 1
        let context = try promptEncoder.encode(useGuidance ? [configuration.negativePrompt, configuration.prompt] : [configuration.prompt])
        let batch = useGuidance ? 2 : 1
        var condition: Tensor? = nil
        if let controlnet {
            guard let mask = configuration.glyphMask else { throw GenerationError("this model has a ControlNet: give a glyph mask") }
            guard mask.width == configuration.width, mask.height == configuration.height else {
                throw GenerationError("glyph mask is \(mask.width)x\(mask.height), the image \(configuration.width)x\(configuration.height)")
            }
            let one = try GlyphCondition.tensor(mask: mask, colorHint: configuration.colorHint,
                                                channels: controlnet.configuration.conditioningChannels ?? 3)
            // The conditioning embedding depends on the condition alone: embedded once, not at every step.
            let embedded = withoutGradients { controlnet.embedCondition(one) }
            condition = batch == 2 ? Tensor.concatenate([embedded, embedded], axis: 0) : embedded
        }
        var random = TensorRandom(seed: configuration.seed)
        let latentShape = [1, unet.configuration.inChannels, configuration.height / scale, configuration.width / scale]
        if let given = configuration.initialLatents, given.shape != latentShape {
            throw GenerationError("initial latents are \(given.shape), this model and size need \(latentShape)")
        }
        var latents = (configuration.initialLatents ?? random.normal(shape: latentShape)) * scheduler.initNoiseSigma
        var timesteps = scheduler.timesteps
        if let initImage = configuration.initImage {
            // img2img as diffusers' img2img pipelines: keep the last int(N·strength) steps and noise the image to the first of them.
            guard initImage.width == configuration.width, initImage.height == configuration.height else {
                throw GenerationError("init image is \(initImage.width)x\(initImage.height), the output \(configuration.width)x\(configuration.height)")
            }
            timesteps = try scheduler.img2imgTimesteps(strength: configuration.strength)
            guard let start = timesteps.first else { throw GenerationError("strength \(configuration.strength) leaves no denoising steps") }
            var clean = PixelShuffle.unshuffle(Self.tensor(initImage, channels: unet.configuration.inChannels / (pixelUnshuffle * pixelUnshuffle)),
                                               factor: pixelUnshuffle)
            if let vae {
                let (mean, logVariance) = withoutGradients { vae.encode(Self.tensor(initImage, channels: vae.configuration.inChannels)) }
                clean = withoutGradients { vae.sample(mean: mean, logVariance: logVariance, random: &random) } * vae.configuration.scalingFactor
            }
            latents = try scheduler.addNoise(original: clean, noise: random.normal(shape: latentShape), timesteps: [start])
        }
        for (index, t) in timesteps.enumerated() {
            let input = try scheduler.scaleModelInput(batch == 2 ? Tensor.concatenate([latents, latents], axis: 0) : latents, timestep: t)
            let prediction = withoutGradients { () -> Tensor in
                let ts = [Float](repeating: t, count: batch)
                let residuals = controlnet.map {
                    $0(input, timesteps: ts, context: context, embeddedCondition: condition!, conditioningScale: configuration.conditioningScale,
                       guessMode: configuration.guessMode)
                }
                return unet(input, timesteps: ts, context: context, controlnet: residuals)
            }
            let noise = useGuidance ? try guided(batched: prediction, scale: configuration.guidanceScale) : prediction
            latents = try scheduler.step(modelOutput: noise, timestep: t, sample: latents, random: &random)
            if let progress, !progress(GenerationProgress(step: index + 1, stepCount: timesteps.count, timestep: t)) { throw Cancelled() }
        }
        let image: Tensor
        let decodeStart = Date()
        defer { lastDecodeSeconds = Date().timeIntervalSince(decodeStart) }
        if let vae {
            let shift = vae.configuration.shiftFactor ?? 0
            image = withoutGradients { vae.decode(latents / vae.configuration.scalingFactor + shift) }
        } else {
            image = PixelShuffle.shuffle(latents, factor: pixelUnshuffle)
        }
        return image
    }

    /// 8-bit RGB to [1, channels, H, W] in [-1, 1] (one channel: the luma).
    static func tensor(_ image: RGBImage, channels: Int) -> Tensor {
        let (h, w) = (image.height, image.width)
        var values = [Float](repeating: 0, count: channels * h * w)
        let grey = image.luma()
        for c in 0..<channels {
            for i in 0..<(h * w) {
                let byte = channels == 1 ? grey.pixels[i] : image.pixels[i * 3 + min(c, 2)]
                values[c * h * w + i] = Float(byte) / 127.5 - 1
            }
        }
        return Tensor(shape: [1, channels, h, w], scalars: values)
    }

    /// [1, 3, H, W] in [-1, 1] to 8-bit RGB (grey models repeat their channel).
    public static func rgbImage(_ image: Tensor) -> RGBImage { rgb(image) }

    static func rgb(_ image: Tensor) -> RGBImage {
        let (c, h, w) = (image.shape[1], image.shape[2], image.shape[3])
        var pixels = [UInt8](repeating: 0, count: h * w * 3)
        for y in 0..<h {
            for x in 0..<w {
                for k in 0..<3 {
                    let v = image.scalars[(min(k, c - 1) * h + y) * w + x]
                    pixels[(y * w + x) * 3 + k] = UInt8(max(0, min(255, ((v / 2 + 0.5) * 255).rounded())))
                }
            }
        }
        return RGBImage(width: w, height: h, pixels: pixels)
    }
}

/// A generation request that cannot be carried out, and why.
public struct GenerationError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
