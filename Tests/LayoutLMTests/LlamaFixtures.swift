import Foundation
import TensorCore
import XCTest
@testable import LayoutLM

/// The fixtures of tools/make_llama_fixtures.py: tiny random transformers
/// LlamaForCausalLM folders and their logits on a fixed [2, 7] input.
enum LlamaFixtures {
    static let directory: URL = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

    /// Model folders (llama-<name>/) with logits `<name>.logits` in llama_logits.safetensors.
    static let names = ["base", "gqa", "tied", "theta", "bias"]

    static func folder(_ name: String) -> URL { directory.appendingPathComponent("llama-\(name)") }

    static let reference: SafetensorsFile = try! SafetensorsFile(path: directory.appendingPathComponent("llama_logits.safetensors").path)

    /// input_ids [2, 7] as rows.
    static var inputIDs: [[Int]] {
        let flat = try! reference.int64s("input_ids")
        return [flat[0..<7].map { Int($0) }, flat[7..<14].map { Int($0) }]
    }

    static func logits(_ name: String) -> Tensor {
        Tensor(shape: try! reference.info("\(name).logits").shape, scalars: try! reference.floats("\(name).logits"))
    }

    static func model(_ name: String) throws -> LlamaForCausalLM { try LlamaForCausalLM.load(from: folder(name)) }
}

/// ‖a − b‖ / ‖b‖.
func llamaRelativeError(_ a: [Float], _ b: [Float]) -> Double {
    precondition(a.count == b.count, "sizes differ: \(a.count) vs \(b.count)")
    var diff: Double = 0, norm: Double = 0
    for i in 0..<b.count { diff += Double(a[i] - b[i]) * Double(a[i] - b[i]); norm += Double(b[i]) * Double(b[i]) }
    return (diff / max(norm, 1e-30)).squareRoot()
}

/// A fresh temporary folder, removed afterwards.
final class LlamaTemporaryFolder {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("llama-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func sub(_ name: String) -> URL { url.appendingPathComponent(name) }
    deinit { try? FileManager.default.removeItem(at: url) }
}
