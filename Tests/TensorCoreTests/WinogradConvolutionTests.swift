import XCTest
@testable import TensorCore

/// The Winograd F(4x4, 3x3) path against the direct (shifted-tap) convolution
/// on shapes it takes: batches, partial tile rows, more outputs than inputs
/// and the reverse, forward and both gradients. (PyTorch checks it too:
/// OpsAgainstPyTorchTests' conv3x3_winograd fixture.)
final class WinogradConvolutionTests: XCTestCase {
    func relativeError(_ a: [Float], _ b: [Float]) -> Float {
        var d: Double = 0, n: Double = 0
        for (x, y) in zip(a, b) { d += Double(x - y) * Double(x - y); n += Double(y) * Double(y) }
        return Float((d / max(n, 1e-30)).squareRoot())
    }

    func testMatchesTheDirectConvolution() {
        var random = TensorRandom(seed: 11)
        for (n, c, o, h, w) in [(2, 16, 24, 13, 32), (1, 32, 16, 8, 64), (3, 17, 16, 4, 32), (1, 64, 64, 64, 64)] {
            XCTAssertTrue(WinogradConvolution.supports(channels: c, outputs: o, height: h, width: w))
            let x = random.normal(shape: [n, c, h, w], mean: 0.3, std: 1.5)
            let weight = random.normal(shape: [o, c, 3, 3], std: 0.2)
            let fast = WinogradConvolution.convolve(x.scalars, shape: x.shape, weight: weight.scalars, outputs: o)
            let direct = ShiftedConvolution(c: c, h: h, w: w, o: o, k: 3, padding: 1)
            var reference = [Float](repeating: 0, count: n * o * h * w)
            let taps = direct.taps(weight.scalars)
            var padded = [Float](repeating: 0, count: c * direct.plane), wide = [Float](repeating: 0, count: o * direct.columns)
            for b in 0..<n {
                x.scalars.withUnsafeBufferPointer { px in
                    padded.withUnsafeMutableBufferPointer { direct.pad(px.baseAddress! + b * c * h * w, into: $0.baseAddress!) }
                }
                padded.withUnsafeBufferPointer { pp in
                    taps.withUnsafeBufferPointer { pt in
                        wide.withUnsafeMutableBufferPointer { pw in
                            reference.withUnsafeMutableBufferPointer {
                                direct.forward(padded: pp.baseAddress!, taps: pt.baseAddress!, wide: pw.baseAddress!, out: $0.baseAddress! + b * o * h * w)
                            }
                        }
                    }
                }
            }
            XCTAssertLessThan(relativeError(fast, reference), 2e-6, "\(n)x\(c)x\(h)x\(w) -> \(o)")
        }
    }

    /// conv2d's gradients when Winograd runs the forward and the input gradient, against the direct path on the same
    /// function: a zero column appended to the input (width 33 does not take Winograd) leaves the first 32 output columns as they were.
    func testGradientsMatchTheDirectPath() {
        var random = TensorRandom(seed: 12)
        let (n, c, o, h, w) = (2, 16, 20, 5, 32)
        let x = random.normal(shape: [n, c, h, w]).requiringGrad()
        let weight = random.normal(shape: [o, c, 3, 3], std: 0.2).requiringGrad(), bias = random.normal(shape: [o]).requiringGrad()
        let cotangent = random.normal(shape: [n, o, h, w])
        let out = x.conv2d(weight: weight, bias: bias, padding: 1)
        (out * cotangent).sum().backward()

        func widened(_ t: Tensor, channels: Int) -> Tensor { Tensor.concatenate([t, Tensor(zeros: [n, channels, h, 1])], axis: 3) }
        let xWide = widened(x.detached(), channels: c).requiringGrad()
        let weight2 = weight.detached().requiringGrad(), bias2 = bias.detached().requiringGrad()
        let outWide = xWide.conv2d(weight: weight2, bias: bias2, padding: 1)
        (outWide * widened(cotangent, channels: o)).sum().backward()
        func firstColumns(_ values: [Float], planes: Int) -> [Float] {
            (0..<(planes * h)).flatMap { row in values[(row * (w + 1))..<(row * (w + 1) + w)] }
        }
        XCTAssertLessThan(relativeError(out.scalars, firstColumns(outWide.scalars, planes: n * o)), 2e-6, "forward")
        XCTAssertLessThan(relativeError(x.grad!.scalars, firstColumns(xWide.grad!.scalars, planes: n * c)), 2e-6, "input gradient")
        XCTAssertLessThan(relativeError(weight.grad!.scalars, weight2.grad!.scalars), 1e-5, "weight gradient")
        XCTAssertLessThan(relativeError(bias.grad!.scalars, bias2.grad!.scalars), 1e-5, "bias gradient")
    }
}
