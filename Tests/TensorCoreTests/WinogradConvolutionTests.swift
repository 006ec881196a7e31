import XCTest
@testable import TensorCore

/// The Winograd F(4x4, 3x3) path against the direct (shifted-tap) convolution
/// on shapes it takes: batches, partial tile rows, 16-wide images (two tile
/// rows a vector, an odd count of them padded), more outputs than inputs
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
        XCTAssertFalse(WinogradConvolution.supports(channels: 16, outputs: 16, height: 8, width: 8), "4x the work of the direct form")
        XCTAssertFalse(WinogradConvolution.supports(channels: 4, outputs: 16, height: 64, width: 64), "too few channels to pay")
        for (n, c, o, h, w) in [(2, 16, 24, 13, 32), (1, 32, 16, 8, 64), (3, 17, 16, 4, 32), (1, 64, 64, 64, 64), (2, 16, 16, 16, 16), (1, 16, 20, 7, 44), (2, 17, 16, 9, 16), (1, 16, 24, 13, 16)] {
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

    /// conv2d's gradients when Winograd runs the forward, the input gradient and the weight gradient (in the Winograd
    /// domain), against the same convolution with Winograd switched off (shifted taps): widths that pad their tile
    /// rows, heights that end in a partial tile row, more outputs than inputs and the reverse, batches.
    func testGradientsMatchTheDirectPath() {
        var random = TensorRandom(seed: 12)
        for (n, c, o, h, w) in [(2, 16, 20, 5, 44), (1, 32, 16, 12, 32), (3, 16, 24, 9, 20), (2, 16, 20, 9, 16), (1, 24, 16, 16, 16)] {
            XCTAssertTrue(WinogradConvolution.supports(channels: c, outputs: o, height: h, width: w))
            XCTAssertTrue(WinogradConvolution.supports(channels: o, outputs: c, height: h, width: w))
            let x = random.normal(shape: [n, c, h, w]), weight = random.normal(shape: [o, c, 3, 3], std: 0.2), bias = random.normal(shape: [o])
            let cotangent = random.normal(shape: [n, o, h, w])
            func run(winograd: Bool) -> (out: [Float], gx: [Float], gw: [Float], gb: [Float]) {
                WinogradConvolution.enabled = winograd
                defer { WinogradConvolution.enabled = true }
                let (xs, ws, bs) = (x.requiringGrad(), weight.requiringGrad(), bias.requiringGrad())
                let out = xs.conv2d(weight: ws, bias: bs, padding: 1)
                (out * cotangent).sum().backward()
                return (out.scalars, xs.grad!.scalars, ws.grad!.scalars, bs.grad!.scalars)
            }
            let fast = run(winograd: true), direct = run(winograd: false), shape = "\(n)x\(c)x\(h)x\(w) -> \(o)"
            XCTAssertLessThan(relativeError(fast.out, direct.out), 2e-6, "forward \(shape)")
            XCTAssertLessThan(relativeError(fast.gx, direct.gx), 2e-6, "input gradient \(shape)")
            XCTAssertLessThan(relativeError(fast.gw, direct.gw), 1e-5, "weight gradient \(shape)")
            XCTAssertLessThan(relativeError(fast.gb, direct.gb), 1e-5, "bias gradient \(shape)")
        }
    }

    /// Cached kernel transforms: a hit gives the same output as a fresh
    /// transform, other weights get their own; at capacity what is cached
    /// stays while it is in use, and stale entries make room.
    func testWeightCacheReusesOnlyTheSameWeights() {
        var random = TensorRandom(seed: 13)
        let (c, o, h, w) = (16, 16, 8, 32)
        let x = random.normal(shape: [1, c, h, w])
        let first = random.normal(shape: [o, c, 3, 3], std: 0.2).scalars, second = random.normal(shape: [o, c, 3, 3], std: 0.2).scalars
        let fresh = [first, second].map { WinogradConvolution.convolve(x.scalars, shape: x.shape, weight: $0, outputs: o) }
        let cache = WinogradWeightCache(capacity: 36 * o * c * 3 / 2, staleAfter: 4)
        var made = 0
        let geometry = WinogradConvolution(n: 1, c: c, h: h, w: w, o: o)
        func transform(_ weight: [Float]) -> [Float] {
            cache.transformed(weight, outputs: o) {
                made += 1
                return weight.withUnsafeBufferPointer { geometry.transformedWeights($0.baseAddress!) }
            }
        }
        let u1 = transform(first), again = transform(first)
        XCTAssertEqual(made, 1, "the second call is a hit")
        XCTAssertEqual(u1, again)
        XCTAssertEqual(cache.storedFloats, geometry.transformedCount)
        // A loop over both weights needs more than the capacity: the first stays cached, the second is made each time.
        for _ in 0..<2 {
            let u2 = transform(second)
            XCTAssertNotEqual(u1, u2)
            XCTAssertEqual(transform(first), u1)
        }
        XCTAssertEqual(made, 3, "the first weights hit on every pass, the second are transformed each pass")
        XCTAssertEqual(cache.storedFloats, geometry.transformedCount, "room for one")
        // Once the first weights go unused for more than staleAfter lookups, the second take their place.
        for _ in 0..<5 { _ = transform(second) }
        XCTAssertEqual(made, 8, "cached on the lookup after the first weights went stale")
        _ = transform(second)
        XCTAssertEqual(made, 8, "now a hit")
        _ = transform(first)
        XCTAssertEqual(made, 9, "the stale weights were evicted")
        // The shared cache through conv2d (no gradient wanted) gives what a fresh transform gives, twice.
        let weight = Tensor(shape: [o, c, 3, 3], scalars: first)
        for _ in 0..<2 { XCTAssertEqual(x.conv2d(weight: weight, padding: 1).scalars, fresh[0]) }
        // A weight that takes a gradient (training) bypasses the cache.
        XCTAssertEqual(x.conv2d(weight: Tensor(shape: [o, c, 3, 3], scalars: second).requiringGrad(), padding: 1).scalars, fresh[1])
    }
}
