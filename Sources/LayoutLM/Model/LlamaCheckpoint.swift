import Foundation
import TensorCore

/// Reading and writing Hugging Face model folders: config.json plus
/// model.safetensors (or a sharded `*.safetensors.index.json`), in the layout
/// transformers' `save_pretrained` / `from_pretrained` use.
extension LlamaForCausalLM {
    /// Checkpoint buffers that are not parameters (older transformers saved the rotary inverse frequencies).
    static func isIgnoredCheckpointName(_ name: String) -> Bool { name.hasSuffix("rotary_emb.inv_freq") }

    /// Loads checkpoint values by name; the tied head's `lm_head.weight`, if a
    /// checkpoint carries it, is dropped (the embedding is the head). Every
    /// missing, unexpected or mis-shaped name is listed on failure.
    public func loadCheckpoint(_ values: [String: Tensor]) throws(ModuleLoadError) {
        var values = values.filter { !Self.isIgnoredCheckpointName($0.key) }
        if configuration.tieWordEmbeddings { values["lm_head.weight"] = nil }
        try load(values)
    }

    /// A model from a transformers folder: config.json + model.safetensors or
    /// a `*.safetensors.index.json` with its shards (F32, F16 or BF16).
    public static func load(from directory: URL) throws(LlamaError) -> LlamaForCausalLM {
        let configuration = try LlamaFolder.configuration(in: directory)
        let model: LlamaForCausalLM
        do { model = try withoutParameterInitialisation { () throws(LlamaError) in try LlamaForCausalLM(configuration: configuration) } } catch {
            throw error.prefixed(directory.appendingPathComponent("config.json").path)
        }
        let values = try LlamaFolder.tensors(in: directory)
        do { try model.loadCheckpoint(values) } catch { throw .mismatch("\(directory.path): \(error)") }
        return model
    }

    /// Writes config.json and model.safetensors (F32, F16 or BF16) into
    /// `directory` (created if needed), as transformers' save_pretrained does:
    /// `LlamaForCausalLM.from_pretrained(directory)` reads them back.
    public func save(to directory: URL, dtype: DType = .f32) throws(LlamaError) {
        let dtypeName: String
        switch dtype {
        case .f32: dtypeName = "float32"
        case .f16: dtypeName = "float16"
        case .bf16: dtypeName = "bfloat16"
        default: throw .weights("cannot save weights as \(dtype.rawValue): use F32, F16 or BF16")
        }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch { throw .weights("\(directory.path): cannot create the folder: \(error.localizedDescription)") }
        do { try writeWeights(to: directory.appendingPathComponent("model.safetensors").path, dtype: dtype) } catch {
            throw .weights("\(error)")
        }
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            var object = try JSONSerialization.jsonObject(with: encoder.encode(configuration)) as? [String: Any] ?? [:]
            object["dtype"] = dtypeName
            object["torch_dtype"] = dtypeName
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            try (data + Data("\n".utf8)).write(to: directory.appendingPathComponent("config.json"), options: .atomic)
        } catch { throw .weights("\(directory.appendingPathComponent("config.json").path): \(error.localizedDescription)") }
    }
}

/// The files of a transformers model folder; finding and reading the weights is TensorCore's.
enum LlamaFolder {
    static func configuration(in directory: URL) throws(LlamaError) -> LlamaConfiguration {
        let path = directory.appendingPathComponent("config.json").path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .missing("\(directory.path): no config.json (is this a transformers model folder?)")
        }
        do { return try JSONDecoder().decode(LlamaConfiguration.self, from: data) } catch {
            throw .invalidConfiguration("\(path): \(error)")
        }
    }

    /// The weights as Float32 tensors by checkpoint name.
    static func tensors(in directory: URL) throws(LlamaError) -> [String: Tensor] {
        guard let weights = CheckpointWeights.find(in: directory.path) else {
            throw .missing("\(directory.path): no model.safetensors nor a *.safetensors.index.json "
                           + "(.bin checkpoints are not read: convert them to safetensors)")
        }
        do { return try weights.open().floatTensors() } catch { throw .weights("\(error)") }
    }
}

extension LlamaError {
    /// The same error with `context` (a path) in front of its message.
    func prefixed(_ context: String) -> LlamaError {
        switch self {
        case .invalidConfiguration(let m): .invalidConfiguration("\(context): \(m)")
        case .unsupported(let m): .unsupported("\(context): \(m)")
        case .missing(let m): .missing("\(context): \(m)")
        case .weights(let m): .weights("\(context): \(m)")
        case .mismatch(let m): .mismatch("\(context): \(m)")
        case .invalidInput(let m): .invalidInput("\(context): \(m)")
        }
    }
}
