import Foundation

/// transformers' LlamaConfig as config.json spells it (REFERENCE 7). Missing
/// fields take transformers' defaults. Rotary scaling is not supported: a
/// `rope_scaling` other than null (or a `rope_parameters.rope_type` other than
/// "default") is an error naming it, as is an activation other than silu.
/// Reads both the transformers 4 layout (`rope_theta`, `rope_scaling` at top
/// level) and the transformers 5 one (`rope_parameters`); writes both.
public struct LlamaConfiguration: Codable, Sendable, Equatable {
    public var vocabSize: Int
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    /// Key/value heads (grouped-query attention); nil means one per attention head.
    public var numKeyValueHeads: Int?
    public var rmsNormEps: Float
    public var ropeTheta: Float
    public var maxPositionEmbeddings: Int
    public var tieWordEmbeddings: Bool
    /// Biases on q/k/v/o_proj.
    public var attentionBias: Bool
    /// Biases on gate/up/down_proj.
    public var mlpBias: Bool
    public var hiddenAct: String
    /// Rotary scaling (`rope_scaling`, or `rope_parameters` without its theta);
    /// nil for plain rotary embeddings (`{"rope_type": "default"}` reads as nil),
    /// the only kind supported.
    public var ropeScaling: [String: JSONValue]?
    /// Per-head width; nil means hidden_size / num_attention_heads.
    public var headDim: Int?
    public var initializerRange: Float
    public var bosTokenID: Int?
    public var eosTokenID: Int?
    public var padTokenID: Int?
    public var architectures: [String]?

    enum CodingKeys: String, CodingKey {
        case vocabSize = "vocab_size"
        case hiddenSize = "hidden_size"
        case intermediateSize = "intermediate_size"
        case numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads"
        case numKeyValueHeads = "num_key_value_heads"
        case rmsNormEps = "rms_norm_eps"
        case ropeTheta = "rope_theta"
        case maxPositionEmbeddings = "max_position_embeddings"
        case tieWordEmbeddings = "tie_word_embeddings"
        case attentionBias = "attention_bias"
        case mlpBias = "mlp_bias"
        case hiddenAct = "hidden_act"
        case ropeScaling = "rope_scaling"
        case headDim = "head_dim"
        case initializerRange = "initializer_range"
        case bosTokenID = "bos_token_id"
        case eosTokenID = "eos_token_id"
        case padTokenID = "pad_token_id"
        case architectures
    }

    /// Keys written (or read) besides the fields above.
    enum ExtraKeys: String, CodingKey {
        case ropeParameters = "rope_parameters"
        case modelType = "model_type"
        case dtype
        case torchDtype = "torch_dtype"
    }

