import Foundation
import XCTest
@testable import GlyphControl
import TensorCore

/// The shifted cosine schedule (`--noise-schedule-shift`): it is the cosine
/// schedule's log-SNR moved down by 2·log(shift) (Hoogeboom et al. 2023),
/// ships as diffusers `trained_betas`, and a run cannot resume onto another shift.
final class ShiftedNoiseScheduleTests: XCTestCase {
    func testShiftOneIsDiffusersCosineSchedule() {
        var cosine = SchedulerConfiguration()
        cosine.betaSchedule = .squaredcosCapV2
        XCTAssertEqual(NoiseSchedule.shiftedCosineBetas(1000, shift: 1), NoiseSchedule(configuration: cosine).betas)
        var options = GlyphControlTrainingOptions()
        options.noiseScheduleShift = 1
        XCTAssertNil(options.schedulerConfiguration().trainedBetas, "the plain schedule stays beta_schedule alone")
    }

    /// ᾱ of the shifted schedule against the log-SNR form computed independently in float64:
    /// logit(ᾱ') = logit(ᾱ_cos(t)) − 2·log(shift), with ᾱ' renormalised by its t = 0 value as the betas telescope.
    func testAlphasCumprodFollowTheShiftedLogSNR() {
        for shift in [2.0, 4.0] {
            let schedule = NoiseSchedule(betas: NoiseSchedule.shiftedCosineBetas(1000, shift: shift))
            func shifted(_ t: Double) -> Double {
                let c = cos((t + 0.008) / 1.008 * Double.pi / 2), a = c * c
                let logSNR = log(a / (1 - a)) - 2 * log(shift)
                return 1 / (1 + exp(-logSNR))
            }
            for i in [0, 10, 100, 300, 500, 700, 900, 980] {
                let expected = shifted(Double(i + 1) / 1000) / shifted(0)
                XCTAssertEqual(Double(schedule.alphasCumprod[i]), expected, accuracy: 2e-6 + 1e-4 * expected, "shift \(shift), t \(i)")
            }
            // Every signal-to-noise ratio away from the ends is the plain schedule's divided by shift².
            let plain = NoiseSchedule(betas: NoiseSchedule.shiftedCosineBetas(1000, shift: 1))
            for i in [200, 500, 800] {
                let snr = { (a: Float) in Double(a) / Double(1 - a) }
                XCTAssertEqual(snr(schedule.alphasCumprod[i]) / snr(plain.alphasCumprod[i]), 1 / (shift * shift), accuracy: 0.01 / (shift * shift))
            }
            XCTAssertEqual(schedule.betas.last, 0.999, "the last beta is capped as diffusers caps it")
            XCTAssertLessThan(schedule.alphasCumprod[949], plain.alphasCumprod[949] / Float(shift * shift) * 1.01)
        }
    }

    /// The training options write the betas into the scheduler config; its JSON gives the same schedule back.
    func testOptionsShipTheScheduleAsTrainedBetas() throws {
        var options = GlyphControlTrainingOptions()
        options.noiseScheduleShift = 4
        let configuration = options.schedulerConfiguration()
        XCTAssertEqual(configuration.trainedBetas?.count, 1000)
        let json = String(decoding: try JSONEncoder().encode(configuration), as: UTF8.self)
        XCTAssertTrue(json.contains("\"trained_betas\""))
        let decoded = try SchedulerConfiguration(json: json)
        XCTAssertEqual(NoiseSchedule(configuration: decoded), NoiseSchedule(betas: NoiseSchedule.shiftedCosineBetas(1000, shift: 4)))
        // Every scheduler class built from it keeps the betas (diffusers' from_config does the same).
        let betas = NoiseSchedule.shiftedCosineBetas(1000, shift: 4)
        XCTAssertEqual((try makeScheduler(decoded, className: "DDIMScheduler") as? DDIMScheduler)?.schedule.betas, betas)
        XCTAssertEqual((try makeScheduler(decoded, className: "EulerDiscreteScheduler") as? EulerDiscreteScheduler)?.schedule.betas, betas)
        XCTAssertEqual((try makeScheduler(decoded, className: "DPMSolverMultistepScheduler") as? DPMSolverMultistepScheduler)?.schedule.betas, betas)
    }

    /// A run trained on one schedule refuses to resume on another, naming both; its model folder carries the betas.
    func testResumeKeepsTheShift() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("shifted-schedule-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var options = GlyphControlTrainerTests.options(steps: 1)
        options.noiseScheduleShift = 4
        let examples = GlyphControlTrainerTests.examples
        func trainer(_ o: GlyphControlTrainingOptions) -> GlyphControlTrainer {
            GlyphControlTrainer(options: o, train: GlyphControlExampleArray(examples), validation: GlyphControlExampleArray(Array(examples.prefix(4))),
                                output: directory)
        }
        _ = try trainer(options).run(quiet: true)
        let saved = try PipelineDirectory(directory.appendingPathComponent("model")).schedulerConfiguration()
        XCTAssertEqual(saved.trainedBetas?.map(Float.init), NoiseSchedule.shiftedCosineBetas(1000, shift: 4))

        var other = options
        other.steps = 2
        other.noiseScheduleShift = 1
        XCTAssertThrowsError(try trainer(other).run(quiet: true)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("shift 4.0") && text.contains("1.0") && text.contains("--noise-schedule-shift"), text)
        }
        options.steps = 2
        XCTAssertEqual(try trainer(options).run(quiet: true).resumedFrom, 1)
    }
}
