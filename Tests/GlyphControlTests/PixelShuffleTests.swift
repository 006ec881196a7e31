import Foundation
import XCTest
@testable import GlyphControl
import TensorCore

/// `PixelShuffle` lays channels out as torch's pixel_unshuffle / pixel_shuffle:
/// channel c·r² + i·r + j at (y, x) is pixel (y·r + i, x·r + j) of channel c.
final class PixelShuffleTests: XCTestCase {
    /// arange(count) as floats, so every value names its own flat index.
    func indexTensor(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map(Float.init))
    }

    func testUnshuffleIndexMapping() {
        let (b, c, h, w, r) = (2, 3, 6, 8, 2)
        let x = indexTensor([b, c, h, w])
        let y = PixelShuffle.unshuffle(x, factor: r)
        XCTAssertEqual(y.shape, [b, c * r * r, h / r, w / r])
        for n in 0..<b {
            for ch in 0..<c {
                for i in 0..<r {
                    for j in 0..<r {
                        for yy in 0..<(h / r) {
                            for xx in 0..<(w / r) {
                                let out = ((n * c * r * r + ch * r * r + i * r + j) * (h / r) + yy) * (w / r) + xx
                                let source = ((n * c + ch) * h + yy * r + i) * w + xx * r + j
                                XCTAssertEqual(y.scalars[out], Float(source), "n \(n) c \(ch) i \(i) j \(j) at (\(yy), \(xx))")
                            }
                        }
                    }
                }
            }
        }
    }

    func testFactorFourAndShuffleIsTheInverse() {
        var random = TensorRandom(seed: 3)
        for (shape, r) in [([1, 3, 8, 8], 4), ([2, 3, 4, 12], 2), ([1, 5, 6, 9], 3)] {
            let x = random.normal(shape: shape)
            let down = PixelShuffle.unshuffle(x, factor: r)
            XCTAssertEqual(down.shape, [shape[0], shape[1] * r * r, shape[2] / r, shape[3] / r])
            XCTAssertEqual(PixelShuffle.shuffle(down, factor: r).scalars, x.scalars, "unshuffle then shuffle, r \(r)")
            let packed = random.normal(shape: [shape[0], shape[1] * r * r, 2, 3])
            let up = PixelShuffle.shuffle(packed, factor: r)
            XCTAssertEqual(up.shape, [shape[0], shape[1], 2 * r, 3 * r])
            XCTAssertEqual(PixelShuffle.unshuffle(up, factor: r).scalars, packed.scalars, "shuffle then unshuffle, r \(r)")
        }
    }

    func testFactorOneIsTheIdentity() {
        let x = indexTensor([1, 3, 4, 4])
        XCTAssertEqual(PixelShuffle.unshuffle(x, factor: 1).shape, [1, 3, 4, 4])
        XCTAssertEqual(PixelShuffle.shuffle(x, factor: 1).scalars, x.scalars)
    }

    /// d/dx Σ unshuffle(x)·w is w put back where each element came from: shuffle(w).
    func testGradientsFlowThroughBothDirections() {
        var random = TensorRandom(seed: 9)
        let x = random.normal(shape: [2, 3, 4, 6]).requiringGrad()
        let w = random.normal(shape: [2, 12, 2, 3])
        (PixelShuffle.unshuffle(x, factor: 2) * w).sum().backward()
        let grad = try? XCTUnwrap(x.grad)
        XCTAssertEqual(grad?.shape, x.shape)
        XCTAssertEqual(grad?.scalars, PixelShuffle.shuffle(w, factor: 2).scalars)

        let z = random.normal(shape: [2, 12, 2, 3]).requiringGrad()
        let v = random.normal(shape: [2, 3, 4, 6])
        (PixelShuffle.shuffle(z, factor: 2) * v).sum().backward()
        XCTAssertEqual(z.grad?.scalars, PixelShuffle.unshuffle(v, factor: 2).scalars)
    }

    /// tools/make_pixel_shuffle_fixture.py: torch.nn.functional.pixel_unshuffle / pixel_shuffle of arange.
    func testMatchesTorch() throws {
        struct Case: Decodable {
            let input_shape: [Int], factor: Int, output_shape: [Int], output: [Int]
        }
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil)).appendingPathComponent("pixel_unshuffle.json")
        struct Fixture: Decodable { let unshuffle: Case, unshuffle_wide: Case, shuffle: Case }
        let f = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        for (name, c) in [("unshuffle", f.unshuffle), ("unshuffle_wide", f.unshuffle_wide), ("shuffle", f.shuffle)] {
            let x = indexTensor(c.input_shape)
            let y = name == "shuffle" ? PixelShuffle.shuffle(x, factor: c.factor) : PixelShuffle.unshuffle(x, factor: c.factor)
            XCTAssertEqual(y.shape, c.output_shape, name)
            XCTAssertEqual(y.scalars, c.output.map(Float.init), name)
        }
    }
}
