import XCTest
@testable import TensorCore

/// Every op's forward and backward against PyTorch (tools/make_op_fixtures.py):
/// relative error <= 1e-5 forward, <= 1e-4 for gradients.
final class OpsAgainstPyTorchTests: XCTestCase {
    func unary(_ name: String, _ op: (Tensor) -> Tensor) throws {
        let f = OpFixture(name: name)
        let a = try f.input("a")
        try f.check(op(a), inputs: ["a": a])
    }

    func binary(_ name: String, _ op: (Tensor, Tensor) -> Tensor) throws {
        let f = OpFixture(name: name)
        let a = try f.input("a"), b = try f.input("b")
        try f.check(op(a, b), inputs: ["a": a, "b": b])
    }

    func testBroadcastingArithmetic() throws {
        try binary("add", +)
        try binary("sub", -)
        try binary("mul", *)
        try binary("div", /)
    }

    func testPointwiseFunctions() throws {
        try unary("exp") { $0.exp() }
        try unary("log") { $0.log() }
        try unary("sqrt") { $0.sqrt() }
        try unary("sigmoid") { $0.sigmoid() }
        try unary("tanh") { $0.tanh() }
        try unary("silu") { $0.silu() }
        try unary("gelu") { $0.gelu() }
        try unary("gelu_tanh") { $0.geluTanh() }
        try unary("quick_gelu") { $0.quickGelu() }
    }

    func testMatrixProducts() throws {
        try binary("matmul") { $0.matmul($1) }
        try binary("matmul_shared") { $0.matmul($1) }
        let f = OpFixture(name: "linear")
        let x = try f.input("x"), w = try f.input("w"), b = try f.input("b")
        try f.check(x.linear(weight: w, bias: b), inputs: ["x": x, "w": w, "b": b])
    }

    func testSoftmaxAndNorms() throws {
        try unary("softmax") { $0.softmax() }
        var f = OpFixture(name: "layer_norm")
        var x = try f.input("x"), w = try f.input("w"), b = try f.input("b")
        try f.check(x.layerNorm(weight: w, bias: b), inputs: ["x": x, "w": w, "b": b])
        f = OpFixture(name: "rms_norm")
        x = try f.input("x"); w = try f.input("w")
        try f.check(x.rmsNorm(weight: w, epsilon: 1e-6), inputs: ["x": x, "w": w])
        f = OpFixture(name: "group_norm")
        x = try f.input("x"); w = try f.input("w"); b = try f.input("b")
        try f.check(x.groupNorm(groups: 4, weight: w, bias: b), inputs: ["x": x, "w": w, "b": b])
    }

    func testGroupNormOnLargePlanesMatchesTheGeneralPath() throws {
        var random = TensorRandom(seed: 3)
        let x = random.normal(shape: [2, 8, 9, 9], mean: 1, std: 2).requiringGrad()
        let w = random.normal(shape: [8]).requiringGrad(), b = random.normal(shape: [8]).requiringGrad()
        let fast = x.groupNorm(groups: 2, weight: w, bias: b)
        let general = Tensor.normalize(x, groups: 4, groupSize: 4 * 81, channels: 8, channelStride: 81, weight: w, bias: b,
                                       epsilon: 1e-5, channelOf: { ($0 / 81) % 8 })
        XCTAssertLessThan(relativeError(fast.scalars, general.scalars), 1e-5)
        let seed = random.normal(shape: fast.shape)
        fast.backward(seed: seed)
        let (gx, gw, gb) = (x.grad!.scalars, w.grad!.scalars, b.grad!.scalars)
        x.zeroGrad(); w.zeroGrad(); b.zeroGrad()
        general.backward(seed: seed)
        XCTAssertLessThan(relativeError(gx, x.grad!.scalars), 1e-4)
        XCTAssertLessThan(relativeError(gw, w.grad!.scalars), 1e-4)
        XCTAssertLessThan(relativeError(gb, b.grad!.scalars), 1e-4)
    }

    func testConvolutions() throws {
        for (name, stride, padding) in [("conv3x3", 1, 1), ("conv3x3_s2", 2, 1), ("conv1x1", 1, 0), ("conv3x3_winograd", 1, 1)] {
            let f = OpFixture(name: name)
            let x = try f.input("x"), w = try f.input("w"), b = try f.input("b")
            try f.check(x.conv2d(weight: w, bias: b, stride: stride, padding: padding), inputs: ["x": x, "w": w, "b": b])
        }
    }

    func testAttention() throws {
        for (name, causal) in [("attention", false), ("attention_causal", true), ("attention_cross", false)] {
            let f = OpFixture(name: name)
            let q = try f.input("q"), k = try f.input("k"), v = try f.input("v")
            try f.check(Tensor.attention(query: q, key: k, value: v, causal: causal), inputs: ["q": q, "k": k, "v": v])
        }
    }

