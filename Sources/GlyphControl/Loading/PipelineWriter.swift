import Foundation
import TensorCore

/// Writes a diffusers `StableDiffusionControlNetPipeline` folder, as
/// `save_pretrained` lays it out: model_index.json, unet/ and controlnet/
/// (config.json + diffusion_pytorch_model.safetensors), text_encoder/
/// (config.json + model.safetensors), tokenizer/, scheduler/ and, for
/// GlyphPoster's own settings, glyphposter.json. diffusers and transformers
/// load every component unchanged (tools/check_glyphcontrol_diffusers.py).
public enum PipelineWriter {
    public static let diffusersVersion = "0.42.0"

    /// `tokenizer` is a folder of tokenizer files copied as they are.
    public static func write(models: GlyphControlModelSet, tokenizer: URL, scheduler: SchedulerConfiguration,
                             model: GlyphPosterModelConfiguration, to directory: URL, dtype: DType = .f16) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        var index: [String: Any] = [
            "_class_name": models.controlnet == nil ? "StableDiffusionPipeline" : "StableDiffusionControlNetPipeline",
            "_diffusers_version": diffusersVersion,
            "unet": ["diffusers", "UNet2DConditionModel"],
            "text_encoder": ["transformers", "CLIPTextModel"],
            "tokenizer": ["transformers", "CLIPTokenizer"],
            "scheduler": ["diffusers", scheduler.className ?? "DDIMScheduler"],
            "vae": [NSNull(), NSNull()],
            "safety_checker": [NSNull(), NSNull()],
            "feature_extractor": [NSNull(), NSNull()],
            "image_encoder": [NSNull(), NSNull()],
            "requires_safety_checker": false,
        ]
        let unetDirectory = directory.appendingPathComponent("unet")
        try fm.createDirectory(at: unetDirectory, withIntermediateDirectories: true)
        try writeJSON(unetConfig(models.unet.configuration, className: "UNet2DConditionModel"), to: unetDirectory.appendingPathComponent("config.json"))
        try models.unet.writeWeights(to: unetDirectory.appendingPathComponent("diffusion_pytorch_model.safetensors").path, dtype: dtype)
        if let controlnet = models.controlnet {
            index["controlnet"] = ["diffusers", "ControlNetModel"]
            let folder = directory.appendingPathComponent("controlnet")
            try fm.createDirectory(at: folder, withIntermediateDirectories: true)
            try writeJSON(unetConfig(controlnet.configuration, className: "ControlNetModel"), to: folder.appendingPathComponent("config.json"))
            try controlnet.writeWeights(to: folder.appendingPathComponent("diffusion_pytorch_model.safetensors").path, dtype: dtype)
        }
        let textFolder = directory.appendingPathComponent("text_encoder")
        try fm.createDirectory(at: textFolder, withIntermediateDirectories: true)
        var text = try jsonObject(models.textEncoder.config)
        text["architectures"] = ["CLIPTextModel"]
        text["model_type"] = "clip_text_model"
        text["torch_dtype"] = dtype == .f16 ? "float16" : "float32"
        text["attention_dropout"] = 0.0
        text["initializer_range"] = 0.02
        try writeJSON(text, to: textFolder.appendingPathComponent("config.json"))
        try models.textEncoder.writeWeights(to: textFolder.appendingPathComponent("model.safetensors").path, dtype: dtype)

        let tokenizerFolder = directory.appendingPathComponent("tokenizer")
        if tokenizer.standardizedFileURL != tokenizerFolder.standardizedFileURL {
            try fm.createDirectory(at: tokenizerFolder, withIntermediateDirectories: true)
            for name in try fm.contentsOfDirectory(atPath: tokenizer.path) {
                let target = tokenizerFolder.appendingPathComponent(name)
                try? fm.removeItem(at: target)
                try fm.copyItem(at: tokenizer.appendingPathComponent(name), to: target)
            }
        }
        let schedulerFolder = directory.appendingPathComponent("scheduler")
        try fm.createDirectory(at: schedulerFolder, withIntermediateDirectories: true)
        var schedulerObject = try jsonObject(scheduler)
        schedulerObject["_class_name"] = scheduler.className ?? "DDIMScheduler"
        schedulerObject["_diffusers_version"] = diffusersVersion
        try writeJSON(schedulerObject, to: schedulerFolder.appendingPathComponent("scheduler_config.json"))
        try model.write(to: directory)
        try writeJSON(index, to: directory.appendingPathComponent("model_index.json"))
    }

    /// config.json of a UNet or ControlNet: the shared configuration with the
    /// keys the other class does not take left out.
    static func unetConfig(_ configuration: UNetConfiguration, className: String) throws -> [String: Any] {
        var object = try jsonObject(configuration)
        object["_class_name"] = className
        object["_diffusers_version"] = diffusersVersion
        if className == "ControlNetModel" {
            for key in ["out_channels", "up_block_types", "conv_out_kernel", "conv_in_kernel", "center_input_sample", "dual_cross_attention",
                        "time_embedding_type", "sample_size"] { object[key] = nil }
            object["conditioning_channels"] = configuration.conditioningChannels ?? 3
            object["controlnet_conditioning_channel_order"] = configuration.controlnetConditioningChannelOrder ?? "rgb"
        } else {
            for key in ["conditioning_channels", "conditioning_embedding_out_channels", "controlnet_conditioning_channel_order"] { object[key] = nil }
        }
        return object
    }

    static func jsonObject(_ value: some Encodable) throws -> [String: Any] {
        let data = try JSONEncoder().encode(value)
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    static func writeJSON(_ object: [String: Any], to url: URL) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try (data + Data("\n".utf8)).write(to: url, options: .atomic)
    }
}
