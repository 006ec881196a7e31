import Foundation
import XCTest
import TensorCore
@testable import GlyphControl

/// Parity with diffusers 0.42 schedulers, against
/// Fixtures/schedulers.safetensors written by tools/make_scheduler_fixtures.py
/// (see that script for the layout). Timesteps and sigmas must match exactly;
/// every trajectory step within relative error 1e-4 (||a - b|| / ||b||).
final class SchedulerTests: XCTestCase {
    static let tolerance: Float = 1e-4

    struct Fixture {
        let file: SafetensorsFile
        var metadata: [String: String] { file.metadata }
        var cases: [String] { metadata["cases"]!.split(separator: ",").map(String.init) }
        var stepCounts: [Int] { metadata["step_counts"]!.split(separator: ",").map { Int($0)! } }

        func tensor(_ name: String) throws -> Tensor {
            let info = try file.info(name)
            return Tensor(shape: info.shape, scalars: try file.floats(name))
        }

        /// Timesteps stored as I64 (integer schedulers) or F32 (Euler).
        func timesteps(_ name: String) throws -> [Float] {
            let info = try file.info(name)
            if info.dtype == .i64 { return try file.int64s(name).map { Float($0) } }
            return try file.floats(name)
        }

        func has(_ name: String) -> Bool { file.contains(name) }

        /// shared.eps / shared.noise permuted for step i (see permuted() in the script).
        func permuted(_ base: String, step i: Int, c: Int, d: Int) throws -> Tensor {
            let b = try tensor(base)
            let n = b.count
            return Tensor(shape: b.shape, scalars: (0..<n).map { k in b.scalars[(k * (2 * i + 1) + c * i + d) % n] })
        }

        func eps(_ i: Int) throws -> Tensor { try permuted("shared.eps", step: i, c: 13, d: 0) }
        func noise(_ i: Int) throws -> Tensor { try permuted("shared.noise", step: i, c: 29, d: 5) }

        /// The scheduler of a case, built from the partial config given to diffusers' from_config.
        func scheduler(_ name: String) throws -> any Scheduler {
            var configuration = try SchedulerConfiguration(json: metadata["\(name).config_in"]!)
            configuration.className = metadata["\(name).class"]!
            if configuration.className == "DDIMScheduler" {
                return try DDIMScheduler(configuration: configuration, eta: Float(metadata["\(name).eta"]!)!)
            }
            return try makeScheduler(configuration)
        }
    }

