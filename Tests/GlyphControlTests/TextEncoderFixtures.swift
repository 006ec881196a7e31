import Foundation
import TensorCore
import XCTest

/// The text-encoder fixtures written by tools/make_text_encoder_fixtures.py
/// (transformers' CLIPTokenizer and CLIPTextModel as the reference).
enum TextEncoderFixtures {
    static let directory: URL = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
    static let tokenizerDirectory = directory.appendingPathComponent("tiny-clip-tokenizer")
    static let tokenizerJSONDirectory = directory.appendingPathComponent("tiny-clip-tokenizer-json")
    static let modelDirectory = directory.appendingPathComponent("tiny-clip-text")

    struct Meta: Decodable {
        struct AddedToken: Decodable { let content: String; let normalized: Bool }
        let prompts: [String]
        let layoutPrompts: [String]
        let fileAddedPrompts: [String]
        let fileAddedTokens: [AddedToken]
        let baseVocabSize: Int
        let unpaddedIds: [[Int]]
        let decoded: [String]
        let layoutDecoded: [String]
        let padBangId: Int
        let layoutTokenCount: Int
        let modelEosId: Int
        let fuzzPrompts: [String]
        let fuzzIds: [[Int]]

        enum CodingKeys: String, CodingKey {
            case prompts, decoded
            case layoutPrompts = "layout_prompts", fileAddedPrompts = "file_added_prompts", fileAddedTokens = "file_added_tokens"
            case baseVocabSize = "base_vocab_size", unpaddedIds = "unpadded_ids", layoutDecoded = "layout_decoded"
            case padBangId = "pad_bang_id", layoutTokenCount = "layout_token_count", modelEosId = "model_eos_id"
            case fuzzPrompts = "fuzz_prompts", fuzzIds = "fuzz_ids"
        }
    }

    static let meta: Meta = {
        let data = try! Data(contentsOf: directory.appendingPathComponent("text_encoder.json"))
        return try! JSONDecoder().decode(Meta.self, from: data)
    }()

    static let reference: SafetensorsFile = try! SafetensorsFile(path: directory.appendingPathComponent("text_encoder.safetensors").path)

    /// An int64 [N, L] reference tensor as rows.
    static func idRows(_ name: String) throws -> [[Int]] {
        let info = try reference.info(name)
        let values = try reference.int64s(name).map { Int($0) }
        let width = info.shape.last!
        return stride(from: 0, to: values.count, by: width).map { Array(values[$0..<($0 + width)]) }
    }

    static func tensor(_ name: String) throws -> Tensor {
        Tensor(shape: try reference.info(name).shape, scalars: try reference.floats(name))
    }

    /// The layout tokens in the order the fixture script added them: l/t/r/b
    /// for each value 0...519, then one `[c]` per printable ASCII character.
    static var layoutTokens: [String] {
        var tokens: [String] = []
        for i in 0..<520 { tokens += ["l\(i)", "t\(i)", "r\(i)", "b\(i)"] }
        let alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" + "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~" + " "
        tokens += alphabet.map { "[\($0)]" }
        return tokens
    }

    /// max |a - b| / max |b|.
    static func relativeError(_ a: Tensor, _ b: Tensor) -> Float {
        precondition(a.shape == b.shape, "shapes \(a.shape) vs \(b.shape)")
        var diff: Float = 0, scale: Float = 0
        for (x, y) in zip(a.scalars, b.scalars) { diff = max(diff, abs(x - y)); scale = max(scale, abs(y)) }
        return diff / max(scale, 1e-12)
    }
}
