import XCTest
@testable import TensorCore

/// The kernel transform U = G g Gᵀ and its transpose dg = Gᵀ dU G, sixteen channel pairs a vector, against the
/// definitions computed in Double: input channel counts that leave a partial vector, the last kernels (read
/// through scratch, not past the weights' end), and the transposed, half-turned kernels of an input gradient.
final class WinogradKernelTransformTests: XCTestCase {
    static let g: [[Double]] = [[1.0 / 4, 0, 0], [-1.0 / 6, -1.0 / 6, -1.0 / 6], [-1.0 / 6, 1.0 / 6, -1.0 / 6],
                                [1.0 / 24, 1.0 / 12, 1.0 / 6], [1.0 / 24, -1.0 / 12, 1.0 / 6], [0, 0, 1]]

    func testTransformIsGgGTransposed() {
        var random = TensorRandom(seed: 31)
        for (o, c) in [(16, 16), (3, 37), (24, 48), (5, 9)] {
            let geometry = WinogradConvolution(n: 1, c: c, h: 16, w: 16, o: o)
            for flipped in [false, true] {
                // Flipped: weight is [C, O, 3, 3] and pair (out, in) uses weight[in][out] turned half round.
                let weight = random.normal(shape: [o * c * 9]).scalars
                let u = weight.withUnsafeBufferPointer { geometry.transformedWeights($0.baseAddress!, transposingFlipped: flipped) }
                XCTAssertEqual(u.count, geometry.transformedCount)
                let offset = u.withUnsafeBufferPointer { WinogradConvolution.matrixOffset($0.baseAddress!) }
                XCTAssertEqual(u.withUnsafeBufferPointer { Int(bitPattern: $0.baseAddress! + offset) % 64 }, 0, "matrices start on a line")
                var worst: Double = 0
                for out in 0..<o {
                    for input in 0..<c {
                        let kernel = flipped ? (input * o + out) * 9 : (out * c + input) * 9
                        let tap = { (i: Int, j: Int) in Double(flipped ? weight[kernel + (2 - i) * 3 + (2 - j)] : weight[kernel + i * 3 + j]) }
                        for r in 0..<6 {
                            for s in 0..<6 {
                                var expected: Double = 0
                                for i in 0..<3 { for j in 0..<3 { expected += Self.g[r][i] * tap(i, j) * Self.g[s][j] } }
                                worst = max(worst, abs(Double(u[offset + (r * 6 + s) * geometry.weightStride + out * c + input]) - expected))
                            }
                        }
                    }
                }
                XCTAssertLessThan(worst, 1e-5, "\(o)x\(c) flipped \(flipped)")
                XCTAssertTrue(u[..<offset].allSatisfy { $0 == 0 } && u[(offset + 36 * geometry.weightStride)...].allSatisfy { $0 == 0 },
                              "the floats around the matrices are zero")
                for xi in 0..<36 {
                    let padding = u[(offset + xi * geometry.weightStride + o * c)..<(offset + (xi + 1) * geometry.weightStride)]
                    XCTAssertTrue(padding.allSatisfy { $0 == 0 }, "the floats between the 36 matrices are zero")
                }
            }
        }
    }

    func testFilterGradientIsGTransposedDUG() {
        var random = TensorRandom(seed: 32)
        for (o, c) in [(16, 16), (3, 37), (1, 7)] {
            let geometry = WinogradConvolution(n: 1, c: c, h: 16, w: 16, o: o)
            let du = random.normal(shape: [36 * geometry.weightStride]).scalars
            // One float past the gradient's end, to catch a write beyond its last kernel.
            var grad = [Float](repeating: .nan, count: o * c * 9 + 1)
            du.withUnsafeBufferPointer { pu in grad.withUnsafeMutableBufferPointer { geometry.filterGradient(pu.baseAddress!, into: $0.baseAddress!) } }
            XCTAssertTrue(grad.last!.isNaN, "nothing written past the last kernel")
            var worst: Double = 0
            for pair in 0..<(o * c) {
                for i in 0..<3 {
                    for j in 0..<3 {
                        var expected: Double = 0
                        for r in 0..<6 { for s in 0..<6 { expected += Self.g[r][i] * Double(du[(r * 6 + s) * geometry.weightStride + pair]) * Self.g[s][j] } }
                        worst = max(worst, abs(Double(grad[pair * 9 + i * 3 + j]) - expected))
                    }
                }
            }
            XCTAssertLessThan(worst, 1e-5, "\(o)x\(c)")
        }
    }

    func testRegisterTransposeMovesEveryFloat() {
        var source = [Float](repeating: 0, count: 16 * 21)
        for i in source.indices { source[i] = Float(i) }
        var target = [Float](repeating: -1, count: 16 * 19)
        source.withUnsafeBufferPointer { ps in
            target.withUnsafeMutableBufferPointer { RegisterTranspose.transpose16(ps.baseAddress!, sourceStride: 21, into: $0.baseAddress!, targetStride: 19) }
        }
        for i in 0..<16 {
            for r in 0..<16 { XCTAssertEqual(target[i * 19 + r], source[r * 21 + i]) }
            for r in 16..<19 { XCTAssertEqual(target[i * 19 + r], -1, "row padding untouched") }
        }
        // Five source rows (the rest read as zero), into rows 12 apart: each row's last four floats are overwritten
        // by the next row, and the last row ends four floats past 16·12.
        var narrow = [Float](repeating: -1, count: 16 * 12 + 8)
        source.withUnsafeBufferPointer { ps in
            narrow.withUnsafeMutableBufferPointer {
                RegisterTranspose.transpose16(ps.baseAddress!, sourceStride: 21, rows: 5, into: $0.baseAddress!, targetStride: 12)
            }
        }
        for i in 0..<16 {
            for r in 0..<12 { XCTAssertEqual(narrow[i * 12 + r], r < 5 ? source[r * 21 + i] : 0) }
        }
        XCTAssertEqual(Array(narrow[(16 * 12)..<(16 * 12 + 4)]), [0, 0, 0, 0], "row 15's zero tail")
        XCTAssertEqual(Array(narrow[(16 * 12 + 4)...]), [-1, -1, -1, -1])
    }
}
