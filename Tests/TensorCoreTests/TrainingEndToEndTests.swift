import Foundation
import XCTest
@testable import TensorCore

/// Small models learn synthetic tasks, and a run resumed from a checkpoint
/// follows exactly the loss curve of an uninterrupted one (same seed).
final class TrainingEndToEndTests: XCTestCase {
    /// Two 3x3 convolutions learning a fixed blur of random images.
    final class TinyConvNet: Module, @unchecked Sendable {
        let conv1: Conv2d, conv2: Conv2d
        init(random: inout TensorRandom) {
            conv1 = Conv2d(1, 8, kernel: 3, padding: 1, random: &random)
            conv2 = Conv2d(8, 1, kernel: 3, padding: 1, random: &random)
        }
        func callAsFunction(_ x: Tensor) -> Tensor { conv2(conv1(x).silu()) }
    }

    /// One causal attention layer with learned positions: must look back at
    /// the first token to predict it at every position (copy-first task).
    final class TinyTransformer: Module, @unchecked Sendable {
        @Key("embed_tokens") var tokens: Embedding
        @Key("embed_positions") var positions: Embedding
        let query: Linear, key: Linear, value: Linear, output: Linear
        let norm: RMSNorm
        @Key("lm_head") var head: Linear
        let heads = 2, width = 16

        init(vocabulary: Int, length: Int, random: inout TensorRandom) {
            _tokens.wrappedValue = Embedding(vocabulary, 16, random: &random)
            _positions.wrappedValue = Embedding(length, 16, random: &random)
            query = Linear(16, 16, random: &random); key = Linear(16, 16, random: &random)
            value = Linear(16, 16, random: &random); output = Linear(16, 16, random: &random)
            norm = RMSNorm(16)
            _head.wrappedValue = Linear(16, vocabulary, random: &random)
        }

        func callAsFunction(_ ids: [Int], batch: Int, length: Int) -> Tensor {
            let x = tokens(ids, shape: [batch, length]) + positions(Array(0..<length), shape: [length])
            func split(_ t: Tensor) -> Tensor { t.reshaped([batch, length, heads, width / heads]).permuted([0, 2, 1, 3]) }
            let attended = Tensor.attention(query: split(query(x)), key: split(key(x)), value: split(value(x)), causal: true)
            let h = x + output(attended.permuted([0, 2, 1, 3]).reshaped([batch, length, width]))
            return head(norm(h))
        }
    }

    func blurBatch(_ random: inout TensorRandom) -> (Tensor, Tensor) {
        let x = random.uniform(shape: [4, 1, 8, 8], in: 0...1)
        let kernel = Tensor(shape: [1, 1, 3, 3], scalars: [1, 2, 1, 2, 4, 2, 1, 2, 1].map { $0 / 16 })
        return (x, withoutGradients { x.conv2d(weight: kernel, padding: 1) })
    }

    func copyBatch(_ random: inout TensorRandom, vocabulary: Int, length: Int) -> ([Int], [Int]) {
        var ids: [Int] = [], targets: [Int] = []
        for _ in 0..<8 {
            let first = Int(random.next() % UInt64(vocabulary))
            let row = [first] + (1..<length).map { _ in Int(random.next() % UInt64(vocabulary)) }
            ids += row
            targets += [-100] + [Int](repeating: first, count: length - 1)
        }
        return (ids, targets)
    }

    func testConvNetLearnsABlur() {
        var random = TensorRandom(seed: 1)
        let model = TinyConvNet(random: &random)
        let optimizer = AdamW(model.namedParameters(), learningRate: 1e-2, weightDecay: 0)
        var first: Float = 0, last: Float = 0
        for step in 0..<150 {
            let (x, y) = blurBatch(&random)
            let loss = Tensor.meanSquaredError(model(x), y)
            if step == 0 { first = loss.item }
            last = loss.item
            loss.backward()
            GradientClipping.clipNorm(model.parameters(), maxNorm: 1)
            optimizer.update()
            model.zeroGrad()
        }
        XCTAssertLessThan(last, 0.003, "conv net did not learn (first loss \(first), last \(last))")
        XCTAssertLessThan(last, first / 10)
    }

    func testTransformerLearnsToCopyTheFirstToken() {
        var random = TensorRandom(seed: 2)
        let (vocabulary, length) = (8, 6)
        let model = TinyTransformer(vocabulary: vocabulary, length: length, random: &random)
        XCTAssertTrue(model.namedParameters().map(\.0).contains("embed_tokens.weight"))
        XCTAssertTrue(model.namedParameters().map(\.0).contains("lm_head.bias"))
        let schedule = WarmupCosineSchedule(peak: 2e-2, warmupSteps: 20, totalSteps: 300)
        let optimizer = AdamW(model.namedParameters(), learningRate: 0, weightDecay: 0.01)
        var last: Float = 0
        for step in 0..<300 {
            optimizer.learningRate = schedule.learningRate(at: step)
            let (ids, targets) = copyBatch(&random, vocabulary: vocabulary, length: length)
            let loss = model(ids, batch: 8, length: length).crossEntropy(targets: targets)
            last = loss.item
            loss.backward()
            optimizer.update()
            model.zeroGrad()
        }
        XCTAssertLessThan(last, 0.2, "transformer did not learn to copy (last loss \(last), chance is \(log(8.0)))")
    }

