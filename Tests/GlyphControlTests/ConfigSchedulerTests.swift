import Foundation
import XCTest
import TensorCore
@testable import GlyphControl

/// Configuration parsing, error reporting and the small helpers (guidance, img2img).
final class ConfigSchedulerTests: XCTestCase {
    /// runwayml/stable-diffusion-v1-5 scheduler/scheduler_config.json, verbatim.
    static let sd15 = """
    {
      "_class_name": "PNDMScheduler",
      "_diffusers_version": "0.6.0",
      "beta_end": 0.012,
      "beta_schedule": "scaled_linear",
      "beta_start": 0.00085,
      "num_train_timesteps": 1000,
      "set_alpha_to_one": false,
      "skip_prk_steps": true,
      "steps_offset": 1,
      "trained_betas": null,
      "clip_sample": false
    }
    """

    /// stabilityai/stable-diffusion-2-1 scheduler/scheduler_config.json (v-prediction DDIM).
    static let sd21 = """
    {
      "_class_name": "DDIMScheduler",
      "_diffusers_version": "0.8.0",
      "beta_end": 0.012,
      "beta_schedule": "scaled_linear",
      "beta_start": 0.00085,
      "clip_sample": false,
      "num_train_timesteps": 1000,
      "prediction_type": "v_prediction",
      "set_alpha_to_one": false,
      "skip_prk_steps": true,
      "steps_offset": 1,
      "trained_betas": null
    }
    """

    func testParsesStableDiffusion15Config() throws {
        let c = try SchedulerConfiguration(json: Self.sd15)
        XCTAssertEqual(c.className, "PNDMScheduler")
        XCTAssertEqual(c.numTrainTimesteps, 1000)
        XCTAssertEqual(c.betaStart, 0.00085)
        XCTAssertEqual(c.betaEnd, 0.012)
        XCTAssertEqual(c.betaSchedule, .scaledLinear)
        XCTAssertEqual(c.stepsOffset, 1)
        XCTAssertEqual(c.setAlphaToOne, false)
        XCTAssertEqual(c.clipSample, false)
        XCTAssertNil(c.trainedBetas)
        XCTAssertNil(c.predictionType)
        XCTAssertNil(c.timestepSpacing)

        // PNDM itself is not implemented; the usual swap is from_config into another class.
        XCTAssertThrowsError(try makeScheduler(c)) { error in
            XCTAssertEqual(error as? SchedulerError, .unsupportedScheduler("PNDMScheduler"))
        }
        var ddim = try makeScheduler(c, className: "DDIMScheduler")
        let ddimSteps = try ddim.setTimesteps(50)
        XCTAssertEqual(ddimSteps.first, 981)
        XCTAssertEqual(ddimSteps.last, 1)
        XCTAssertEqual(ddimSteps.count, 50)
        XCTAssertEqual(ddim.initNoiseSigma, 1)

        // DPM-Solver++ and Euler default to "linspace" spacing when the config has none.
        var dpm = try makeScheduler(c, className: "DPMSolverMultistepScheduler")
        XCTAssertEqual(try dpm.setTimesteps(20), [999, 949, 899, 849, 799, 749, 699, 649, 599, 549,
                                                  500, 450, 400, 350, 300, 250, 200, 150, 100, 50])
        var euler = try makeScheduler(c, className: "EulerDiscreteScheduler")
        XCTAssertEqual(try euler.setTimesteps(10), [999, 888, 777, 666, 555, 444, 333, 222, 111, 0])
        XCTAssertEqual(euler.initNoiseSigma, 14.614642, accuracy: 1e-5)
    }

    func testParsesStableDiffusion21Config() throws {
        let c = try SchedulerConfiguration(json: Self.sd21)
        XCTAssertEqual(c.className, "DDIMScheduler")
        XCTAssertEqual(c.predictionType, .vPrediction)
        var s = try makeScheduler(c)
        XCTAssertTrue(s is DDIMScheduler)
        XCTAssertEqual(try s.setTimesteps(4), [751, 501, 251, 1])
    }

    func testSD15ConfigGivesTheFixtureSchedules() throws {
        let fixture = try SchedulerTests.loadFixture()
        let c = try SchedulerConfiguration(json: Self.sd15)
        for (name, className) in [("ddim_sd15", "DDIMScheduler"), ("ddpm_sd15", "DDPMScheduler"),
                                  ("dpm_sd15", "DPMSolverMultistepScheduler"), ("euler_sd15", "EulerDiscreteScheduler")] {
            for n in fixture.stepCounts {
                var s = try makeScheduler(c, className: className)
                XCTAssertEqual(try s.setTimesteps(n), try fixture.timesteps("\(name).timesteps.\(n)"), "\(name) \(n)")
            }
        }
    }

