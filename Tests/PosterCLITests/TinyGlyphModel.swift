import Foundation
import XCTest

/// A tiny glyph-ControlNet pipeline made by `poster train glyphcontrol` (2
/// steps on datasets/synth-sample, 64x64, pixel unshuffle 4): enough for the
/// commands that load a model to run end to end. Each test class trains its
/// own once (a static `let`) and removes it in its class `tearDown`.
struct TinyGlyphModel {
    let root: URL
    let training: PosterResult

    var model: String { root.appendingPathComponent("run/model").path }

    static func train() -> TinyGlyphModel {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("poster-tiny-model-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let arguments = ["train", "glyphcontrol", "--data", "datasets/synth-sample", "--out", root.appendingPathComponent("run").path,
                         "--steps", "2", "--batch-size", "2", "--size", "64", "--channels", "32,32", "--attention", "0,1",
                         "--text-width", "32", "--text-layers", "1", "--validation", "4", "--sample-every", "1000", "--evaluate-every", "1000"]
        let result = (try? Poster.run(arguments))
            ?? PosterResult(arguments: arguments, stdout: "", stderr: "could not start poster", status: -1, terminatedBySignal: false)
        return TinyGlyphModel(root: root, training: result)
    }

    /// The model folder, after checking that training succeeded.
    func modelPath(in test: XCTestCase, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        test.assertSuccess(training, file: file, line: line)
        guard FileManager.default.fileExists(atPath: root.appendingPathComponent("run/model/model_index.json").path) else {
            throw MissingModel(message: "poster train glyphcontrol wrote no run/model/model_index.json: \(training.summary)")
        }
        return model
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    /// Thrown (failing the test, never skipping it) when training left no model.
    struct MissingModel: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