    /// Trains `steps` steps from `checkpoint` (or from scratch), returning the losses.
    func trainConv(steps: Range<Int>, resumeFrom checkpoint: String?, saveTo: String?, saveAt: Int? = nil) throws -> [Float] {
        var random = TensorRandom(seed: 9)
        let model = TinyConvNet(random: &random)
        let optimizer = AdamW(model.namedParameters(), learningRate: 5e-3)
        let ema = ExponentialMovingAverage(model, decay: 0.99)
        var accumulation = GradientAccumulation(microBatches: 2)
        if let checkpoint {
            let state = try TrainingCheckpoint.load(from: checkpoint, model: model, optimizer: optimizer, ema: ema)
            XCTAssertEqual(state.step, steps.lowerBound)
            random = state.random
        }
        var losses: [Float] = []
        for step in steps {
            var total: Float = 0
            repeat {
                let (x, y) = blurBatch(&random)
                let loss = Tensor.meanSquaredError(model(x), y) * accumulation.lossScale
                total += loss.item
                loss.backward()
            } while !accumulation.record()
            optimizer.update()
            model.zeroGrad()
            ema.update(from: model)
            losses.append(total)
            if let saveTo, step + 1 == saveAt {
                try TrainingCheckpoint.save(to: saveTo, model: model, optimizer: optimizer, ema: ema,
                                            state: TrainingCheckpoint(step: step + 1, random: random))
            }
        }
        return losses
    }

    func testResumedRunFollowsTheUninterruptedLossCurve() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("resume-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("checkpoint.safetensors").path
        let straight = try trainConv(steps: 0..<30, resumeFrom: nil, saveTo: path, saveAt: 12)
        let resumed = try trainConv(steps: 12..<30, resumeFrom: path, saveTo: nil)
        XCTAssertEqual(Array(straight[12...]), resumed, "a resumed run must repeat the uninterrupted losses exactly")
        XCTAssertLessThan(straight.last!, straight.first!)
        // The write was atomic: no temporary file is left beside the checkpoint.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["checkpoint.safetensors"])
    }

    func testCheckpointThatIsNotOneIsAClearError() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("weights-\(UUID()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var random = TensorRandom(seed: 1)
        let model = TinyConvNet(random: &random)
        var writer = SafetensorsWriter()
        for (name, t) in model.stateDict() { try writer.add("model.\(name)", shape: t.shape, values: t.scalars) }
        try writer.write(to: path)
        XCTAssertThrowsError(try TrainingCheckpoint.load(from: path, model: model, optimizer: AdamW(model.namedParameters()))) { error in
            XCTAssertTrue("\(error)".contains("not a training checkpoint"), "\(error)")
        }
    }

    func testAdamWMatchesTorchOnOneParameter() {
        // torch.optim.AdamW(lr=0.1, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01), p=[1, -2], grads [0.5, -1] then [0.1, 0.2]:
        // step 1 -> [0.899, -1.898]; step 2 -> [0.8177969, -1.8449994] (printed by torch 2.13).
        let p = Parameter(Tensor(shape: [2], scalars: [1, -2]))
        let optimizer = AdamW([("p", p)], learningRate: 0.1, weightDecay: 0.01)
        (p.value * Tensor(shape: [2], scalars: [0.5, -1])).sum().backward()
        optimizer.update(); p.zeroGrad()
        XCTAssertEqual(p.value.scalars[0], 0.899, accuracy: 1e-5)
        XCTAssertEqual(p.value.scalars[1], -1.898, accuracy: 1e-5)
        (p.value * Tensor(shape: [2], scalars: [0.1, 0.2])).sum().backward()
        optimizer.update()
        XCTAssertEqual(p.value.scalars[0], 0.8177969, accuracy: 1e-5)
        XCTAssertEqual(p.value.scalars[1], -1.8449994, accuracy: 1e-5)
    }

    func testLearningRateScaleActsAsAParameterGroup() {
        // The same first step at lr 0.1 as above, for a parameter scaled x10 from a base rate of 0.01
        // (torch: a parameter group with lr=0.1); the other parameter moves at 0.01.
        let (fast, slow) = (Parameter(Tensor(shape: [2], scalars: [1, -2])), Parameter(Tensor(shape: [2], scalars: [1, -2])))
        let optimizer = AdamW([("pool.fast", fast), ("slow", slow)], learningRate: 0.01, weightDecay: 0.01)
        optimizer.setLearningRateScale(10) { $0.hasPrefix("pool.") }
        XCTAssertEqual(optimizer.learningRateScales, [10, 1])
        ((fast.value + slow.value) * Tensor(shape: [2], scalars: [0.5, -1])).sum().backward()
        optimizer.update()
        XCTAssertEqual(fast.value.scalars[0], 0.899, accuracy: 1e-5)
        XCTAssertEqual(fast.value.scalars[1], -1.898, accuracy: 1e-5)
        // lr 0.01: decay 1 - 1e-4, then one step of size 0.01 against the gradient's sign.
        XCTAssertEqual(slow.value.scalars[0], 1 * (1 - 1e-4) - 0.01, accuracy: 1e-5)
        XCTAssertEqual(slow.value.scalars[1], -2 * (1 - 1e-4) + 0.01, accuracy: 1e-5)
    }
}
