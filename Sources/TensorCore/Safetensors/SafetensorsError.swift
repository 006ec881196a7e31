/// Everything that can be wrong with a safetensors file, a sharded index or a
/// checkpoint directory. Each error names the file, the tensor when there is
/// one, and what is wrong, so `poster inspect` can print it as one line and
/// tests can assert on `kind` rather than on wording.
public struct SafetensorsError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        /// open/read/mmap/write failed (the message carries strerror).
        case io
        /// Fewer than 8 bytes: no room for the header length.
        case fileTooShort
        /// The header length is over the 100 MB limit the reference implementation uses.
        case headerTooLarge
        /// The header length runs past the end of the file.
        case headerOutOfBounds
        /// The header is not valid UTF-8 JSON, or its top level is not an object.
        case invalidJSON
        /// A tensor entry (or `__metadata__`) has the wrong JSON shape.
        case invalidEntry
        /// A dtype name this reader does not know.
        case unknownDType
        /// A shape with a negative, fractional or overflowing dimension.
        case invalidShape
        /// `data_offsets` not two integers, begin > end, or past the data area.
        case invalidOffsets
        /// shape x dtype size differs from the byte span.
        case sizeMismatch
        /// Two tensors share bytes.
        case overlap
        /// Bytes of the data area belong to no tensor (between tensors or at the end).
        case incompleteData
        /// The same tensor name twice.
        case duplicateTensor
        /// No tensor of that name.
        case tensorNotFound
        /// The tensor's dtype cannot be read as asked (e.g. `int64s` of an F32 tensor).
        case wrongDType
        /// Writer input that cannot be written (count/shape mismatch, bad name, value out of range).
        case invalidTensor
        /// `model.safetensors.index.json` is malformed.
        case invalidIndex
        /// A shard file named by the index does not exist.
        case missingShard
        /// A directory that is no checkpoint, or a malformed config / model_index.
        case invalidCheckpoint
    }

    public var kind: Kind
    /// The file (or directory) concerned.
    public var file: String
    /// The tensor concerned, when there is one.
    public var tensor: String?
    /// What is wrong, in words.
    public var message: String

    public init(_ kind: Kind, file: String, tensor: String? = nil, _ message: String) {
        self.kind = kind
        self.file = file
        self.tensor = tensor
        self.message = message
    }

    public var description: String {
        if let tensor { return "\(file): tensor '\(tensor)': \(message)" }
        return "\(file): \(message)"
    }
}