    public init(vocabSize: Int = 32000, hiddenSize: Int = 4096, intermediateSize: Int = 11008, numHiddenLayers: Int = 32,
                numAttentionHeads: Int = 32, numKeyValueHeads: Int? = nil, rmsNormEps: Float = 1e-6, ropeTheta: Float = 10_000,
                maxPositionEmbeddings: Int = 2048, tieWordEmbeddings: Bool = false, attentionBias: Bool = false, mlpBias: Bool = false,
                hiddenAct: String = "silu", ropeScaling: [String: JSONValue]? = nil, headDim: Int? = nil, initializerRange: Float = 0.02,
                bosTokenID: Int? = 1, eosTokenID: Int? = 2, padTokenID: Int? = nil, architectures: [String]? = ["LlamaForCausalLM"]) {
        self.vocabSize = vocabSize
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.numHiddenLayers = numHiddenLayers
        self.numAttentionHeads = numAttentionHeads
        self.numKeyValueHeads = numKeyValueHeads
        self.rmsNormEps = rmsNormEps
        self.ropeTheta = ropeTheta
        self.maxPositionEmbeddings = maxPositionEmbeddings
        self.tieWordEmbeddings = tieWordEmbeddings
        self.attentionBias = attentionBias
        self.mlpBias = mlpBias
        self.hiddenAct = hiddenAct
        self.ropeScaling = ropeScaling
        self.headDim = headDim
        self.initializerRange = initializerRange
        self.bosTokenID = bosTokenID
        self.eosTokenID = eosTokenID
        self.padTokenID = padTokenID
        self.architectures = architectures
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let extra = try decoder.container(keyedBy: ExtraKeys.self)
        let d = LlamaConfiguration()
        vocabSize = try c.decodeIfPresent(Int.self, forKey: .vocabSize) ?? d.vocabSize
        hiddenSize = try c.decodeIfPresent(Int.self, forKey: .hiddenSize) ?? d.hiddenSize
        intermediateSize = try c.decodeIfPresent(Int.self, forKey: .intermediateSize) ?? d.intermediateSize
        numHiddenLayers = try c.decodeIfPresent(Int.self, forKey: .numHiddenLayers) ?? d.numHiddenLayers
        numAttentionHeads = try c.decodeIfPresent(Int.self, forKey: .numAttentionHeads) ?? d.numAttentionHeads
        numKeyValueHeads = try c.decodeIfPresent(Int.self, forKey: .numKeyValueHeads)
        rmsNormEps = try c.decodeIfPresent(Float.self, forKey: .rmsNormEps) ?? d.rmsNormEps
        maxPositionEmbeddings = try c.decodeIfPresent(Int.self, forKey: .maxPositionEmbeddings) ?? d.maxPositionEmbeddings
        tieWordEmbeddings = try c.decodeIfPresent(Bool.self, forKey: .tieWordEmbeddings) ?? d.tieWordEmbeddings
        attentionBias = try c.decodeIfPresent(Bool.self, forKey: .attentionBias) ?? d.attentionBias
        mlpBias = try c.decodeIfPresent(Bool.self, forKey: .mlpBias) ?? d.mlpBias
        hiddenAct = try c.decodeIfPresent(String.self, forKey: .hiddenAct) ?? d.hiddenAct
        headDim = try c.decodeIfPresent(Int.self, forKey: .headDim)
        initializerRange = try c.decodeIfPresent(Float.self, forKey: .initializerRange) ?? d.initializerRange
        bosTokenID = try Self.tokenID(c, .bosTokenID)
        eosTokenID = try Self.tokenID(c, .eosTokenID)
        padTokenID = try Self.tokenID(c, .padTokenID)
        architectures = try c.decodeIfPresent([String].self, forKey: .architectures)

        // transformers 4: rope_theta and rope_scaling at top level; transformers 5: rope_parameters.
        var theta = try c.decodeIfPresent(Float.self, forKey: .ropeTheta)
        var scaling = try c.decodeIfPresent([String: JSONValue].self, forKey: .ropeScaling)
        if var parameters = try extra.decodeIfPresent([String: JSONValue].self, forKey: .ropeParameters) {
            if let value = parameters.removeValue(forKey: "rope_theta") {
                guard let number = value.number else {
                    throw DecodingError.dataCorruptedError(forKey: .ropeParameters, in: extra, debugDescription: "rope_parameters.rope_theta is not a number")
                }
                theta = Float(number)
            }
            if scaling == nil, !parameters.isEmpty { scaling = parameters }
        }
        ropeTheta = theta ?? d.ropeTheta
        // {"rope_type": "default"} is plain rotary: kept as nil.
        if let s = scaling, s.count == 1, (s["rope_type"] ?? s["type"])?.string == "default" { scaling = nil }
        ropeScaling = scaling
    }

    /// eos_token_id may be a list in generation-oriented configs: the first entry is kept.
    static func tokenID(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> Int? {
        if let single = try? c.decodeIfPresent(Int.self, forKey: key) { return single }
        return try c.decodeIfPresent([Int].self, forKey: key)?.first
    }

    /// config.json as transformers (4 and 5) reads it back.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(vocabSize, forKey: .vocabSize)
        try c.encode(hiddenSize, forKey: .hiddenSize)
        try c.encode(intermediateSize, forKey: .intermediateSize)
        try c.encode(numHiddenLayers, forKey: .numHiddenLayers)
        try c.encode(numAttentionHeads, forKey: .numAttentionHeads)
        try c.encode(keyValueHeads, forKey: .numKeyValueHeads)
        try c.encode(Double(rmsNormEps).roundedForJSON, forKey: .rmsNormEps)
        try c.encode(Double(ropeTheta).roundedForJSON, forKey: .ropeTheta)
        try c.encode(maxPositionEmbeddings, forKey: .maxPositionEmbeddings)
        try c.encode(tieWordEmbeddings, forKey: .tieWordEmbeddings)
        try c.encode(attentionBias, forKey: .attentionBias)
        try c.encode(mlpBias, forKey: .mlpBias)
        try c.encode(hiddenAct, forKey: .hiddenAct)
        try c.encode(ropeScaling, forKey: .ropeScaling)
        try c.encode(dimensionPerHead, forKey: .headDim)
        try c.encode(Double(initializerRange).roundedForJSON, forKey: .initializerRange)
        try c.encode(bosTokenID, forKey: .bosTokenID)
        try c.encode(eosTokenID, forKey: .eosTokenID)
        try c.encode(padTokenID, forKey: .padTokenID)
        try c.encode(architectures ?? ["LlamaForCausalLM"], forKey: .architectures)
        var extra = encoder.container(keyedBy: ExtraKeys.self)
        try extra.encode("llama", forKey: .modelType)
        var parameters = ropeScaling ?? ["rope_type": .string("default")]
        parameters["rope_theta"] = .number(Double(ropeTheta).roundedForJSON)
        try extra.encode(parameters, forKey: .ropeParameters)
    }

