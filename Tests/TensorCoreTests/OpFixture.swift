import Foundation
import XCTest
@testable import TensorCore

/// The PyTorch reference values of tools/make_op_fixtures.py.
struct OpFixture {
    static let file: SafetensorsFile = {
        let url = Bundle.module.url(forResource: "ops", withExtension: "safetensors", subdirectory: "Fixtures")!
        return try! SafetensorsFile(path: url.path)
    }()

    let name: String

    func tensor(_ key: String) throws -> Tensor {
        let info = try Self.file.info("\(name).\(key)")
        return Tensor(shape: info.shape, scalars: try Self.file.floats("\(name).\(key)"))
    }

    func input(_ arg: String) throws -> Tensor { try tensor("in.\(arg)").requiringGrad() }
    func ids(_ arg: String) throws -> [Int] { try Self.file.int64s("\(name).ids.\(arg)").map { Int($0) } }
    func idsShape(_ arg: String) throws -> [Int] { try Self.file.info("\(name).ids.\(arg)").shape }

    /// Checks the forward output and, after back-propagating the stored
    /// cotangent, every input's gradient against PyTorch.
    func check(_ output: Tensor, inputs: [String: Tensor], forwardTolerance: Float = 1e-5, gradientTolerance: Float = 1e-4,
               file: StaticString = #filePath, line: UInt = #line) throws {
        let expected = try tensor("out")
        XCTAssertEqual(output.count, expected.count, "\(name): output size", file: file, line: line)
        XCTAssertLessThanOrEqual(relativeError(output.scalars, expected.scalars), forwardTolerance, "\(name): forward", file: file, line: line)
        output.backward(seed: try tensor("cot").reshaped(output.shape).detached())
        for (arg, input) in inputs {
            let grad = try XCTUnwrap(input.grad, "\(name): no gradient for \(arg)", file: file, line: line)
            let reference = try tensor("grad.\(arg)")
            XCTAssertLessThanOrEqual(relativeError(grad.scalars, reference.scalars), gradientTolerance, "\(name): gradient of \(arg)", file: file, line: line)
        }
    }
}

/// ||a - b|| / ||b||.
func relativeError(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "sizes differ: \(a.count) vs \(b.count)")
    var diff: Double = 0, norm: Double = 0
    for i in 0..<a.count {
        diff += Double(a[i] - b[i]) * Double(a[i] - b[i])
        norm += Double(b[i]) * Double(b[i])
    }
    return Float((diff / max(norm, 1e-30)).squareRoot())
}
