import Foundation
import XCTest
@testable import TensorCore

/// Discovering the models in a diffusers pipeline or a Hugging Face model directory.
final class CheckpointDirectoryTests: XCTestCase {
    private func write(_ text: String, _ path: URL) throws {
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: path)
    }

    private func weights(_ path: URL, names: [String] = ["w"]) throws {
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        var writer = SafetensorsWriter(metadata: ["format": "pt"])
        for name in names { try writer.add(name, shape: [2], values: [1, 2]) }
        try writer.write(to: path.path)
    }

    /// A small pipeline: the shapes of a real one, tiny tensors.
    private func makePipeline() throws -> URL {
        let root = try makeTemporaryDirectory().appendingPathComponent("tiny-sd")
        try write("""
            {"_class_name": "StableDiffusionControlNetPipeline", "_diffusers_version": "0.27.0",
             "unet": ["diffusers", "UNet2DConditionModel"], "vae": ["diffusers", "AutoencoderKL"],
             "text_encoder": ["transformers", "CLIPTextModel"], "tokenizer": ["transformers", "CLIPTokenizer"],
             "controlnet": ["diffusers", "ControlNetModel"], "scheduler": ["diffusers", "DDIMScheduler"],
             "safety_checker": [null, null], "requires_safety_checker": false}
            """, root.appendingPathComponent("model_index.json"))
        try write(#"{"_class_name": "UNet2DConditionModel", "block_out_channels": [32, 64]}"#, root.appendingPathComponent("unet/config.json"))
        try weights(root.appendingPathComponent("unet/diffusion_pytorch_model.safetensors"), names: ["conv_in.weight", "conv_in.bias"])
        try weights(root.appendingPathComponent("unet/diffusion_pytorch_model.fp16.safetensors"))  // a variant: not chosen
        // The VAE is sharded.
        try write(#"{"_class_name": "AutoencoderKL"}"#, root.appendingPathComponent("vae/config.json"))
        try weights(root.appendingPathComponent("vae/diffusion_pytorch_model-00001-of-00002.safetensors"), names: ["encoder.conv_in.weight"])
        try weights(root.appendingPathComponent("vae/diffusion_pytorch_model-00002-of-00002.safetensors"), names: ["decoder.conv_out.weight"])
        try write("""
            {"metadata": {"total_size": 16}, "weight_map": {
              "decoder.conv_out.weight": "diffusion_pytorch_model-00002-of-00002.safetensors",
              "encoder.conv_in.weight": "diffusion_pytorch_model-00001-of-00002.safetensors"}}
            """, root.appendingPathComponent("vae/diffusion_pytorch_model.safetensors.index.json"))
        try write(#"{"architectures": ["CLIPTextModel"], "hidden_size": 32}"#, root.appendingPathComponent("text_encoder/config.json"))
        try weights(root.appendingPathComponent("text_encoder/model.safetensors"), names: ["text_model.embeddings.token_embedding.weight"])
        try write("{}", root.appendingPathComponent("tokenizer/vocab.json"))
        try write(#"{"_class_name": "DDIMScheduler", "num_train_timesteps": 1000}"#, root.appendingPathComponent("scheduler/scheduler_config.json"))
        try write(#"{"_class_name": "ControlNetModel"}"#, root.appendingPathComponent("controlnet/config.json"))
        try write("pickle", root.appendingPathComponent("controlnet/diffusion_pytorch_model.bin"))
        return root
    }

    func testDiffusersPipeline() throws {
        let root = try makePipeline()
        let checkpoint = try CheckpointDirectory(path: root.path)
        XCTAssertEqual(checkpoint.kind, .pipeline)
        XCTAssertEqual(checkpoint.className, "StableDiffusionControlNetPipeline")
        XCTAssertEqual(checkpoint.components.map(\.name), ["unet", "vae", "text_encoder", "tokenizer", "controlnet", "scheduler"],
                       "model_index order; disabled safety_checker and _keys skipped")

        let unet = try XCTUnwrap(checkpoint.component("unet"))
        XCTAssertEqual(unet.className, "UNet2DConditionModel")
        XCTAssertEqual(unet.library, "diffusers")
        XCTAssertEqual(unet.configPath, root.path + "/unet/config.json")
        XCTAssertEqual(unet.weights, .file(root.path + "/unet/diffusion_pytorch_model.safetensors"))
        XCTAssertEqual(try unet.weights?.open().names, ["conv_in.bias", "conv_in.weight"])

        let vae = try XCTUnwrap(checkpoint.component("vae"))
        XCTAssertEqual(vae.weights, .sharded(indexPath: root.path + "/vae/diffusion_pytorch_model.safetensors.index.json"))
        let vaeWeights = try XCTUnwrap(vae.weights).open()
        XCTAssertTrue(vaeWeights is ShardedCheckpoint)
        XCTAssertEqual(vaeWeights.names, ["decoder.conv_out.weight", "encoder.conv_in.weight"])

        let text = try XCTUnwrap(checkpoint.component("text_encoder"))
        XCTAssertEqual(text.className, "CLIPTextModel")
        XCTAssertEqual(text.architectures, ["CLIPTextModel"])
        XCTAssertEqual(text.library, "transformers")
        XCTAssertEqual(text.weights?.path, root.path + "/text_encoder/model.safetensors")

        let tokenizer = try XCTUnwrap(checkpoint.component("tokenizer"))
        XCTAssertNil(tokenizer.weights)
        XCTAssertNil(tokenizer.configPath)
        XCTAssertEqual(tokenizer.className, "CLIPTokenizer", "from model_index.json when there is no config")

        let scheduler = try XCTUnwrap(checkpoint.component("scheduler"))
        XCTAssertEqual(scheduler.className, "DDIMScheduler")
        XCTAssertNil(scheduler.weights)

        let controlnet = try XCTUnwrap(checkpoint.component("controlnet"))
        XCTAssertNil(controlnet.weights)
        XCTAssertEqual(controlnet.unsupportedWeightFiles, ["diffusion_pytorch_model.bin"])
    }

    func testSingleModelDirectories() throws {
        let base = try makeTemporaryDirectory()
        let llama = base.appendingPathComponent("layout-llm")
        try write(#"{"architectures": ["LlamaForCausalLM"], "hidden_size": 64}"#, llama.appendingPathComponent("config.json"))
        try weights(llama.appendingPathComponent("model.safetensors"), names: ["model.norm.weight", "lm_head.weight"])
        let model = try CheckpointDirectory(path: llama.path)
        XCTAssertEqual(model.kind, .model)
        XCTAssertEqual(model.className, "LlamaForCausalLM")
        XCTAssertEqual(model.components.count, 1)
        XCTAssertEqual(model.components[0].name, "layout-llm")
        XCTAssertEqual(try model.components[0].weights?.open().parameterCount, 4)

        // A sharded HF model: the fixture folder (no config.json, just the index).
        let sharded = try CheckpointDirectory(path: SafetensorsFixtures.path("sharded"))
        XCTAssertEqual(sharded.kind, .model)
        XCTAssertEqual(sharded.components[0].weights, .sharded(indexPath: SafetensorsFixtures.path("sharded") + "/model.safetensors.index.json"))
        XCTAssertNil(sharded.className)

        // A diffusers model folder on its own (e.g. pipeline/unet).
        let unet = try CheckpointDirectory(path: try makePipeline().appendingPathComponent("unet").path)
        XCTAssertEqual(unet.className, "UNet2DConditionModel")
        XCTAssertEqual(unet.components[0].weights?.path.hasSuffix("/diffusion_pytorch_model.safetensors"), true)
    }

    func testDiscoveryErrors() throws {
        let base = try makeTemporaryDirectory()
        func assertFails(_ path: String, _ kind: SafetensorsError.Kind, _ fragment: String, line: UInt = #line) {
            XCTAssertThrowsError(try CheckpointDirectory(path: path), line: line) { error in
                let error = error as! SafetensorsError
                XCTAssertEqual(error.kind, kind, "\(error)", line: line)
                XCTAssertTrue(error.description.contains(fragment), "'\(error)' lacks '\(fragment)'", line: line)
            }
        }
        assertFails(base.appendingPathComponent("absent").path, .io, "no such file or directory")
        let empty = base.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        assertFails(empty.path, .invalidCheckpoint, "not a checkpoint directory")
        try write("x", base.appendingPathComponent("file.txt"))
        assertFails(base.appendingPathComponent("file.txt").path, .invalidCheckpoint, "not a directory")

        let pipeline = try makePipeline()
        try FileManager.default.removeItem(at: pipeline.appendingPathComponent("vae"))
        assertFails(pipeline.path, .invalidCheckpoint, "lists component 'vae' but its folder vae/ is missing")

        let badConfig = try makePipeline()
        try write("{\"_class_name\": ", badConfig.appendingPathComponent("unet/config.json"))
        assertFails(badConfig.path, .invalidCheckpoint, "unet/config.json: not valid JSON")

        let badIndex = try makePipeline()
        try write("[1, 2]", badIndex.appendingPathComponent("model_index.json"))
        assertFails(badIndex.path, .invalidCheckpoint, "model_index.json: top level must be a JSON object")
    }
}
