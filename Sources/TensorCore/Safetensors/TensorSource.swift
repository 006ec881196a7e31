/// Anything that serves named tensors from a checkpoint: one safetensors file
/// or a sharded set. Loaders and `poster inspect` use this so they need not
/// care how a model was split into files.
public protocol TensorSource: AnyObject, Sendable {
    /// Where the tensors come from (a file or an index path), for messages.
    var path: String { get }
    /// Every tensor, in a stable order (file order / index order).
    var tensors: [TensorInfo] { get }
    /// String metadata (a file's `__metadata__`, an index's `metadata`).
    var metadata: [String: String] { get }
    /// The tensor's description; throws `.tensorNotFound` for an unknown name.
    func info(_ name: String) throws(SafetensorsError) -> TensorInfo
    /// The tensor's values as Float32, whatever its dtype.
    func floats(_ name: String) throws(SafetensorsError) -> [Float]
    /// An integer (or BOOL) tensor's values, exactly; `.wrongDType` for floats.
    func int64s(_ name: String) throws(SafetensorsError) -> [Int64]
    /// The tensor's raw little-endian bytes, copied.
    func bytes(_ name: String) throws(SafetensorsError) -> [UInt8]
}

extension TensorSource {
    public var names: [String] { tensors.map(\.name) }
    public func contains(_ name: String) -> Bool { (try? info(name)) != nil }
    /// Total elements over all tensors.
    public var parameterCount: Int { tensors.reduce(0) { $0 + $1.elementCount } }
    /// Total data bytes over all tensors.
    public var byteCount: Int { tensors.reduce(0) { $0 + $1.byteCount } }
}

extension TensorSource {
    /// Every tensor as Float32 by name: what a model's `load` takes.
    public func floatTensors() throws(SafetensorsError) -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for info in tensors { out[info.name] = Tensor(shape: info.shape, scalars: try floats(info.name)) }
        return out
    }
}
