import Foundation
import XCTest

/// `poster train glyphcontrol`: what a short run writes, and bad input (exit 2, one `error:` line).
final class TrainGlyphControlCommandTests: XCTestCase {
    func testShortRunWritesCheckpointLogSamplesAndModel() throws {
        let tiny = TinyGlyphModel.train()
        defer { tiny.remove() }
        assertSuccess(tiny.training)
        XCTAssertTrue(tiny.training.stdout.contains("trained steps 0-2"), tiny.training.summary)
        XCTAssertTrue(tiny.training.stderr.contains("12 training and 4 validation posters"), tiny.training.summary)
        let run = tiny.root.appendingPathComponent("run")
        for file in ["checkpoint.safetensors", "train_log.jsonl", "samples/step-000002.png", "tokenizer/vocab.json",
                     "model/model_index.json", "model/glyphposter.json", "model/unet/diffusion_pytorch_model.safetensors",
                     "model/controlnet/diffusion_pytorch_model.safetensors", "model/text_encoder/model.safetensors", "model/tokenizer/merges.txt",
                     "model/scheduler/scheduler_config.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: run.appendingPathComponent(file).path), file)
        }
        let log = try String(contentsOf: run.appendingPathComponent("train_log.jsonl"), encoding: .utf8)
        XCTAssertEqual(log.split(separator: "\n").count, 2)
        let settings = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("model/glyphposter.json")))
            as? [String: Any])
        XCTAssertEqual(settings["pixel_unshuffle"] as? Int, 4)
        XCTAssertEqual(settings["sample_size"] as? Int, 64)
    }

    func testBadInputExitsTwo() throws {
        let dir = try TemporaryDirectory()
        let common = ["--steps", "1", "--batch-size", "2", "--size", "64", "--channels", "32,32", "--attention", "0,1", "--validation", "4"]
        assertInputError(try Poster.run(["train", "glyphcontrol", "--data", dir.path("no-data"), "--out", dir.path("out")] + common),
                         ["no-data"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.path("out")), "nothing written")
        assertInputError(try Poster.run(["train", "glyphcontrol", "--data", "datasets/synth-sample", "--out", dir.path("out"), "--stage", "controlnet"]
                                        + common), ["--stage controlnet", "--base"])
        assertInputError(try Poster.run(["train", "glyphcontrol", "--data", "datasets/synth-sample", "--out", dir.path("out"), "--stage", "sideways"]
                                        + common), ["--stage"])
        assertInputError(try Poster.run(["train", "glyphcontrol", "--data", "datasets/synth-sample", "--out", dir.path("out"), "--steps", "1",
                                         "--channels", "32,32", "--attention", "0,1,1", "--size", "64"]), ["--attention", "--channels"])
        assertInputError(try Poster.run(["train", "glyphcontrol", "--data", "datasets/synth-sample", "--out", dir.path("out"), "--steps", "1",
                                         "--validation", "16", "--size", "64"]), ["16 samples", "validation"])
    }
}