    func testAttentionBlocksGiveTheSameResultAsOneBlock() throws {
        // More queries than one block (and than the backward's query block) and more keys than one key
        // block (the last one partial), then Lq == Lk, where causal query blocks skip whole key blocks;
        // head sizes that are no multiple of the 16- or 32-wide panels and query counts no multiple of the 6- or 12-row
        // tiles, last key panels of at most 16 keys (the AVX-512 build's half-width tile) and of 17-31 keys:
        // the fused kernel's loops, online softmax, padding and causal offset, and the backward's
        // query blocks must match a direct computation.
        var random = TensorRandom(seed: 5)
        let (qb, kb) = (FusedAttentionKernel.queryBlock, FusedAttentionKernel.keyBlock)
        for (lq, lk, d, dv) in [(2 * qb + 37, 3 * kb + 11, 8, 8), (kb + 5, kb + 5, 8, 8), (Tensor.attentionBlock + 13, 77, 20, 37), (1, 9, 5, 3), (37, 90, 16, 16)] {
            for causal in lq <= lk ? [false, true] : [false] {
                let q = random.normal(shape: [1, 2, lq, d]).requiringGrad(), k = random.normal(shape: [1, 2, lk, d]).requiringGrad()
                let v = random.normal(shape: [1, 2, lk, dv]).requiringGrad(), w = random.normal(shape: [1, 2, lq, dv])
                let blocked = Tensor.attention(query: q, key: k, value: v, causal: causal)
                (blocked * w).sum().backward()
                let blockedGrads = [q, k, v].map { $0.grad!.scalars }
                [q, k, v].forEach { $0.zeroGrad() }
                var scores = q.matmul(k.transposed()) * (1 / Float(d).squareRoot())
                if causal {
                    // The last query sees every key, as torch's is_causal aligns them.
                    var mask = [Float](repeating: 0, count: lq * lk)
                    for i in 0..<lq { for j in (i + lk - lq + 1)..<max(i + lk - lq + 1, lk) { mask[i * lk + j] = -.infinity } }
                    scores = scores + Tensor(shape: [lq, lk], scalars: mask)
                }
                let direct = scores.softmax().matmul(v)
                XCTAssertLessThan(relativeError(blocked.scalars, direct.scalars), 1e-5, "Lq \(lq) Lk \(lk) causal \(causal)")
                (direct * w).sum().backward()
                for (name, (tensor, grad)) in zip(["q", "k", "v"], zip([q, k, v], blockedGrads)) {
                    XCTAssertLessThan(relativeError(grad, tensor.grad!.scalars), 1e-4, "d\(name), Lq \(lq) Lk \(lk) causal \(causal)")
                }
            }
        }
    }

    func testAttentionOverFewKeysTakesLargeQueryBlocks() {
        // 77 caption tokens: one block of all 4,096 queries, so each sgemm is large.
        XCTAssertEqual(Tensor.queryBlock(queries: 4096, keys: 77), 4096)
        XCTAssertEqual(Tensor.queryBlock(queries: 20_000, keys: 77), Tensor.scoreBudget / 77)
        XCTAssertEqual(Tensor.queryBlock(queries: 4096, keys: 4096), Tensor.attentionBlock)
        XCTAssertEqual(Tensor.queryBlock(queries: 3, keys: 4096), 3)
    }

    func testEmbeddingRotaryUpsample() throws {
        var f = OpFixture(name: "embedding")
        let table = try f.input("table")
        try f.check(Tensor.embedding(ids: try f.ids("ids"), shape: try f.idsShape("ids"), table: table), inputs: ["table": table])
        f = OpFixture(name: "rotary")
        let x = try f.input("x")
        let tables = Tensor.rotaryTables(positions: Array(0..<5), dimension: 8)
        try f.check(x.rotary(cos: tables.cos, sin: tables.sin), inputs: ["x": x])
        f = OpFixture(name: "upsample")
        let planes = try f.input("x")
        try f.check(planes.upsampleNearest2x(), inputs: ["x": planes])
    }

    func testShapeOpsAndReductions() throws {
        try binary("concat") { Tensor.concatenate([$0, $1], axis: 1) }
        try unary("narrow") { $0.narrowed(axis: 2, start: 1, length: 3) }
        try unary("permute") { $0.permuted([2, 0, 1]) }
        try unary("sum_axis") { $0.sum(axis: 1) }
        try unary("mean") { $0.mean().reshaped([1]) }
    }

    func testLossesAndGatedUnits() throws {
        var f = OpFixture(name: "cross_entropy")
        let logits = try f.input("logits")
        try f.check(logits.crossEntropy(targets: try f.ids("targets")).reshaped([1]), inputs: ["logits": logits])
        try binary("mse") { Tensor.meanSquaredError($0, $1).reshaped([1]) }
        f = OpFixture(name: "geglu")
        let x = try f.input("x")
        try f.check(x.geglu(), inputs: ["x": x])
        f = OpFixture(name: "swiglu")
        let g = try f.input("g"), u = try f.input("u")
        try f.check(Tensor.swiglu(gate: g, up: u), inputs: ["g": g, "u": u])
    }
}
