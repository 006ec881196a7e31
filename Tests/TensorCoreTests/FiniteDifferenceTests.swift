import XCTest
@testable import TensorCore

/// Central finite differences against autograd for every op, independent of
/// PyTorch: for L = sum(op(inputs) * cotangent), dL/dx at sampled elements.
final class FiniteDifferenceTests: XCTestCase {
    /// Compares autograd with (L(x+h) − L(x−h)) / 2h at up to `samples` elements of each input.
    func check(_ name: String, inputs: [Tensor], samples: Int = 6, step: Float = 1e-2, tolerance: Float = 2e-2,
               file: StaticString = #filePath, line: UInt = #line, _ op: ([Tensor]) -> Tensor) {
        var random = TensorRandom(seed: 11)
        let leaves = inputs.map { $0.requiringGrad() }
        let output = op(leaves)
        let cotangent = random.normal(shape: output.shape)
        func loss(_ values: [Tensor]) -> Double {
            let out = withoutGradients { op(values) }
            var total: Double = 0
            for i in 0..<out.count { total += Double(out.scalars[i]) * Double(cotangent.scalars[i]) }
            return total
        }
        output.backward(seed: cotangent)
        for (index, leaf) in leaves.enumerated() {
            guard let grad = leaf.grad else { XCTFail("\(name): no gradient for input \(index)", file: file, line: line); continue }
            for _ in 0..<min(samples, leaf.count) {
                let element = Int(random.next() % UInt64(leaf.count))
                var plus = inputs.map { $0.detached() }, minus = plus
                var up = leaf.scalars, down = leaf.scalars
                up[element] += step
                down[element] -= step
                plus[index] = Tensor(shape: leaf.shape, scalars: up)
                minus[index] = Tensor(shape: leaf.shape, scalars: down)
                let numeric = Float((loss(plus) - loss(minus)) / Double(2 * step))
                let analytic = grad.scalars[element]
                let scale = max(1, abs(numeric), abs(analytic))
                XCTAssertLessThanOrEqual(abs(numeric - analytic) / scale, tolerance,
                                         "\(name): input \(index) element \(element): numeric \(numeric) vs autograd \(analytic)", file: file, line: line)
            }
        }
    }

    var random = TensorRandom(seed: 7)

    func testElementwiseAndActivations() {
        let a = random.normal(shape: [3, 4]), b = random.normal(shape: [4])
        let positive = random.uniform(shape: [3, 4], in: 0.5...2)
        check("add", inputs: [a, b]) { $0[0] + $0[1] }
        check("sub", inputs: [a, b]) { $0[0] - $0[1] }
        check("mul", inputs: [a, b]) { $0[0] * $0[1] }
        check("div", inputs: [a, positive]) { $0[0] / $0[1] }
        check("exp", inputs: [a]) { $0[0].exp() }
        check("log", inputs: [positive]) { $0[0].log() }
        check("sqrt", inputs: [positive]) { $0[0].sqrt() }
        check("pow", inputs: [positive]) { $0[0].pow(1.5) }
        check("sigmoid", inputs: [a]) { $0[0].sigmoid() }
        check("tanh", inputs: [a]) { $0[0].tanh() }
        check("silu", inputs: [a]) { $0[0].silu() }
        check("gelu", inputs: [a]) { $0[0].gelu() }
        check("gelu tanh", inputs: [a]) { $0[0].geluTanh() }
        check("quick gelu", inputs: [a]) { $0[0].quickGelu() }
        check("geglu", inputs: [random.normal(shape: [2, 6])]) { $0[0].geglu() }
        check("swiglu", inputs: [a, random.normal(shape: [3, 4])]) { Tensor.swiglu(gate: $0[0], up: $0[1]) }
    }

    func testProductsAndShapes() {
        check("matmul", inputs: [random.normal(shape: [2, 3, 4]), random.normal(shape: [2, 4, 5])]) { $0[0].matmul($0[1]) }
        check("matmul shared", inputs: [random.normal(shape: [2, 3, 4]), random.normal(shape: [4, 5])]) { $0[0].matmul($0[1]) }
        check("linear", inputs: [random.normal(shape: [2, 4]), random.normal(shape: [3, 4]), random.normal(shape: [3])]) {
            $0[0].linear(weight: $0[1], bias: $0[2])
        }
        let x = random.normal(shape: [2, 3, 4])
        check("reshape", inputs: [x]) { $0[0].reshaped([6, -1]) }
        check("permute", inputs: [x]) { $0[0].permuted([1, 2, 0]) }
        check("narrow", inputs: [x]) { $0[0].narrowed(axis: 1, start: 1, length: 2) }
        check("concat", inputs: [x, random.normal(shape: [2, 1, 4])]) { Tensor.concatenate([$0[0], $0[1]], axis: 1) }
        check("split", inputs: [x]) { $0[0].split(sizes: [1, 3], axis: 2)[1] }
        check("sum axis", inputs: [x]) { $0[0].sum(axis: 2, keepingDimension: true) }
        check("mean axis", inputs: [x]) { $0[0].mean(axis: 0) }
        check("sum", inputs: [x]) { $0[0].sum() }
    }