    /// Key/value heads actually used.
    public var keyValueHeads: Int { numKeyValueHeads ?? numAttentionHeads }

    /// Per-head width actually used.
    public var dimensionPerHead: Int { headDim ?? hiddenSize / max(1, numAttentionHeads) }

    /// Throws for a configuration this implementation cannot run, naming the option.
    public func validate() throws(LlamaError) {
        func check(_ condition: Bool, _ message: @autoclosure () -> String) throws(LlamaError) {
            if !condition { throw .invalidConfiguration(message()) }
        }
        try check(vocabSize > 0, "vocab_size must be positive, got \(vocabSize)")
        try check(hiddenSize > 0, "hidden_size must be positive, got \(hiddenSize)")
        try check(intermediateSize > 0, "intermediate_size must be positive, got \(intermediateSize)")
        try check(numHiddenLayers >= 0, "num_hidden_layers must not be negative, got \(numHiddenLayers)")
        try check(numAttentionHeads > 0, "num_attention_heads must be positive, got \(numAttentionHeads)")
        try check(keyValueHeads > 0 && numAttentionHeads % keyValueHeads == 0,
                  "num_attention_heads \(numAttentionHeads) is not a multiple of num_key_value_heads \(keyValueHeads)")
        if headDim == nil {
            try check(hiddenSize % numAttentionHeads == 0,
                      "hidden_size \(hiddenSize) is not divisible by num_attention_heads \(numAttentionHeads) (and no head_dim is given)")
        }
        try check(dimensionPerHead > 0 && dimensionPerHead % 2 == 0, "head_dim must be positive and even for rotary embeddings, got \(dimensionPerHead)")
        try check(rmsNormEps > 0, "rms_norm_eps must be positive, got \(rmsNormEps)")
        try check(ropeTheta > 0, "rope_theta must be positive, got \(ropeTheta)")
        try check(maxPositionEmbeddings > 0, "max_position_embeddings must be positive, got \(maxPositionEmbeddings)")
        guard ["silu", "swish"].contains(hiddenAct) else {
            throw .unsupported("hidden_act \"\(hiddenAct)\" is not supported (Llama's MLP here uses silu)")
        }
        if let scaling = ropeScaling {
            let type = scaling["rope_type"]?.string ?? scaling["type"]?.string
            let otherKeys = scaling.keys.filter { $0 != "rope_type" && $0 != "type" }
            if type != "default" || !otherKeys.isEmpty {
                throw .unsupported("rope_scaling \(JSONValue.object(scaling)) is not supported: only plain rotary embeddings (rope_scaling null, rope_type \"default\")")
            }
        }
        if let bos = bosTokenID, bos < 0 || bos >= vocabSize { throw .invalidConfiguration("bos_token_id \(bos) is outside the vocabulary of \(vocabSize)") }
        if let eos = eosTokenID, eos < 0 || eos >= vocabSize { throw .invalidConfiguration("eos_token_id \(eos) is outside the vocabulary of \(vocabSize)") }
        if let pad = padTokenID, pad < 0 || pad >= vocabSize { throw .invalidConfiguration("pad_token_id \(pad) is outside the vocabulary of \(vocabSize)") }
    }
}

extension Double {
    /// A Float widened to Double prints with spurious digits (1e-06 -> 9.99999997e-07);
    /// this rounds to the Float's shortest decimal so config.json keeps `1e-06`.
    var roundedForJSON: Double { Double("\(Float(self))") ?? self }
}

/// Any JSON value, for config fields with free-form content (rope_scaling).
public enum JSONValue: Codable, Sendable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n): try c.encode(n)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    public var string: String? { if case .string(let s) = self { s } else { nil } }
    public var number: Double? { if case .number(let n) = self { n } else { nil } }

    public var description: String {
        switch self {
        case .null: "null"
        case .bool(let b): "\(b)"
        case .number(let n): n == n.rounded() && abs(n) < 1e15 ? "\(Int(n))" : "\(n)"
        case .string(let s): "\"\(s)\""
        case .array(let a): "[" + a.map(\.description).joined(separator: ", ") + "]"
        case .object(let o): "{" + o.keys.sorted().map { "\"\($0)\": \(o[$0]!)" }.joined(separator: ", ") + "}"
        }
    }
}
