import Foundation
import XCTest
@testable import GlyphControl
import TensorCore

/// UNet2DConditionModel and ControlNetModel against diffusers 0.42 on tiny
/// random configs (tools/make_unet_fixtures.py): relative error <= 1e-4.
final class UNetExactnessTests: XCTestCase {
    static let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
    static let outputs = try! SafetensorsFile(path: fixtures.appendingPathComponent("unet_outputs.safetensors").path)

    func tensor(_ name: String) throws -> Tensor {
        Tensor(shape: try Self.outputs.info(name).shape, scalars: try Self.outputs.floats(name))
    }

    func timesteps() throws -> [Float] { try Self.outputs.int64s("timesteps").map { Float($0) } }

    func relativeError(_ a: Tensor, _ b: Tensor) -> Float { unetRelativeError(a, b) }

    func testLatentUNetMatchesDiffusers() throws {
        let unet = try UNet2DConditionModel.load(from: Self.fixtures.appendingPathComponent("unet-latent"))
        let out = withoutGradients { unet(try! tensor("sample"), timesteps: try! timesteps(), context: try! tensor("context")) }
        XCTAssertLessThanOrEqual(relativeError(out, try tensor("latent.out")), 1e-4)
    }

    func testPixelSpaceUNetWithLinearProjectionMatchesDiffusers() throws {
        let unet = try UNet2DConditionModel.load(from: Self.fixtures.appendingPathComponent("unet-pixel"))
        XCTAssertTrue(unet.configuration.useLinearProjection)
        let out = withoutGradients { unet(try! tensor("pixels"), timesteps: try! timesteps(), context: try! tensor("context")) }
        XCTAssertLessThanOrEqual(relativeError(out, try tensor("pixel.out")), 1e-4)
    }

    func testControlNetResidualsAndGuidedUNetMatchDiffusers() throws {
        let controlnet = try ControlNetModel.load(from: Self.fixtures.appendingPathComponent("controlnet"))
        let unet = try UNet2DConditionModel.load(from: Self.fixtures.appendingPathComponent("unet-latent"))
        let (sample, context, mask, t) = (try tensor("sample"), try tensor("context"), try tensor("mask"), try timesteps())
        let residuals = withoutGradients { controlnet(sample, timesteps: t, context: context, condition: mask, conditioningScale: 0.7) }
        XCTAssertEqual(residuals.down.count, 6)
        for (i, r) in residuals.down.enumerated() {
            XCTAssertLessThanOrEqual(relativeError(r, try tensor("control.down.\(i)")), 1e-4, "down residual \(i)")
        }
        XCTAssertLessThanOrEqual(relativeError(residuals.mid!, try tensor("control.mid")), 1e-4)
        let combined = withoutGradients { unet(sample, timesteps: t, context: context, controlnet: residuals) }
        XCTAssertLessThanOrEqual(relativeError(combined, try tensor("combined.out")), 1e-4)
        let guess = withoutGradients { controlnet(sample, timesteps: t, context: context, condition: mask, guessMode: true) }
        XCTAssertLessThanOrEqual(relativeError(guess.mid!, try tensor("guess.mid")), 1e-4)
        XCTAssertLessThanOrEqual(relativeError(guess.down[0], try tensor("guess.down.0")), 1e-4)
    }

    func testParameterNamesAreExactlyTheCheckpointsNames() throws {
        for name in ["unet-latent", "unet-pixel", "controlnet"] {
            let component = ComponentDirectory(Self.fixtures.appendingPathComponent(name))
            let stored = Set(try component.tensors().keys)
            let model: Module = name == "controlnet"
                ? try ControlNetModel(configuration: component.configuration(UNetConfiguration.self))
                : try UNet2DConditionModel(configuration: component.configuration(UNetConfiguration.self))
            XCTAssertEqual(Set(model.namedParameters().map(\.0)), stored, name)
        }
    }

    func testFreshControlNetIsANoOp() throws {
        var config = try ComponentDirectory(Self.fixtures.appendingPathComponent("controlnet")).configuration(UNetConfiguration.self)
        config.conditioningChannels = 1
        let controlnet = try ControlNetModel(configuration: config, seed: 3)
        let residuals = withoutGradients {
            controlnet(try! tensor("sample"), timesteps: try! timesteps(), context: try! tensor("context"), condition: try! tensor("mask"))
        }
        XCTAssertTrue(residuals.down.allSatisfy { $0.scalars.allSatisfy { $0 == 0 } }, "zero convs start the ControlNet as a no-op")
    }

    func testUnsupportedOptionsAndMismatchedWeightsAreNamed() throws {
        var config = UNetConfiguration()
        config.upBlockTypes = ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "AttnUpBlock2D"]
        XCTAssertThrowsError(try UNet2DConditionModel(configuration: config)) { error in
            XCTAssertEqual("\(error)", "unsupported configuration: up_block_types = AttnUpBlock2D")
        }
        config = UNetConfiguration()
        config.classEmbedType = "timestep"
        XCTAssertThrowsError(try UNet2DConditionModel(configuration: config)) { XCTAssertTrue("\($0)".contains("class_embed_type")) }
        // The pixel UNet's weights do not fit the latent UNet's architecture: the error lists the names.
        let latentConfig = try ComponentDirectory(Self.fixtures.appendingPathComponent("unet-latent")).configuration(UNetConfiguration.self)
        let unet = try UNet2DConditionModel(configuration: latentConfig)
        XCTAssertThrowsError(try ComponentDirectory(Self.fixtures.appendingPathComponent("unet-pixel")).load(into: unet)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("conv_in.weight"), text)
            XCTAssertTrue(text.contains("missing") || text.contains("unexpected"), text)
        }
        XCTAssertThrowsError(try UNet2DConditionModel.load(from: Self.fixtures.appendingPathComponent("no-such-component"))) {
            XCTAssertTrue("\($0)".contains("no config.json"))
        }
    }
}

/// AutoencoderKL encode and decode against diffusers.
final class AutoencoderExactnessTests: XCTestCase {
    func testEncodeAndDecodeMatchDiffusers() throws {
        let fixtures = UNetExactnessTests.fixtures, outputs = UNetExactnessTests.outputs
        func tensor(_ name: String) throws -> Tensor { Tensor(shape: try outputs.info(name).shape, scalars: try outputs.floats(name)) }
        let vae = try AutoencoderKL.load(from: fixtures.appendingPathComponent("vae"))
        let (mean, logVariance) = withoutGradients { vae.encode(try! tensor("vae.image")) }
        XCTAssertLessThanOrEqual(unetRelativeError(mean, try tensor("vae.mean")), 1e-4)
        XCTAssertLessThanOrEqual(unetRelativeError(logVariance, try tensor("vae.logvar")), 1e-4)
        let decoded = withoutGradients { vae.decode(try! tensor("vae.latents")) }
        XCTAssertLessThanOrEqual(unetRelativeError(decoded, try tensor("vae.decoded")), 1e-4)
        XCTAssertEqual(vae.configuration.scalingFactor, 0.18215)
    }
}

/// ||a - b|| / ||b|| (shapes must match).
func unetRelativeError(_ a: Tensor, _ b: Tensor) -> Float {
    XCTAssertEqual(a.shape, b.shape)
    var diff: Double = 0, norm: Double = 0
    for i in 0..<min(a.count, b.count) {
        diff += Double(a.scalars[i] - b.scalars[i]) * Double(a.scalars[i] - b.scalars[i])
        norm += Double(b.scalars[i]) * Double(b.scalars[i])
    }
    return Float((diff / max(norm, 1e-30)).squareRoot())
}
