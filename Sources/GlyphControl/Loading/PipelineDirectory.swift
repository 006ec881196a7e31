import Foundation
import TensorCore

/// A diffusers pipeline folder (`model_index.json` naming its components,
/// one sub-folder each) or a single component folder. Components are loaded
/// on request; a component the pipeline needs but lacks is an error naming it.
public struct PipelineDirectory: Sendable {
    public let url: URL
    /// Component name -> class name from model_index.json (absent or null entries left out).
    public let components: [String: String]

    public init(_ url: URL) throws(ComponentLoadError) {
        self.url = url
        let index = url.appendingPathComponent("model_index.json")
        guard let data = FileManager.default.contents(atPath: index.path) else {
            // A lone component folder: its config names what it is.
            guard let config = FileManager.default.contents(atPath: url.appendingPathComponent("config.json").path),
                  let object = try? JSONSerialization.jsonObject(with: config) as? [String: Any] else {
                throw .missing("\(url.path): neither a diffusers pipeline (model_index.json) nor a component folder (config.json)")
            }
            let className = object["_class_name"] as? String ?? (object["architectures"] as? [String])?.first ?? "unknown"
            components = ["": className]
            return
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw .invalidConfiguration("\(index.path) is not a JSON object")
        }
        var found: [String: String] = [:]
        for (key, value) in object where !key.hasPrefix("_") {
            if let pair = value as? [Any], pair.count == 2, let className = pair[1] as? String { found[key] = className }
        }
        components = found
    }

    /// The folder of `component` ("unet", "controlnet", ...): the sub-folder
    /// of a pipeline, or the folder itself when it is that component.
    public func folder(_ component: String, expecting classNames: [String]) throws(ComponentLoadError) -> URL? {
        if let only = components[""] { return classNames.contains(only) ? url : nil }
        guard let className = components[component] else { return nil }
        guard classNames.contains(className) else {
            throw .unsupported("\(url.path)/model_index.json: \(component) is a \(className); supported: \(classNames.joined(separator: ", "))")
        }
        let folder = url.appendingPathComponent(component)
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("config.json").path) else {
            throw .missing("\(url.path): model_index.json lists \(component) (\(className)) but \(component)/config.json is missing")
        }
        return folder
    }

    public func unet() throws(ComponentLoadError) -> UNet2DConditionModel {
        guard let folder = try folder("unet", expecting: ["UNet2DConditionModel"]) else {
            throw .missing("\(url.path): no unet component (UNet2DConditionModel)")
        }
        return try UNet2DConditionModel.load(from: folder)
    }

    public func controlnet() throws(ComponentLoadError) -> ControlNetModel? {
        try folder("controlnet", expecting: ["ControlNetModel"]).map { folder throws(ComponentLoadError) in try ControlNetModel.load(from: folder) }
    }

    public func vae() throws(ComponentLoadError) -> AutoencoderKL? {
        try folder("vae", expecting: ["AutoencoderKL"]).map { folder throws(ComponentLoadError) in try AutoencoderKL.load(from: folder) }
    }
}

/// One UNet(+ControlNet) call on named tensors, for checking a converted
/// checkpoint against diffusers (`poster debug denoise`): reads `sample`,
/// `timestep` (one or one per batch item), `encoder_hidden_states`, optional
/// `controlnet_cond` and `conditioning_scale`; returns `noise_pred`.
public enum DenoiseCheck {
    public static func run(pipeline: PipelineDirectory, inputs: any TensorSource) throws -> Tensor {
        func tensor(_ name: String) throws -> Tensor {
            guard inputs.contains(name) else { throw ComponentLoadError.missing("\(inputs.path): no tensor '\(name)'") }
            return Tensor(shape: try inputs.info(name).shape, scalars: try inputs.floats(name))
        }
        let sample = try tensor("sample"), context = try tensor("encoder_hidden_states")
        var timesteps = try tensor("timestep").scalars
        if timesteps.count == 1 { timesteps = [Float](repeating: timesteps[0], count: sample.shape[0]) }
        guard timesteps.count == sample.shape[0] else {
            throw ComponentLoadError.invalidConfiguration("\(inputs.path): timestep has \(timesteps.count) values for a batch of \(sample.shape[0])")
        }
        let unet = try pipeline.unet()
        var residuals: ControlNetResiduals? = nil
        if inputs.contains("controlnet_cond") {
            guard let controlnet = try pipeline.controlnet() else {
                throw ComponentLoadError.missing("\(inputs.path) has controlnet_cond but \(pipeline.url.path) has no controlnet")
            }
            let scale = inputs.contains("conditioning_scale") ? try tensor("conditioning_scale").scalars.first ?? 1 : 1
            let condition = try tensor("controlnet_cond")
            residuals = withoutGradients { controlnet(sample, timesteps: timesteps, context: context, condition: condition, conditioningScale: scale) }
        }
        return withoutGradients { unet(sample, timesteps: timesteps, context: context, controlnet: residuals) }
    }
}

extension PipelineDirectory {
    /// The prompt encoder from the pipeline's `tokenizer/` and `text_encoder/` folders.
    public func promptEncoder(clipSkip: Int = 0) throws -> CLIPPromptEncoder {
        for component in ["tokenizer", "text_encoder"] where components[component] == nil {
            throw ComponentLoadError.missing("\(url.path): model_index.json has no \(component)")
        }
        return try CLIPPromptEncoder.load(pipeline: url, clipSkip: clipSkip)
    }

    /// `scheduler/scheduler_config.json`.
    public func schedulerConfiguration() throws -> SchedulerConfiguration {
        let path = url.appendingPathComponent("scheduler/scheduler_config.json")
        guard FileManager.default.fileExists(atPath: path.path) else { throw ComponentLoadError.missing("\(url.path): no scheduler/scheduler_config.json") }
        return try SchedulerConfiguration(contentsOf: path)
    }
}

extension GlyphPosterPipeline {
    /// Every component of a diffusers pipeline folder: unet, optional
    /// controlnet and vae, tokenizer + text_encoder, scheduler.
    public static func load(from url: URL) throws -> GlyphPosterPipeline {
        let directory = try PipelineDirectory(url)
        let model = try GlyphPosterModelConfiguration.load(pipeline: url)
        return GlyphPosterPipeline(unet: try directory.unet(), controlnet: try directory.controlnet(), vae: try directory.vae(),
                                   promptEncoder: try directory.promptEncoder(), scheduler: try directory.schedulerConfiguration(),
                                   pixelUnshuffle: model.pixelUnshuffle)
    }
}

/// A prompt through the tokenizer and text encoder, for checking a converted
/// checkpoint against transformers (`poster debug text`).
public enum TextEncodingCheck {
    public static func run(pipeline url: URL, prompt: String) throws -> (ids: [Int], hiddenState: Tensor) {
        let encoder = try PipelineDirectory(url).promptEncoder()
        let ids = encoder.tokenizer.encode(prompt)
        return (ids, try encoder.encode([prompt]))
    }
}
