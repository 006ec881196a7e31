import XCTest
@testable import GlyphControl
import TensorCore

/// TimestepBias against diffusers' generate_timestep_weights (train_text_to_image_sdxl.py).
final class TimestepBiasTests: XCTestCase {
    func testWeightsMatchDiffusers() {
        // weights = ones(1000); weights[-250:] *= 2; weights /= weights.sum()  ->  1/1250 and 2/1250.
        let later = TimestepBias(strategy: .later, multiplier: 2, portion: 0.25).weights(count: 1000)
        XCTAssertEqual(later[0], 1 / 1250, accuracy: 1e-9)
        XCTAssertEqual(later[749], 1 / 1250, accuracy: 1e-9)
        XCTAssertEqual(later[750], 2 / 1250, accuracy: 1e-9)
        XCTAssertEqual(later[999], 2 / 1250, accuracy: 1e-9)
        let earlier = TimestepBias(strategy: .earlier, multiplier: 3, portion: 0.1).weights(count: 1000)
        XCTAssertEqual(earlier[99], 3 / 1200, accuracy: 1e-9)
        XCTAssertEqual(earlier[100], 1 / 1200, accuracy: 1e-9)
        XCTAssertEqual(TimestepBias().weights(count: 4), [0.25, 0.25, 0.25, 0.25])
    }

    func testUnbiasedDrawIsTheTrainersUniformDraw() {
        var a = TensorRandom(seed: 9), b = TensorRandom(seed: 9)
        for _ in 0..<100 {
            XCTAssertEqual(TimestepBias().draw(count: 1000, random: &a), Int(b.next() % 1000))
        }
    }

    func testLaterBiasDrawsTheLastQuarterHalfTheTime() {
        // Multiplier 3 on the last 25%: 0.75 of the weight against 0.75 elsewhere.
        let bias = TimestepBias(strategy: .later, multiplier: 3, portion: 0.25)
        var random = TensorRandom(seed: 1)
        let draws = (0..<20_000).map { _ in bias.draw(count: 1000, random: &random) }
        XCTAssertTrue(draws.allSatisfy { (0..<1000).contains($0) })
        let late = Double(draws.filter { $0 >= 750 }.count) / Double(draws.count)
        XCTAssertEqual(late, 0.5, accuracy: 0.02)
        let early = Double(draws.filter { $0 < 250 }.count) / Double(draws.count)
        XCTAssertEqual(early, 0.25 / 1.5, accuracy: 0.02)
    }
}
