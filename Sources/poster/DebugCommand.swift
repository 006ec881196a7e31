import ArgumentParser
import Foundation
import GlyphControl
import TensorCore

/// `poster debug`: single model calls on safetensors inputs, to check a converted checkpoint against its reference.
struct DebugCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "debug", abstract: "Run one model call on tensors from a safetensors file.",
                                                    subcommands: [DebugDenoise.self, DebugText.self, DebugLM.self])
}

struct DebugDenoise: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "denoise",
        abstract: "One UNet (+ControlNet) call: reads sample, timestep, encoder_hidden_states [, controlnet_cond, conditioning_scale]; writes noise_pred.")

    @Option(help: "A diffusers pipeline folder (model_index.json, unet/, optional controlnet/) or a unet folder.")
    var model: String

    @Option(help: "safetensors file with the input tensors.")
    var input: String

    @Option(help: "safetensors file to write noise_pred (F32) to.")
    var output: String

    func run() throws {
        do {
            let pipeline = try PipelineDirectory(URL(fileURLWithPath: model))
            let inputs = try SafetensorsFile(path: input)
            let prediction = try DenoiseCheck.run(pipeline: pipeline, inputs: inputs)
            var writer = SafetensorsWriter(metadata: ["producer": "poster debug denoise"])
            try writer.add("noise_pred", shape: prediction.shape, values: prediction.scalars)
            try writer.write(to: output)
            print("noise_pred \(prediction.shape) written to \(output)")
        } catch { throw InputError(error) }
    }
}

struct DebugText: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "text",
        abstract: "Tokenize a prompt and run the text encoder: writes input_ids (I64 [1, 77]) and last_hidden_state (F32).")

    @Option(help: "A diffusers pipeline folder with tokenizer/ and text_encoder/.")
    var model: String

    @Option(help: "The prompt.")
    var prompt: String

    @Option(help: "safetensors file to write.")
    var output: String

    func run() throws {
        do {
            let (ids, hidden) = try TextEncodingCheck.run(pipeline: URL(fileURLWithPath: model), prompt: prompt)
            var writer = SafetensorsWriter(metadata: ["producer": "poster debug text", "prompt": prompt])
            try writer.add("input_ids", dtype: .i64, shape: [1, ids.count], integers: ids.map(Int64.init))
            try writer.add("last_hidden_state", shape: hidden.shape, values: hidden.scalars)
            try writer.write(to: output)
            print("input_ids [1, \(ids.count)] and last_hidden_state \(hidden.shape) written to \(output)")
        } catch { throw InputError(error) }
    }
}