    static func loadFixture() throws -> Fixture {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "schedulers", withExtension: "safetensors", subdirectory: "Fixtures"),
                                "missing Fixtures/schedulers.safetensors (run tools/make_scheduler_fixtures.py)")
        return Fixture(file: try SafetensorsFile(path: url.path))
    }

    static func relativeError(_ a: Tensor, _ b: Tensor) -> Float {
        precondition(a.shape == b.shape, "shape \(a.shape) vs \(b.shape)")
        var diff = 0.0, norm = 0.0
        for i in 0..<a.count {
            let d = Double(a.scalars[i]) - Double(b.scalars[i])
            diff += d * d
            norm += Double(b.scalars[i]) * Double(b.scalars[i])
        }
        return Float((diff / max(norm, 1e-30)).squareRoot())
    }

    /// Sigmas agree to a few float32 ulps, not bit for bit: torch's CPU float32
    /// sqrt (MKL/Sleef vector math) is not correctly rounded, so diffusers'
    /// `((1 - a) / a) ** 0.5` is itself off by up to an ulp from IEEE sqrt, and
    /// differs between CPUs.
    static func assertWithinUlps(_ actual: [Float], _ expected: [Float], ulps: Float = 4, _ message: String,
                                 file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.count, expected.count, message, file: file, line: line)
        for (a, b) in zip(actual, expected) where abs(a - b) > ulps * b.ulp {
            XCTFail("\(message): \(a) vs \(b)", file: file, line: line)
            return
        }
    }

    /// Runs `model_output = 0.1 * scale_model_input(x, t) + eps_i` through the
    /// scheduler and compares every step with `<prefix>.prev.<i>`; returns the worst error.
    static func runTrajectory(_ fixture: Fixture, _ scheduler: inout any Scheduler, timesteps: [Float],
                              start: Tensor, prefix: String, file: StaticString = #filePath, line: UInt = #line) throws -> Float {
        var x = start
        var worst: Float = 0
        for (i, t) in timesteps.enumerated() {
            let input = try scheduler.scaleModelInput(x, timestep: t)
            let eps = try fixture.eps(i)
            let output = Tensor(shape: input.shape, scalars: (0..<input.count).map { Float(0.1) * input.scalars[$0] + eps.scalars[$0] })
            let noise = scheduler.stepNeedsNoise(timestep: t) ? try fixture.noise(i) : nil
            x = try scheduler.step(modelOutput: output, timestep: t, sample: x, noise: noise)
            let expected = try fixture.tensor("\(prefix).prev.\(i)")
            let error = relativeError(x, expected)
            worst = max(worst, error)
            XCTAssertLessThanOrEqual(error, tolerance, "\(prefix) step \(i) (t = \(t))", file: file, line: line)
        }
        return worst
    }

    func testAlphasCumprodMatchTorchBitForBit() throws {
        let fixture = try Self.loadFixture()
        var sd = SchedulerConfiguration()
        sd.betaSchedule = .scaledLinear
        sd.betaStart = 0.00085
        sd.betaEnd = 0.012
        XCTAssertEqual(NoiseSchedule(configuration: sd).alphasCumprod, try fixture.tensor("alphas_cumprod.scaled_linear").scalars)
        var cosine = SchedulerConfiguration()
        cosine.betaSchedule = .squaredcosCapV2
        XCTAssertEqual(NoiseSchedule(configuration: cosine).alphasCumprod, try fixture.tensor("alphas_cumprod.squaredcos_cap_v2").scalars)
    }

    func testTimestepsAndSigmasMatchExactly() throws {
        let fixture = try Self.loadFixture()
        XCTAssertGreaterThanOrEqual(fixture.cases.count, 13)
        for name in fixture.cases {
            for n in fixture.stepCounts {
                var scheduler = try fixture.scheduler(name)
                let timesteps = try scheduler.setTimesteps(n)
                XCTAssertEqual(timesteps, try fixture.timesteps("\(name).timesteps.\(n)"), "\(name) timesteps for \(n) steps")
                XCTAssertEqual(scheduler.timesteps, timesteps)
                if fixture.has("\(name).sigmas.\(n)") {
                    let expected = try fixture.tensor("\(name).sigmas.\(n)").scalars
                    let sigmas: [Float]
                    switch scheduler {
                    case let s as DPMSolverMultistepScheduler: sigmas = s.sigmas
                    case let s as EulerDiscreteScheduler: sigmas = s.sigmas
                    default: XCTFail("\(name): unexpected sigmas"); continue
                    }
                    Self.assertWithinUlps(sigmas, expected, "\(name) sigmas for \(n) steps")
                }
            }
            var scheduler = try fixture.scheduler(name)
            try scheduler.setTimesteps(10)
            Self.assertWithinUlps([scheduler.initNoiseSigma], try fixture.tensor("\(name).init_noise_sigma").scalars, "\(name) init_noise_sigma")
        }
    }

    func testTrajectoriesMatchDiffusers() throws {
        let fixture = try Self.loadFixture()
        let latent = try fixture.tensor("shared.latent")
        var report: [String] = []
        var ran = 0
        for name in fixture.cases where fixture.metadata["\(name).trajectory"] == "1" {
            var scheduler = try fixture.scheduler(name)
            let timesteps = try scheduler.setTimesteps(10)
            let sigma = scheduler.initNoiseSigma
            let start = Tensor(shape: latent.shape, scalars: latent.scalars.map { $0 * sigma })
            let worst = try Self.runTrajectory(fixture, &scheduler, timesteps: timesteps, start: start, prefix: name)
            report.append("\(name) \(worst)")
            ran += 1
        }
        XCTAssertGreaterThanOrEqual(ran, 11)
        print("scheduler trajectory worst relative errors: " + report.joined(separator: ", "))
    }

    func testImg2ImgMatchesDiffusers() throws {
        let fixture = try Self.loadFixture()
        let latent = try fixture.tensor("shared.latent"), image = try fixture.tensor("shared.image")
        var ran = 0
        for name in fixture.cases where fixture.has("\(name).img2img.init") {
            var scheduler = try fixture.scheduler(name)
            try scheduler.setTimesteps(10)
            let timesteps = try scheduler.img2imgTimesteps(strength: 0.6)
            XCTAssertEqual(timesteps, try fixture.timesteps("\(name).img2img.timesteps"), name)
            let start = try scheduler.addNoise(original: image, noise: latent, timesteps: [timesteps[0]])
            XCTAssertLessThanOrEqual(Self.relativeError(start, try fixture.tensor("\(name).img2img.init")), Self.tolerance, name)
            _ = try Self.runTrajectory(fixture, &scheduler, timesteps: timesteps, start: start, prefix: "\(name).img2img")
            ran += 1
        }
        XCTAssertGreaterThanOrEqual(ran, 2)
    }

    func testAddNoiseMatchesDiffusers() throws {
        let fixture = try Self.loadFixture()
        let original = try fixture.tensor("shared.addnoise.original"), noise = try fixture.tensor("shared.addnoise.noise")
        for name in fixture.cases {
            var scheduler = try fixture.scheduler(name)
            if scheduler is DPMSolverMultistepScheduler || scheduler is EulerDiscreteScheduler { try scheduler.setTimesteps(10) }
            let timesteps = try fixture.timesteps("\(name).addnoise.timesteps")
            let noisy = try scheduler.addNoise(original: original, noise: noise, timesteps: timesteps)
            XCTAssertLessThanOrEqual(Self.relativeError(noisy, try fixture.tensor("\(name).addnoise")), Self.tolerance, name)
        }
    }

    /// The full configs diffusers saved (with `-Infinity`, nulls and extra keys)
    /// parse and build the same schedules as the partial ones.
    func testSavedDiffusersConfigsParseAndAgree() throws {
        let fixture = try Self.loadFixture()
        var classes = Set<String>()
        for name in fixture.cases {
            guard let text = fixture.metadata["\(name).config"] else { continue }
            let configuration = try SchedulerConfiguration(json: text)
            classes.insert(try XCTUnwrap(configuration.className))
            var full = try makeScheduler(configuration)
            var partial = try fixture.scheduler(name)
            for n in fixture.stepCounts {
                XCTAssertEqual(try full.setTimesteps(n), try partial.setTimesteps(n), "\(name) \(n) steps")
                XCTAssertEqual(full.initNoiseSigma, partial.initNoiseSigma, name)
            }
            // Round trip through our own encoder.
            let data = try JSONEncoder().encode(configuration)
            XCTAssertEqual(try SchedulerConfiguration(json: String(decoding: data, as: UTF8.self)), configuration, name)
        }
        XCTAssertEqual(classes, Set(supportedSchedulerClassNames))
    }

    func testSeededRandomStepIsReproducible() throws {
        let fixture = try Self.loadFixture()
        let latent = try fixture.tensor("shared.latent")
        func run(seed: UInt64) throws -> Tensor {
            var scheduler: any Scheduler = try fixture.scheduler("ddpm_sd15")
            var random = TensorRandom(seed: seed)
            var x = latent
            for (i, t) in try scheduler.setTimesteps(5).enumerated() {
                x = try scheduler.step(modelOutput: try fixture.eps(i), timestep: t, sample: x, random: &random)
            }
            return x
        }
        XCTAssertEqual(try run(seed: 7).scalars, try run(seed: 7).scalars)
        XCTAssertNotEqual(try run(seed: 7).scalars, try run(seed: 8).scalars)
    }
}