    func testNormsAndSoftmax() {
        check("softmax", inputs: [random.normal(shape: [3, 5])]) { $0[0].softmax() }
        check("layer norm", inputs: [random.normal(shape: [2, 6]), random.normal(shape: [6]), random.normal(shape: [6])]) {
            $0[0].layerNorm(weight: $0[1], bias: $0[2])
        }
        check("rms norm", inputs: [random.normal(shape: [2, 6]), random.normal(shape: [6])]) { $0[0].rmsNorm(weight: $0[1]) }
        check("group norm small planes", inputs: [random.normal(shape: [2, 4, 2, 2]), random.normal(shape: [4]), random.normal(shape: [4])]) {
            $0[0].groupNorm(groups: 2, weight: $0[1], bias: $0[2])
        }
        check("group norm large planes", inputs: [random.normal(shape: [1, 4, 8, 8]), random.normal(shape: [4]), random.normal(shape: [4])]) {
            $0[0].groupNorm(groups: 2, weight: $0[1], bias: $0[2])
        }
    }

    func testConvolutionAttentionAndFriends() {
        check("conv 3x3", inputs: [random.normal(shape: [1, 2, 5, 5]), random.normal(shape: [3, 2, 3, 3]), random.normal(shape: [3])]) {
            $0[0].conv2d(weight: $0[1], bias: $0[2], padding: 1)
        }
        check("conv stride 2", inputs: [random.normal(shape: [1, 2, 6, 6]), random.normal(shape: [2, 2, 3, 3])]) {
            $0[0].conv2d(weight: $0[1], stride: 2, padding: 1)
        }
        check("conv 1x1", inputs: [random.normal(shape: [2, 3, 3, 3]), random.normal(shape: [2, 3, 1, 1])]) { $0[0].conv2d(weight: $0[1]) }
        check("upsample", inputs: [random.normal(shape: [1, 2, 3, 3])]) { $0[0].upsampleNearest2x() }
        let q = random.normal(shape: [1, 2, 4, 3]), k = random.normal(shape: [1, 2, 5, 3]), v = random.normal(shape: [1, 2, 5, 2])
        check("attention", inputs: [q, k, v]) { Tensor.attention(query: $0[0], key: $0[1], value: $0[2]) }
        let s = random.normal(shape: [1, 1, 5, 3])
        check("causal attention", inputs: [s, s, s]) { Tensor.attention(query: $0[0], key: $0[1], value: $0[2], causal: true) }
        let tables = Tensor.rotaryTables(positions: [0, 1, 2], dimension: 4)
        check("rotary", inputs: [random.normal(shape: [1, 2, 3, 4])]) { $0[0].rotary(cos: tables.cos, sin: tables.sin) }
        check("embedding", inputs: [random.normal(shape: [5, 3])]) { Tensor.embedding(ids: [0, 4, 4, 2], shape: [2, 2], table: $0[0]) }
        check("cross entropy", inputs: [random.normal(shape: [4, 5])]) { $0[0].crossEntropy(targets: [1, -100, 4, 0]).reshaped([1]) }
        check("mse", inputs: [random.normal(shape: [3, 2]), random.normal(shape: [3, 2])]) { Tensor.meanSquaredError($0[0], $0[1]).reshaped([1]) }
    }

    func testDropoutIsSeededAndScaled() {
        var r1 = TensorRandom(seed: 4), r2 = TensorRandom(seed: 4)
        let x = Tensor(ones: [1000])
        let a = x.dropout(0.25, random: &r1), b = x.dropout(0.25, random: &r2)
        XCTAssertEqual(a.scalars, b.scalars, "same seed, same mask")
        let kept = a.scalars.filter { $0 != 0 }
        XCTAssertTrue(kept.allSatisfy { abs($0 - 4.0 / 3.0) < 1e-6 })
        XCTAssertEqual(Double(kept.count) / 1000, 0.75, accuracy: 0.05)
    }
}
