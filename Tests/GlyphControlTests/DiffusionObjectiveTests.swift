import XCTest
@testable import GlyphControl
import TensorCore

/// The training objective: x_t = sqrt(ᾱ)·x0 + sqrt(1 − ᾱ)·ε and the target the prediction type names.
final class DiffusionObjectiveTests: XCTestCase {
    /// ᾱ = 0.9, 0.72, 0.36.
    let schedule = NoiseSchedule(betas: [0.1, 0.2, 0.5])
    let x0 = Tensor(shape: [2, 1, 1, 3], scalars: [1, -0.5, 0.25, 0.8, 0, -1])
    let noise = Tensor(shape: [2, 1, 1, 3], scalars: [0.3, 1.2, -2, -0.7, 0.4, 1.5])

    func testScheduleIsTheCumulativeProduct() {
        XCTAssertEqual(schedule.alphasCumprod[0], 0.9, accuracy: 1e-7)
        XCTAssertEqual(schedule.alphasCumprod[1], 0.72, accuracy: 1e-7)
        XCTAssertEqual(schedule.alphasCumprod[2], 0.36, accuracy: 1e-7)
    }

    func check(_ prediction: SchedulerConfiguration.PredictionType, target expected: (Float, Float, Float, Float) -> Float) {
        let objective = DiffusionObjective(schedule: schedule, prediction: prediction)
        let timesteps = [0, 2]
        let (sample, target) = objective.noised(x0, noise: noise, timesteps: timesteps)
        XCTAssertEqual(sample.shape, x0.shape)
        XCTAssertEqual(target.shape, x0.shape)
        for i in 0..<6 {
            let alphaBar = schedule.alphasCumprod[timesteps[i / 3]]
            let (a, s) = (alphaBar.squareRoot(), (1 - alphaBar).squareRoot())
            let (x, e) = (x0.scalars[i], noise.scalars[i])
            XCTAssertEqual(sample.scalars[i], a * x + s * e, accuracy: 1e-6, "\(prediction) sample \(i)")
            XCTAssertEqual(target.scalars[i], expected(a, s, x, e), accuracy: 1e-6, "\(prediction) target \(i)")
        }
        // Hand-computed: item 1 at ᾱ = 0.36 (a = 0.6, s = 0.8), element 0: 0.6·0.8 + 0.8·(−0.7) = −0.08.
        XCTAssertEqual(sample.scalars[3], -0.08, accuracy: 1e-6)
    }

    func testEpsilonTargetIsTheNoise() {
        check(.epsilon) { _, _, _, e in e }
    }

    func testVPredictionTarget() {
        check(.vPrediction) { a, s, x, e in a * e - s * x }
        let (_, v) = DiffusionObjective(schedule: schedule, prediction: .vPrediction).noised(x0, noise: noise, timesteps: [0, 2])
        XCTAssertEqual(v.scalars[3], 0.6 * -0.7 - 0.8 * 0.8, accuracy: 1e-6, "v = sqrt(ᾱ)·ε − sqrt(1 − ᾱ)·x0")
    }

    func testSampleTargetIsTheCleanImage() {
        check(.sample) { _, _, x, _ in x }
    }

    func testWeightedLossAndItsGradient() {
        let prediction = Tensor(shape: [1, 4], scalars: [1, 2, 3, 4]).requiringGrad()
        let target = Tensor(zeros: [1, 4])
        XCTAssertEqual(DiffusionObjective.loss(prediction: prediction, target: target).item, 7.5, accuracy: 1e-6, "(1 + 4 + 9 + 16) / 4")
        let weight = Tensor(shape: [1, 4], scalars: [1, 0, 2, 1])
        let loss = DiffusionObjective.loss(prediction: prediction, target: target, weight: weight)
        XCTAssertEqual(loss.item, 35 / 4, accuracy: 1e-6, "(1·1 + 0·4 + 2·9 + 1·16) / (1 + 0 + 2 + 1)")
        loss.backward()
        let grad = try? XCTUnwrap(prediction.grad)
        for (g, expected) in zip(grad?.scalars ?? [], [Float(0.5), 0, 3, 2]) { XCTAssertEqual(g, expected, accuracy: 1e-6, "2·w·(p − y) / Σw") }
        XCTAssertEqual(DiffusionObjective.loss(prediction: prediction, target: target, weight: Tensor(ones: [1, 4])).item, 7.5, accuracy: 1e-6)
    }

    func testTextRegionWeightCoversCellsNearTheMask() {
        // Two 8x8 masks at r = 2 (4x4 cells): one lit pixel at (x 5, y 2) -> cell (row 1, column 2); the second mask is dark.
        var pixels = [Float](repeating: 0, count: 2 * 64)
        pixels[2 * 8 + 5] = 1
        pixels[64 + 7 * 8 + 7] = 0.1  // at the threshold: not text
        let weight = DiffusionObjective.textRegionWeight(masks: Tensor(shape: [2, 1, 8, 8], scalars: pixels), factor: 2, channels: 3, textWeight: 3)
        XCTAssertEqual(weight.shape, [2, 3, 4, 4])
        for c in 0..<3 {
            for y in 0..<4 {
                for x in 0..<4 {
                    let near = (0...2).contains(y) && (1...3).contains(x)
                    XCTAssertEqual(weight.scalars[(c * 4 + y) * 4 + x], near ? 3 : 1, "item 0 channel \(c) cell (\(y), \(x))")
                    XCTAssertEqual(weight.scalars[((3 + c) * 4 + y) * 4 + x], 1, "item 1 channel \(c) cell (\(y), \(x))")
                }
            }
        }
        // A corner pixel grows into its 2x2 corner of cells only.
        var corner = [Float](repeating: 0, count: 64)
        corner[0] = 0.5
        let grown = DiffusionObjective.textRegionWeight(masks: Tensor(shape: [1, 1, 8, 8], scalars: corner), factor: 2, channels: 1, textWeight: 5)
        XCTAssertEqual(grown.scalars, [5, 5, 1, 1, 5, 5, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1])
    }
}
