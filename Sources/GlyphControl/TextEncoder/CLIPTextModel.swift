import Foundation
import TensorCore

/// transformers' CLIPTextModel: Stable Diffusion's text encoder. Token ids
/// ([B][L], L <= max_position_embeddings, 77 from `CLIPTokenizer`) to the
/// last hidden state [B, L, hidden] that conditions the UNet's cross-attention,
/// and the pooled output at the end-of-text position.
///
/// Parameter names are the checkpoint's: `text_model.embeddings.token_embedding.weight`,
/// `text_model.encoder.layers.N.self_attn.q_proj.weight`, `...layer_norm1`,
/// `...mlp.fc1`, `text_model.final_layer_norm.weight`. No attention mask
/// besides the causal one: padding positions are attended to, as Stable
/// Diffusion pipelines run it.
public final class CLIPTextModel: Module, @unchecked Sendable {
    @Key("text_model") public var textModel: CLIPTextTransformer
    public let config: CLIPTextConfig
    public let activation: CLIPActivation

    /// A randomly initialised model (load weights with `load(from:)` or `Module.load`).
    public init(_ config: CLIPTextConfig, seed: UInt64 = 0) throws(CLIPTextModelError) {
        try config.validate()
        self.config = config
        activation = try CLIPActivation(name: config.hiddenAct)
        super.init()
        var random = TensorRandom(seed: seed)
        _textModel.wrappedValue = CLIPTextTransformer(config, activation: activation, random: &random)
    }

    /// Runs the encoder. `ids` rows must have equal lengths.
    public func forward(_ ids: [[Int]], outputHiddenStates: Bool = false) throws(CLIPTextModelError) -> CLIPTextModelOutput {
        let batch = ids.count
        guard batch > 0, let length = ids.first?.count, length > 0 else { throw .invalidInput("empty batch") }
        guard ids.allSatisfy({ $0.count == length }) else { throw .invalidInput("rows have different lengths \(ids.map(\.count))") }
        guard length <= config.maxPositionEmbeddings else {
            throw .invalidInput("sequence length \(length) exceeds max_position_embeddings \(config.maxPositionEmbeddings)")
        }
        let flat = ids.flatMap { $0 }
        if let bad = flat.first(where: { $0 < 0 || $0 >= config.vocabSize }) {
            throw .invalidInput("id \(bad) is outside the vocabulary of \(config.vocabSize) (added tokens need a resized embedding)")
        }
        let model = textModel
        var h = model.embeddings(flat, batch: batch, length: length)
        var states: [Tensor] = outputHiddenStates ? [h] : []
        for layer in model.encoder.layers {
            h = layer(h)
            if outputHiddenStates { states.append(h) }
        }
        let last = model.finalLayerNorm(h)
        return CLIPTextModelOutput(lastHiddenState: last, pooledOutput: pooled(last, ids: ids), hiddenStates: states)
    }

    /// The last hidden state [B, L, hidden].
    public func callAsFunction(_ ids: [[Int]]) throws(CLIPTextModelError) -> Tensor { try forward(ids).lastHiddenState }

    /// The end-of-text position of each row, as transformers picks it: with
    /// eos_token_id 2 (configs written before transformers 4.31, Stable
    /// Diffusion 1.x and 2.x) the position of the largest id; otherwise the
    /// first position holding eos_token_id (0 if none).
    public func poolingPositions(_ ids: [[Int]]) -> [Int] {
        ids.map { row in
            if config.eosTokenID == 2 || config.eosTokenID == nil {
                var best = 0
                for (i, id) in row.enumerated() where id > row[best] { best = i }
                return best
            }
            return row.firstIndex(of: config.eosTokenID!) ?? 0
        }
    }

    func pooled(_ last: Tensor, ids: [[Int]]) -> Tensor {
        let hidden = last.shape[2]
        let rows = poolingPositions(ids).enumerated().map { b, position in
            last.narrowed(axis: 0, start: b, length: 1).narrowed(axis: 1, start: position, length: 1).reshaped([1, hidden])
        }
        return Tensor.concatenate(rows, axis: 0)
    }
}

extension CLIPTextModel {
    /// Checkpoint names this model does not hold but that checkpoints carry:
    /// the position-id buffer transformers 4 wrote into Stable Diffusion's text encoders.
    public static let ignoredCheckpointNames: Set<String> = ["text_model.embeddings.position_ids", "embeddings.position_ids"]

    /// Checkpoint values renamed to this model's names: transformers 5 saves
    /// CLIPTextModel without the `text_model.` prefix (and reads both);
    /// ignored buffers are dropped. Other names are left for `load` to report.
    public static func canonicalNames(_ values: [String: Tensor]) -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (name, value) in values where !ignoredCheckpointNames.contains(name) {
            let prefixed = name.hasPrefix("text_model.") || name.hasPrefix("text_projection.") ? name : "text_model." + name
            out[prefixed] = value
        }
        return out
    }

    /// Loads checkpoint values (either naming), listing every missing,
    /// unexpected or mis-shaped name on failure.
    public func loadCheckpoint(_ values: [String: Tensor]) throws(ModuleLoadError) {
        try load(Self.canonicalNames(values))
        setTrainable(false)
    }

    /// A text encoder from a `text_encoder/` folder: config.json plus
    /// model.safetensors (or a sharded index), fp32/fp16/bf16. The model
    /// comes back frozen (no gradients), as Stable Diffusion training keeps it.
    public static func load(from directory: URL) throws(ComponentLoadError) -> CLIPTextModel {
        let component = ComponentDirectory(directory)
        let config = try component.configuration(CLIPTextConfig.self)
        let model: CLIPTextModel
        do { model = try withoutParameterInitialisation { try CLIPTextModel(config) } } catch {
            throw .unsupported("\(directory.appendingPathComponent("config.json").path): \(error)")
        }
        let weights = try component.tensors()
        do { try model.loadCheckpoint(weights) } catch { throw .mismatch("\(directory.path): \(error)") }
        return model
    }
}
