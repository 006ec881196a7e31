import Foundation
import XCTest
@testable import TensorCore

/// The vectorisable exp (scalar and eight-lane) and erf behind softmax, attention and GELU, against libm.
final class FastMathTests: XCTestCase {
    static let inputs: [Float] = stride(from: -87.0 as Float, through: 88.0, by: 0.173).map { $0 } + [0, -0.5, 1e-6, -1e-6, 88.3, -87.29]

    func testScalarExpMatchesLibm() {
        for x in Self.inputs {
            let expected = Foundation.exp(Double(x))
            XCTAssertEqual(Double(FastMath.exp(x)), expected, accuracy: 4e-7 * expected, "exp(\(x))")
        }
        XCTAssertEqual(FastMath.exp(-100), 0)
        XCTAssertEqual(FastMath.exp(-.infinity), 0)
    }

    func testEightLaneExpMatchesLibmAndTheScalarOne() {
        var i = 0
        while i + 8 <= Self.inputs.count {
            let lanes = SIMD8<Float>(Self.inputs[i..<(i + 8)])
            let result = FastMath.exp(lanes)
            for lane in 0..<8 {
                let expected = Foundation.exp(Double(lanes[lane]))
                XCTAssertEqual(Double(result[lane]), expected, accuracy: 4e-7 * expected, "exp(\(lanes[lane]))")
                XCTAssertEqual(result[lane], FastMath.exp(lanes[lane]), accuracy: 4e-7 * result[lane])
            }
            i += 8
        }
        // Masked scores are −∞ and must come out as exactly 0; very negative ones too.
        let edge = FastMath.exp(SIMD8<Float>(-.infinity, -1000, -87.4, -87.2, 0, 1, 88, 88.3))
        XCTAssertEqual(edge[0], 0)
        XCTAssertEqual(edge[1], 0)
        XCTAssertEqual(edge[2], 0)
        XCTAssertGreaterThan(edge[3], 0)
        XCTAssertEqual(edge[4], 1, accuracy: 1e-7)
        XCTAssertTrue(edge[7].isFinite)
    }

    func testErfMatchesLibm() {
        for x in stride(from: -5.0 as Float, through: 5.0, by: 0.0371) {
            XCTAssertEqual(Double(FastMath.erf(x)), Foundation.erf(Double(x)), accuracy: 4e-7, "erf(\(x))")
        }
    }

    /// The attention kernel's base-2 exp over the softmax range (x <= 0): within 3e-7 of libm, and exactly 0
    /// for masked (−∞) and very negative scores, so no denormal products reach the value product.
    func testExp2NonPositiveMatchesLibm() {
        var x: Float = -126
        while x <= 0 {
            let lanes = SIMD8<Float>((0..<8).map { x + Float($0) * 0.0123 }.map { Swift.min($0, 0) })
            let result = FastMath.exp2NonPositive(lanes)
            for lane in 0..<8 {
                let expected = Foundation.exp2(Double(lanes[lane]))
                XCTAssertEqual(Double(result[lane]), expected, accuracy: 3e-7 * expected, "exp2(\(lanes[lane]))")
            }
            x += 0.0917
        }
        let edge = FastMath.exp2NonPositive(SIMD8<Float>(-.infinity, -1000, -127, -126.6, 0, -1, -0.5, -126))
        XCTAssertEqual(Array((0..<4).map { edge[$0] }), [0, 0, 0, 0])
        XCTAssertEqual(edge[4], 1, accuracy: 2e-7)
        XCTAssertEqual(edge[5], 0.5, accuracy: 1e-7)
        XCTAssertEqual(Double(edge[6]), 0.5.squareRoot(), accuracy: 2e-7)
        XCTAssertEqual(Double(edge[7]), Foundation.exp2(-126.0), accuracy: 3e-7 * Foundation.exp2(-126.0))
    }
}

