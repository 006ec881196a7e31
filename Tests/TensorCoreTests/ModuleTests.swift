import XCTest
@testable import TensorCore

/// Parameter names are checkpoint keys; loading is by name with every problem listed.
final class ModuleTests: XCTestCase {
    final class Resnet: Module, @unchecked Sendable {
        let norm1: GroupNorm, conv1: Conv2d
        @Key("conv_shortcut") var shortcut: Conv2d?
        init(random: inout TensorRandom, shortcut: Bool) {
            norm1 = GroupNorm(groups: 2, channels: 4)
            conv1 = Conv2d(4, 4, kernel: 3, padding: 1, random: &random)
            _shortcut.wrappedValue = shortcut ? Conv2d(4, 4, kernel: 1, random: &random) : nil
        }
    }

    final class DownBlock: Module, @unchecked Sendable {
        let resnets: [Resnet]
        init(random: inout TensorRandom) {
            resnets = [Resnet(random: &random, shortcut: true), Resnet(random: &random, shortcut: false)]
        }
    }

    final class Model: Module, @unchecked Sendable {
        @Key("conv_in") var convIn: Conv2d
        @Key("down_blocks") var downBlocks: [DownBlock]
        init(random: inout TensorRandom) {
            _convIn.wrappedValue = Conv2d(1, 4, kernel: 3, padding: 1, random: &random)
            _downBlocks.wrappedValue = [DownBlock(random: &random)]
        }
    }

    func testNamesFollowDiffusersKeys() {
        var random = TensorRandom(seed: 1)
        let names = Model(random: &random).namedParameters().map(\.0)
        XCTAssertEqual(names, [
            "conv_in.weight", "conv_in.bias",
            "down_blocks.0.resnets.0.norm1.weight", "down_blocks.0.resnets.0.norm1.bias",
            "down_blocks.0.resnets.0.conv1.weight", "down_blocks.0.resnets.0.conv1.bias",
            "down_blocks.0.resnets.0.conv_shortcut.weight", "down_blocks.0.resnets.0.conv_shortcut.bias",
            "down_blocks.0.resnets.1.norm1.weight", "down_blocks.0.resnets.1.norm1.bias",
            "down_blocks.0.resnets.1.conv1.weight", "down_blocks.0.resnets.1.conv1.bias",
        ])
    }

    func testLoadByNameAndListEveryProblem() throws {
        var random = TensorRandom(seed: 1)
        let source = Model(random: &random), target = Model(random: &random)
        XCTAssertNotEqual(source.stateDict()["conv_in.weight"]!.scalars, target.stateDict()["conv_in.weight"]!.scalars)
        try target.load(source.stateDict())
        for (name, tensor) in source.stateDict() { XCTAssertEqual(target.stateDict()[name]!.scalars, tensor.scalars, name) }
        var broken = source.stateDict()
        broken["conv_in.bias"] = nil
        broken["down_blocks.0.resnets.1.conv1.weight"] = Tensor(zeros: [4, 4, 1, 1])
        broken["mid_block.extra.weight"] = Tensor(zeros: [1])
        XCTAssertThrowsError(try target.load(broken)) { error in
            let error = error as! ModuleLoadError
            XCTAssertEqual(error.missing, ["conv_in.bias"])
            XCTAssertEqual(error.unexpected, ["mid_block.extra.weight"])
            XCTAssertEqual(error.mismatched.count, 1)
            XCTAssertTrue(error.description.contains("down_blocks.0.resnets.1.conv1.weight"))
        }
        broken["mid_block.extra.weight"] = nil
        XCTAssertThrowsError(try target.load(broken, strict: false), "missing names fail even when not strict")
    }

    func testFrozenParametersCollectNoGradient() {
        var random = TensorRandom(seed: 2)
        let layer = Linear(3, 2, random: &random)
        layer.weight.setTrainable(false)
        layer(random.normal(shape: [1, 3])).sum().backward()
        XCTAssertNil(layer.weight.grad)
        XCTAssertNotNil(layer.bias!.grad)
        XCTAssertEqual(AdamW(layer.namedParameters()).parameters.map(\.0), ["bias"])
    }

