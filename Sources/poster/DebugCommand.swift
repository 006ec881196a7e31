import ArgumentParser
import Foundation
import GlyphControl
import TensorCore

/// `poster debug`: single model calls on safetensors inputs, to check a converted checkpoint against its reference.
struct DebugCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "debug", abstract: "Run one model call on tensors from a safetensors file.",
                                                    subcommands: [DebugDenoise.self])
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
