import Foundation
import TensorCore

/// One component folder of a diffusers pipeline (`unet/`, `controlnet/`,
/// `text_encoder/`, `vae/`) or a lone model folder: `config.json` plus
/// `diffusion_pytorch_model.safetensors`, `model.safetensors`, or a sharded
/// `*.safetensors.index.json`, in fp32, fp16 or bf16.
public struct ComponentDirectory: Sendable {
    public let url: URL

    public init(_ url: URL) { self.url = url }

    public static let weightNames = ["diffusion_pytorch_model.safetensors", "model.safetensors"]

    /// The component's config.json decoded as `T`.
    public func configuration<T: Decodable>(_ type: T.Type) throws(ComponentLoadError) -> T {
        let path = url.appendingPathComponent("config.json").path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .missing("\(url.path): no config.json (is this a diffusers component folder?)")
        }
        do { return try JSONDecoder().decode(T.self, from: data) } catch {
            throw .invalidConfiguration("\(path): \(error)")
        }
    }

    /// The weights as Float32 tensors by checkpoint name.
    public func tensors() throws(ComponentLoadError) -> [String: Tensor] {
        guard let weights = CheckpointWeights.find(in: url.path) else {
            throw .missing("\(url.path): no \(Self.weightNames.joined(separator: " or ")) nor a *.safetensors.index.json "
                           + "(.bin checkpoints are not read: convert them to safetensors)")
        }
        do { return try weights.open().floatTensors() } catch { throw .weights("\(error)") }
    }

    /// Loads weights into `module`, naming every missing, unexpected or mis-shaped tensor on failure.
    public func load(into module: Module) throws(ComponentLoadError) {
        let weights = try tensors()
        do { try module.load(weights) } catch { throw .mismatch("\(url.path): \(error)") }
    }
}

/// Why a component could not be loaded.
public enum ComponentLoadError: Error, Sendable, CustomStringConvertible {
    case missing(String)
    case invalidConfiguration(String)
    case unsupported(String)
    case weights(String)
    case mismatch(String)

    public var description: String {
        switch self {
        case .missing(let m), .invalidConfiguration(let m), .unsupported(let m), .weights(let m), .mismatch(let m): m
        }
    }
}

extension UNet2DConditionModel {
    /// A UNet from a diffusers `unet/` folder.
    public static func load(from directory: URL) throws(ComponentLoadError) -> UNet2DConditionModel {
        let component = ComponentDirectory(directory)
        let model: UNet2DConditionModel
        do { let configuration = try component.configuration(UNetConfiguration.self)
            model = try withoutParameterInitialisation { try UNet2DConditionModel(configuration: configuration) } } catch let error as ComponentLoadError {
            throw error
        } catch {
            throw .unsupported("\(directory.path)/config.json: \(error)")
        }
        try component.load(into: model)
        return model
    }
}

extension ControlNetModel {
    /// A ControlNet from a diffusers `controlnet/` folder.
    public static func load(from directory: URL) throws(ComponentLoadError) -> ControlNetModel {
        let component = ComponentDirectory(directory)
        let model: ControlNetModel
        do { let configuration = try component.configuration(UNetConfiguration.self)
            model = try withoutParameterInitialisation { try ControlNetModel(configuration: configuration) } } catch let error as ComponentLoadError {
            throw error
        } catch {
            throw .unsupported("\(directory.path)/config.json: \(error)")
        }
        try component.load(into: model)
        return model
    }
}