    func testWarmupCosineMatchesTransformers() {
        // transformers.get_cosine_schedule_with_warmup(opt, 10, 110) with lr 1e-3 at steps 0, 5, 10, 60, 110.
        let schedule = WarmupCosineSchedule(peak: 1e-3, warmupSteps: 10, totalSteps: 110)
        XCTAssertEqual(schedule.learningRate(at: 0), 0)
        XCTAssertEqual(schedule.learningRate(at: 5), 5e-4, accuracy: 1e-9)
        XCTAssertEqual(schedule.learningRate(at: 10), 1e-3, accuracy: 1e-9)
        XCTAssertEqual(schedule.learningRate(at: 60), 5e-4, accuracy: 1e-8)
        XCTAssertEqual(schedule.learningRate(at: 110), 0, accuracy: 1e-9)
        XCTAssertEqual(WarmupCosineSchedule(peak: 1, warmupSteps: 0, totalSteps: 10, minimumRatio: 0.1).learningRate(at: 10), 0.1, accuracy: 1e-6)
    }

    func testEMAFollowsDiffusersDecay() {
        var random = TensorRandom(seed: 3)
        let layer = Linear(2, 1, bias: false, random: &random)
        let ema = ExponentialMovingAverage(layer, decay: 0.5)
        let start = layer.weight.value.scalars
        layer.weight.assign([start[0] + 1, start[1] + 1])
        ema.update(from: layer)
        // First update: decay 0, the shadow copies the model.
        XCTAssertEqual(ema.shadow["weight"]![0], start[0] + 1, accuracy: 1e-6)
        layer.weight.assign([start[0] + 2, start[1] + 2])
        ema.update(from: layer)
        // Second: decay min(0.5, 2/11), the shadow moves 9/11 of the way.
        XCTAssertEqual(ema.currentDecay, 2 / 11, accuracy: 1e-7)
        XCTAssertEqual(ema.shadow["weight"]![0], start[0] + 1 + 9 / 11, accuracy: 1e-5)
    }

    func testAccumulationStepsEveryKMicroBatches() {
        var accumulation = GradientAccumulation(microBatches: 3)
        XCTAssertEqual((0..<7).map { _ in accumulation.record() }, [false, false, true, false, false, true, false])
        XCTAssertEqual(accumulation.lossScale, 1 / 3)
    }

    func testKVCacheDecodingMatchesFullCausalAttention() {
        var random = TensorRandom(seed: 4)
        let (q, k, v) = (random.normal(shape: [1, 2, 5, 4]), random.normal(shape: [1, 2, 5, 4]), random.normal(shape: [1, 2, 5, 4]))
        let full = Tensor.attention(query: q, key: k, value: v, causal: true)
        let cache = KVCache(layers: 1)
        var steps: [Tensor] = []
        for t in 0..<5 {
            let (keys, values) = cache.append(layer: 0, key: k.narrowed(axis: 2, start: t, length: 1), value: v.narrowed(axis: 2, start: t, length: 1))
            steps.append(Tensor.attention(query: q.narrowed(axis: 2, start: t, length: 1), key: keys, value: values, causal: true))
        }
        XCTAssertEqual(cache.length, 5)
        let decoded = Tensor.concatenate(steps, axis: 2)
        XCTAssertLessThan(relativeError(decoded.scalars, full.scalars), 1e-6)
    }

    func testLoadersSkipRandomInitialisation() {
        var random = TensorRandom(seed: 8)
        let before = random
        let layer = withoutParameterInitialisation { Linear(64, 32, random: &random) }
        XCTAssertTrue(layer.weight.value.scalars.allSatisfy { $0 == 0 }, "no random weights inside the scope")
        XCTAssertEqual(random, before, "and no numbers drawn")
        XCTAssertFalse(ParameterInitialisation.isSkipped, "the scope ends with the call")
        XCTAssertTrue(Linear(64, 32, random: &random).weight.value.scalars.contains { $0 != 0 })
    }

    func testSeededRandomIsReproducibleAndRoughlyNormal() {
        var a = TensorRandom(seed: 42), b = TensorRandom(seed: 42)
        XCTAssertEqual((0..<5).map { _ in a.next() }, (0..<5).map { _ in b.next() })
        var r = TensorRandom(seed: 7)
        let sample = r.normal(shape: [20000])
        let mean = sample.scalars.reduce(0, +) / 20000
        let variance = sample.scalars.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 20000
        XCTAssertEqual(mean, 0, accuracy: 0.03)
        XCTAssertEqual(variance, 1, accuracy: 0.05)
        var resumed = TensorRandom(state: r.state)
        XCTAssertEqual(resumed.next(), r.next())
    }
}
