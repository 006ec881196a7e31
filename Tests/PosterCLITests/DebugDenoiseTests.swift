import Foundation
import TensorCore
import XCTest

/// `poster debug denoise` on a diffusers pipeline folder reproduces diffusers'
/// ControlNet + UNet output (fixtures of tools/make_unet_fixtures.py).
final class DebugDenoiseTests: XCTestCase {
    static let fixtures = Poster.repositoryRoot.appendingPathComponent("Tests/GlyphControlTests/Fixtures")

    func makePipeline(in dir: TemporaryDirectory, controlnet: Bool) throws -> String {
        let root = dir.url.appendingPathComponent("pipeline")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("unet"), withDestinationURL: Self.fixtures.appendingPathComponent("unet-latent"))
        var index = "{\"_class_name\": \"StableDiffusionControlNetPipeline\", \"unet\": [\"diffusers\", \"UNet2DConditionModel\"]"
        if controlnet {
            try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("controlnet"), withDestinationURL: Self.fixtures.appendingPathComponent("controlnet"))
            index += ", \"controlnet\": [\"diffusers\", \"ControlNetModel\"]"
        }
        try Data((index + ", \"safety_checker\": [null, null]}").utf8).write(to: root.appendingPathComponent("model_index.json"))
        return root.path
    }

    func writeInputs(_ path: String, controlnet: Bool) throws {
        let fixture = try SafetensorsFile(path: Self.fixtures.appendingPathComponent("unet_outputs.safetensors").path)
        var writer = SafetensorsWriter()
        func copy(_ from: String, as name: String) throws {
            try writer.add(name, shape: try fixture.info(from).shape, values: try fixture.floats(from))
        }
        try copy("sample", as: "sample")
        try writer.add("timestep", dtype: .i64, shape: [2], integers: try fixture.int64s("timesteps"))
        try copy("context", as: "encoder_hidden_states")
        if controlnet {
            try copy("mask", as: "controlnet_cond")
            try writer.add("conditioning_scale", shape: [], values: [0.7])
        }
        try writer.write(to: path)
    }

    func check(controlnet: Bool, expected: String) throws {
        let dir = try TemporaryDirectory()
        let pipeline = try makePipeline(in: dir, controlnet: controlnet)
        try writeInputs(dir.path("in.safetensors"), controlnet: controlnet)
        let result = try Poster.run(["debug", "denoise", "--model", pipeline, "--input", dir.path("in.safetensors"), "--output", dir.path("out.safetensors")])
        assertSuccess(result)
        let out = try SafetensorsFile(path: dir.path("out.safetensors"))
        let reference = try SafetensorsFile(path: Self.fixtures.appendingPathComponent("unet_outputs.safetensors").path)
        XCTAssertEqual(try out.info("noise_pred").shape, try reference.info(expected).shape)
        let (a, b) = (try out.floats("noise_pred"), try reference.floats(expected))
        var diff: Double = 0, norm: Double = 0
        for i in 0..<b.count { diff += Double(a[i] - b[i]) * Double(a[i] - b[i]); norm += Double(b[i]) * Double(b[i]) }
        XCTAssertLessThanOrEqual((diff / norm).squareRoot(), 1e-4)
    }

    func testUNetAloneMatchesDiffusers() throws { try check(controlnet: false, expected: "latent.out") }

    func testUNetWithControlNetMatchesDiffusers() throws { try check(controlnet: true, expected: "combined.out") }

    func testMissingTensorsAndComponentsAreClearErrors() throws {
        let dir = try TemporaryDirectory()
        let pipeline = try makePipeline(in: dir, controlnet: false)
        try writeInputs(dir.path("in.safetensors"), controlnet: true)
        var result = try Poster.run(["debug", "denoise", "--model", pipeline, "--input", dir.path("in.safetensors"), "--output", dir.path("o.safetensors")])
        assertInputError(result, ["controlnet_cond", "no controlnet"])
        var writer = SafetensorsWriter()
        try writer.add("sample", shape: [1, 4, 8, 8], values: [Float](repeating: 0, count: 256))
        try writer.write(to: dir.path("partial.safetensors"))
        result = try Poster.run(["debug", "denoise", "--model", pipeline, "--input", dir.path("partial.safetensors"), "--output", dir.path("o.safetensors")])
        assertInputError(result, ["encoder_hidden_states"])
        try FileManager.default.removeItem(atPath: pipeline + "/unet")
        result = try Poster.run(["debug", "denoise", "--model", pipeline, "--input", dir.path("in.safetensors"), "--output", dir.path("o.safetensors")])
        assertInputError(result, ["unet/config.json is missing"])
    }
}
