import TensorCore

/// The MLP activations a CLIP text config may name (transformers' ACT2FN).
public enum CLIPActivation: String, Sendable, CaseIterable {
    /// x * sigmoid(1.702 x): OpenAI CLIP (Stable Diffusion 1.x).
    case quickGelu = "quick_gelu"
    /// Exact erf GELU: OpenCLIP (Stable Diffusion 2.x).
    case gelu
    /// Tanh-approximated GELU (`gelu_new`, `gelu_pytorch_tanh`, `gelu_fast`).
    case geluTanh = "gelu_pytorch_tanh"
    case relu
    case silu

    public init(name: String) throws(CLIPTextModelError) {
        switch name {
        case "quick_gelu": self = .quickGelu
        case "gelu": self = .gelu
        case "gelu_new", "gelu_pytorch_tanh", "gelu_fast": self = .geluTanh
        case "relu": self = .relu
        case "silu", "swish": self = .silu
        default: throw CLIPTextModelError.invalidConfig(path: nil, reason: "unsupported hidden_act '\(name)'")
        }
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .quickGelu: x.quickGelu()
        case .gelu: x.gelu()
        case .geluTanh: x.geluTanh()
        case .relu: x.relu()
        case .silu: x.silu()
        }
    }
}
