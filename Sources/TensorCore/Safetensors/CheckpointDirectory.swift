import Foundation

/// Where a model's safetensors weights are: one file, or a sharded index.
public enum CheckpointWeights: Equatable, Sendable {
    case file(String)
    case sharded(indexPath: String)

    public var path: String {
        switch self {
        case .file(let path), .sharded(let path): path
        }
    }

    /// Opens (maps and validates) the weights.
    public func open() throws(SafetensorsError) -> any TensorSource {
        switch self {
        case .file(let path): try SafetensorsFile(path: path)
        case .sharded(let path): try ShardedCheckpoint(indexPath: path)
        }
    }

    /// The weights of a model folder: the standard names first
    /// (`CheckpointDirectory.standardWeightNames`), then any sharded index,
    /// then any safetensors file; nil when there are none.
    public static func find(in directory: String) -> CheckpointWeights? {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        if let standard = CheckpointDirectory.standardWeightNames.first(where: files.contains) { return .at(directory + "/" + standard) }
        if let index = files.first(where: { $0.hasSuffix(".safetensors.index.json") }) { return .sharded(indexPath: directory + "/" + index) }
        if let file = files.first(where: { $0.hasSuffix(".safetensors") }) { return .file(directory + "/" + file) }
        return nil
    }

    /// A weights path given directly: an `*.index.json` is a sharded index,
    /// anything else a single safetensors file.
    public static func at(_ path: String) -> CheckpointWeights {
        path.hasSuffix(".index.json") ? .sharded(indexPath: path) : .file(path)
    }
}

/// One model inside a checkpoint directory: a diffusers pipeline component
/// (`unet/`, `vae/`, `text_encoder/`, `controlnet/` ...) or a lone HF model.
public struct CheckpointComponent: Equatable, Sendable {
    /// The component's key in model_index.json, or the model directory's name.
    public var name: String
    public var directory: String
    /// The library model_index.json names ("diffusers", "transformers"), if any.
    public var library: String?
    /// The config's `_class_name` (diffusers), else its first `architectures`
    /// entry (transformers), else the class model_index.json names.
    public var className: String?
    /// The config's `architectures` list (transformers models), possibly empty.
    public var architectures: [String]
    /// The config file read, if there was one.
    public var configPath: String?
    /// The safetensors weights, nil for weightless components (tokenizer, scheduler).
    public var weights: CheckpointWeights?
    /// Weight files in formats we do not read (`.bin`, `.ckpt`, `.pt`, `.pth`),
    /// listed only when there are no safetensors weights, to explain their absence.
    public var unsupportedWeightFiles: [String]
}

/// Discovers the models in a checkpoint directory, for `poster inspect` and
/// for loaders that want "the UNet of this pipeline" without hard-coding
/// file names. Two layouts are recognised:
/// - a diffusers pipeline: `model_index.json` naming components, each a
///   subfolder with `config.json` and `diffusion_pytorch_model.safetensors`,
///   `model.safetensors`, or a `*.safetensors.index.json` with its shards;
/// - a single Hugging Face model: `config.json` plus `model.safetensors`
///   (or `diffusion_pytorch_model.safetensors`, or a sharded index).
public struct CheckpointDirectory: Equatable, Sendable {
    public enum Kind: String, Sendable { case pipeline, model }

    public var path: String
    public var kind: Kind
    /// The pipeline's `_class_name`, or the single model's class.
    public var className: String?
    /// Components in model_index.json order (one for a single model).
    public var components: [CheckpointComponent]

    /// The component named `name` (e.g. "unet").
    public func component(_ name: String) -> CheckpointComponent? { components.first { $0.name == name } }

    /// Weight file names tried first, in order; other `*.safetensors.index.json`
    /// then `*.safetensors` files (e.g. `.fp16.` variants) are the fallback.
    public static let standardWeightNames = [
        "diffusion_pytorch_model.safetensors", "model.safetensors",
        "diffusion_pytorch_model.safetensors.index.json", "model.safetensors.index.json",
    ]

    public init(path: String) throws(SafetensorsError) {
        var path = path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        func fail(_ message: String) -> SafetensorsError { SafetensorsError(.invalidCheckpoint, file: path, message) }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw SafetensorsError(.io, file: path, "no such file or directory")
        }
        guard isDirectory.boolValue else { throw fail("not a directory") }
        self.path = path

        let modelIndex = path + "/model_index.json"
        if FileManager.default.fileExists(atPath: modelIndex) {
            let index = try Self.readJSON(modelIndex)
            guard case .object(let members) = index else {
                throw SafetensorsError(.invalidCheckpoint, file: modelIndex, "top level must be a JSON object, found \(index.typeName)")
            }
            kind = .pipeline
            className = index["_class_name"]?.stringValue
            var components: [CheckpointComponent] = []
            for member in members where !member.key.hasPrefix("_") {
                // Components are ["library", "Class"]; [null, null] marks a disabled one.
                guard case .array(let pair) = member.value, pair.count == 2 else { continue }
                if pair[0] == .null && pair[1] == .null { continue }
                let directory = path + "/" + member.key
                var folder: ObjCBool = false
                guard FileManager.default.fileExists(atPath: directory, isDirectory: &folder), folder.boolValue else {
                    throw SafetensorsError(.invalidCheckpoint, file: modelIndex,
                                           "lists component '\(member.key)' but its folder \(member.key)/ is missing")
                }
                components.append(try Self.component(named: member.key, in: directory,
                                                      library: pair[0].stringValue, indexClass: pair[1].stringValue))
            }
            self.components = components
            return
        }

        let name = path.split(separator: "/").last.map(String.init) ?? path
        let component = try Self.component(named: name, in: path, library: nil, indexClass: nil)
        guard component.configPath != nil || component.weights != nil else {
            throw fail("not a checkpoint directory: no model_index.json, config.json or safetensors weights")
        }
        kind = .model
        className = component.className
        components = [component]
    }

    private static func component(named name: String, in directory: String, library: String?, indexClass: String?) throws(SafetensorsError) -> CheckpointComponent {
        var configPath: String?
        var className: String?
        var architectures: [String] = []
        for candidate in ["config.json", "scheduler_config.json"] {
            let file = directory + "/" + candidate
            guard FileManager.default.fileExists(atPath: file) else { continue }
            let config = try readJSON(file)
            guard case .object = config else {
                throw SafetensorsError(.invalidCheckpoint, file: file, "top level must be a JSON object, found \(config.typeName)")
            }
            configPath = file
            if case .array(let list) = config["architectures"] { architectures = list.compactMap(\.stringValue) }
            className = config["_class_name"]?.stringValue ?? architectures.first
            break
        }

        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        let weights = CheckpointWeights.find(in: directory)
        let unsupported = weights != nil ? [] : files.filter { file in
            [".bin", ".ckpt", ".pt", ".pth"].contains { file.hasSuffix($0) }
        }
        return CheckpointComponent(name: name, directory: directory, library: library,
                                   className: className ?? indexClass, architectures: architectures,
                                   configPath: configPath, weights: weights, unsupportedWeightFiles: unsupported)
    }

    private static func readJSON(_ file: String) throws(SafetensorsError) -> JSONValue {
        let storage = try MappedFile(path: file)
        guard storage.count <= SafetensorsHeader.maximumHeaderLength else {
            throw SafetensorsError(.invalidCheckpoint, file: file, "JSON file of \(storage.count) bytes is too large")
        }
        do { return try JSONText.parse(storage.buffer) } catch {
            throw SafetensorsError(.invalidCheckpoint, file: file, "not valid JSON: \(error.message) at byte \(error.offset)")
        }
    }
}
