import Foundation
import GlyphControl
import TensorCore
import XCTest

/// `poster debug text` writes transformers' ids and the text encoder's hidden state.
final class DebugTextTests: XCTestCase {
    static let fixtures = Poster.repositoryRoot.appendingPathComponent("Tests/GlyphControlTests/Fixtures")

    func makePipeline(in dir: TemporaryDirectory) throws -> URL {
        let root = dir.url.appendingPathComponent("pipeline")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for (name, fixture) in [("tokenizer", "tiny-clip-tokenizer"), ("text_encoder", "tiny-clip-text")] {
            try FileManager.default.createSymbolicLink(at: root.appendingPathComponent(name), withDestinationURL: Self.fixtures.appendingPathComponent(fixture))
        }
        try Data("{\"tokenizer\": [\"transformers\", \"CLIPTokenizer\"], \"text_encoder\": [\"transformers\", \"CLIPTextModel\"]}".utf8)
            .write(to: root.appendingPathComponent("model_index.json"))
        return root
    }

    func testIdsMatchTransformersAndHiddenStateMatchesTheLibrary() throws {
        let dir = try TemporaryDirectory()
        let pipeline = try makePipeline(in: dir)
        let result = try Poster.run(["debug", "text", "--model", pipeline.path, "--prompt", "A poster that says 'Grand Opening' today!", "--output", dir.path("t.safetensors")])
        assertSuccess(result)
        let file = try SafetensorsFile(path: dir.path("t.safetensors"))
        let ids = try file.int64s("input_ids").map(Int.init)
        // transformers' CLIPTokenizer on the fixture vocabulary (text_encoder.json), padded to 77 with the end token.
        let expected = [912, 320, 548, 574, 623, 262, 810, 901, 262, 83, 78, 550, 256, 913]
        XCTAssertEqual(Array(ids.prefix(expected.count)), expected)
        XCTAssertEqual(ids.count, 77)
        XCTAssertEqual(try file.info("last_hidden_state").shape, [1, 77, 32])
        let library = try PipelineDirectory(pipeline).promptEncoder().encode(["A poster that says 'Grand Opening' today!"])
        XCTAssertEqual(try file.floats("last_hidden_state"), library.scalars)
    }

    func testMissingTextEncoderIsAClearError() throws {
        let dir = try TemporaryDirectory()
        let pipeline = try makePipeline(in: dir)
        try Data("{\"tokenizer\": [\"transformers\", \"CLIPTokenizer\"]}".utf8).write(to: pipeline.appendingPathComponent("model_index.json"))
        let result = try Poster.run(["debug", "text", "--model", pipeline.path, "--prompt", "x", "--output", dir.path("t.safetensors")])
        assertInputError(result, ["text_encoder"])
    }
}
