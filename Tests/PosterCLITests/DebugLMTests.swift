import Foundation
import TensorCore
import XCTest

/// `poster debug lm` on a transformers Llama folder reproduces transformers'
/// logits (fixtures of tools/make_llama_fixtures.py).
final class DebugLMTests: XCTestCase {
    static let fixtures = Poster.repositoryRoot.appendingPathComponent("Tests/LayoutLMTests/Fixtures")

    func writeInputs(_ path: String) throws {
        let reference = try SafetensorsFile(path: Self.fixtures.appendingPathComponent("llama_logits.safetensors").path)
        var writer = SafetensorsWriter()
        try writer.add("input_ids", dtype: .i64, shape: try reference.info("input_ids").shape, integers: try reference.int64s("input_ids"))
        try writer.write(to: path)
    }

    func check(folder: String, expected: String) throws {
        let dir = try TemporaryDirectory()
        try writeInputs(dir.path("in.safetensors"))
        let result = try Poster.run(["debug", "lm", "--model", Self.fixtures.appendingPathComponent(folder).path,
                                     "--input", dir.path("in.safetensors"), "--output", dir.path("out.safetensors")])
        assertSuccess(result)
        let out = try SafetensorsFile(path: dir.path("out.safetensors"))
        let reference = try SafetensorsFile(path: Self.fixtures.appendingPathComponent("llama_logits.safetensors").path)
        XCTAssertEqual(try out.info("logits").dtype, .f32)
        XCTAssertEqual(try out.info("logits").shape, [2, 7, 100])
        let (a, b) = (try out.floats("logits"), try reference.floats(expected))
        var diff: Double = 0, norm: Double = 0
        for i in 0..<b.count { diff += Double(a[i] - b[i]) * Double(a[i] - b[i]); norm += Double(b[i]) * Double(b[i]) }
        XCTAssertLessThanOrEqual((diff / norm).squareRoot(), 1e-4)
    }

    func testLogitsMatchTransformers() throws { try check(folder: "llama-gqa", expected: "gqa.logits") }

    func testShardedModelFolder() throws { try check(folder: "llama-base-sharded", expected: "base.logits") }

    func testBadInputsAreClearErrors() throws {
        let dir = try TemporaryDirectory()
        let model = Self.fixtures.appendingPathComponent("llama-base").path
        var writer = SafetensorsWriter()
        try writer.add("tokens", dtype: .i64, shape: [1, 2], integers: [1, 2])
        try writer.write(to: dir.path("wrong-name.safetensors"))
        var result = try Poster.run(["debug", "lm", "--model", model, "--input", dir.path("wrong-name.safetensors"), "--output", dir.path("o.safetensors")])
        assertInputError(result, ["input_ids"])

        writer = SafetensorsWriter()
        try writer.add("input_ids", dtype: .i64, shape: [1, 2], integers: [1, 500])
        try writer.write(to: dir.path("out-of-vocab.safetensors"))
        result = try Poster.run(["debug", "lm", "--model", model, "--input", dir.path("out-of-vocab.safetensors"), "--output", dir.path("o.safetensors")])
        assertInputError(result, ["token id 500", "vocabulary of 100"])

        result = try Poster.run(["debug", "lm", "--model", dir.path("nowhere"), "--input", dir.path("out-of-vocab.safetensors"), "--output", dir.path("o.safetensors")])
        assertInputError(result, ["no config.json"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.path("o.safetensors")))
    }
}
