import ArgumentParser
import Foundation
import LayoutLM
import TensorCore

/// `poster debug lm`: one LlamaForCausalLM forward on given token ids, to
/// check the layout planner against transformers.
struct DebugLM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lm",
        abstract: "One Llama forward: reads input_ids (I64 [B, T]); writes logits (F32 [B, T, V]).")

    @Option(help: "A transformers LlamaForCausalLM folder (config.json + model.safetensors or a sharded index).")
    var model: String

    @Option(help: "safetensors file with input_ids (integer [B, T]).")
    var input: String

    @Option(help: "safetensors file to write logits (F32) to.")
    var output: String

    func run() throws {
        do {
            let llama = try LlamaForCausalLM.load(from: URL(fileURLWithPath: model))
            let inputs = try SafetensorsFile(path: input)
            let info = try inputs.info("input_ids")
            guard info.shape.count == 2 else {
                throw LlamaError.invalidInput("\(input): input_ids must be [B, T], got \(info.shape)")
            }
            let flat = try inputs.int64s("input_ids")
            let (batch, length) = (info.shape[0], info.shape[1])
            let ids = (0..<batch).map { b in flat[(b * length)..<((b + 1) * length)].map { Int(clamping: $0) } }
            try llama.validate(ids: ids)
            let logits = withoutGradients { llama.forward(ids: ids) }
            var writer = SafetensorsWriter(metadata: ["producer": "poster debug lm"])
            try writer.add("logits", shape: logits.shape, values: logits.scalars)
            try writer.write(to: output)
            print("logits \(logits.shape) written to \(output)")
        } catch { throw InputError(error) }
    }
}