    func testReadsNonFiniteTokensAndDPMFields() throws {
        let text = """
        {"_class_name": "DPMSolverMultistepScheduler", "algorithm_type": "dpmsolver++", "solver_order": 2,
         "solver_type": "midpoint", "lower_order_final": true, "final_sigmas_type": "zero",
         "lambda_min_clipped": -Infinity, "variance_type": null, "note": "Infinity inside a string stays"}
        """
        let c = try SchedulerConfiguration(json: text)
        XCTAssertEqual(c.lambdaMinClipped, -.infinity)
        XCTAssertEqual(c.algorithmType, .dpmSolverPlusPlus)
        XCTAssertEqual(c.solverOrder, 2)
        XCTAssertEqual(c.solverType, .midpoint)
        XCTAssertEqual(c.lowerOrderFinal, true)
        XCTAssertEqual(c.finalSigmasType, .zero)
        XCTAssertNil(c.varianceType)
        XCTAssertEqual(SchedulerConfiguration.quotingNonFiniteTokens(#"{"a": "NaN", "b": NaN}"#), #"{"a": "NaN", "b": "NaN"}"#)
        let encoded = String(decoding: try JSONEncoder().encode(c), as: UTF8.self)
        XCTAssertEqual(try SchedulerConfiguration(json: encoded), c)
    }

    func testLambdaMinClippedShortensTheSchedule() throws {
        var c = SchedulerConfiguration(className: "DPMSolverMultistepScheduler")
        c.lambdaMinClipped = -5.1  // diffusers' cosine-schedule setting
        c.betaSchedule = .squaredcosCapV2
        var s = try makeScheduler(c)
        let clipped = try s.setTimesteps(10)
        var d = try makeScheduler(SchedulerConfiguration(className: "DPMSolverMultistepScheduler"))
        XCTAssertLessThan(clipped[0], try d.setTimesteps(10)[0])
    }

    func assertUnsupported(_ json: String, field: String, value: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try SchedulerConfiguration(json: json), file: file, line: line) { error in
            guard case let .unsupportedValue(f, v, _)? = error as? SchedulerError else {
                return XCTFail("expected unsupportedValue, got \(error)", file: file, line: line)
            }
            XCTAssertEqual(f, field, file: file, line: line)
            XCTAssertEqual(v, value, file: file, line: line)
            let message = "\(error)"
            XCTAssertTrue(message.contains(field) && message.contains(value), message, file: file, line: line)
        }
    }

    func testUnsupportedValuesNameFieldAndValue() {
        assertUnsupported(#"{"beta_schedule": "sigmoid"}"#, field: "beta_schedule", value: "sigmoid")
        assertUnsupported(#"{"prediction_type": "flow_prediction"}"#, field: "prediction_type", value: "flow_prediction")
        assertUnsupported(#"{"timestep_spacing": "karras"}"#, field: "timestep_spacing", value: "karras")
        assertUnsupported(#"{"thresholding": true}"#, field: "thresholding", value: "true")
        assertUnsupported(#"{"algorithm_type": "sde-dpmsolver++"}"#, field: "algorithm_type", value: "sde-dpmsolver++")
        assertUnsupported(#"{"solver_order": 3}"#, field: "solver_order", value: "3")
        assertUnsupported(#"{"solver_type": "bh2"}"#, field: "solver_type", value: "bh2")
        assertUnsupported(#"{"variance_type": "learned_range"}"#, field: "variance_type", value: "learned_range")
        assertUnsupported(#"{"final_sigmas_type": "denoise_to_zero"}"#, field: "final_sigmas_type", value: "denoise_to_zero")
        assertUnsupported(#"{"interpolation_type": "log_linear"}"#, field: "interpolation_type", value: "log_linear")
        assertUnsupported(#"{"timestep_type": "continuous"}"#, field: "timestep_type", value: "continuous")
        assertUnsupported(#"{"use_karras_sigmas": true}"#, field: "use_karras_sigmas", value: "true")
        assertUnsupported(#"{"rescale_betas_zero_snr": true}"#, field: "rescale_betas_zero_snr", value: "true")
        assertUnsupported(#"{"num_train_timesteps": 4, "trained_betas": [0.1, 0.2]}"#, field: "trained_betas", value: "2 values")
        // Explicit false for the unsupported features is fine.
        XCTAssertNoThrow(try SchedulerConfiguration(json: #"{"thresholding": false, "use_karras_sigmas": false}"#))
        XCTAssertThrowsError(try SchedulerConfiguration(json: "{not json"))
    }

    func testTrainedBetas() throws {
        var c = SchedulerConfiguration()
        c.numTrainTimesteps = 4
        c.trainedBetas = [0.1, 0.2, 0.3, 0.4]
        let s = try DDPMScheduler(configuration: c)
        XCTAssertEqual(s.schedule.betas, [0.1, 0.2, 0.3, 0.4])
        XCTAssertEqual(s.schedule.alphasCumprod[1], Float(0.9 * 0.8), accuracy: 1e-7)
    }

    func testUsageErrors() throws {
        let c = try SchedulerConfiguration(json: Self.sd15)
        let x = Tensor(zeros: [1, 4, 2, 2])
        for className in supportedSchedulerClassNames {
            var s = try makeScheduler(c, className: className)
            XCTAssertThrowsError(try s.setTimesteps(0), className)
            XCTAssertThrowsError(try s.setTimesteps(1001), className)
            if className != "DDPMScheduler" {  // DDPM steps over the 1000 training timesteps by default
                XCTAssertThrowsError(try s.step(modelOutput: x, timestep: 981, sample: x, noise: nil), className) { error in
                    XCTAssertEqual(error as? SchedulerError, .timestepsNotSet(scheduler: className))
                }
            }
            let timesteps = try s.setTimesteps(10)
            XCTAssertThrowsError(try s.step(modelOutput: Tensor(zeros: [1, 4, 2, 3]), timestep: timesteps[0], sample: x), className) { error in
                guard case .shapeMismatch? = error as? SchedulerError else { return XCTFail("\(className): \(error)") }
            }
            XCTAssertThrowsError(try s.img2imgTimesteps(strength: 1.5), className)
        }
        var ddpm = try makeScheduler(c, className: "DDPMScheduler")
        let t = try ddpm.setTimesteps(10)
        XCTAssertThrowsError(try ddpm.step(modelOutput: x, timestep: t[0], sample: x)) { error in
            XCTAssertEqual(error as? SchedulerError, .noiseRequired(scheduler: "DDPMScheduler", timestep: t[0]))
        }
        XCTAssertThrowsError(try ddpm.step(modelOutput: x, timestep: 500, sample: x, noise: x)) { error in
            XCTAssertEqual(error as? SchedulerError, .timestepNotInSchedule(scheduler: "DDPMScheduler", timestep: 500))
        }
        XCTAssertTrue(ddpm.stepNeedsNoise(timestep: t[0]))
        // As in diffusers, only t = 0 is noise-free (SD's offset schedule ends at t = 1, which draws noise).
        var plainDDPM = try DDPMScheduler()
        XCTAssertEqual(try plainDDPM.setTimesteps(10).last, 0)
        XCTAssertFalse(plainDDPM.stepNeedsNoise(timestep: 0))
        XCTAssertNoThrow(try plainDDPM.step(modelOutput: x, timestep: 0, sample: x))
        var euler = try makeScheduler(c, className: "EulerDiscreteScheduler")
        try euler.setTimesteps(10)
        XCTAssertThrowsError(try euler.scaleModelInput(x, timestep: 123.5)) { error in
            XCTAssertEqual(error as? SchedulerError, .timestepNotInSchedule(scheduler: "EulerDiscreteScheduler", timestep: 123.5))
        }
        var ddimEta = try DDIMScheduler(configuration: c, eta: 1)
        let ts = try ddimEta.setTimesteps(10)
        XCTAssertThrowsError(try ddimEta.step(modelOutput: x, timestep: ts[0], sample: x))
        XCTAssertThrowsError(try DDIMScheduler(configuration: c, eta: -1))
    }

    func testImg2ImgTimesteps() throws {
        var s = try makeScheduler(try SchedulerConfiguration(json: Self.sd15), className: "DDIMScheduler")
        try s.setTimesteps(10)
        XCTAssertEqual(try s.img2imgTimesteps(strength: 0.6), [501, 401, 301, 201, 101, 1])
        XCTAssertEqual(try s.img2imgTimesteps(strength: 1), s.timesteps)
        XCTAssertEqual(try s.img2imgTimesteps(strength: 0), [])
    }

    func testClassifierFreeGuidance() throws {
        let uncond = Tensor(shape: [1, 2], scalars: [1, 2])
        let text = Tensor(shape: [1, 2], scalars: [3, 1])
        XCTAssertEqual(try guided(uncond, text, scale: 7.5).scalars, [1 + 7.5 * 2, 2 + 7.5 * -1])
        XCTAssertEqual(try guided(uncond, text, scale: 1).scalars, text.scalars)
        let batched = Tensor(shape: [2, 2], scalars: [1, 2, 3, 1])
        let g = try guided(batched: batched, scale: 7.5)
        XCTAssertEqual(g.shape, [1, 2])
        XCTAssertEqual(g.scalars, [16, -5.5])
        XCTAssertThrowsError(try guided(batched: Tensor(zeros: [3, 2]), scale: 2))
        XCTAssertThrowsError(try guided(uncond, Tensor(zeros: [2, 1]), scale: 2))
    }
}
