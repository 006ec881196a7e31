/// One `.safetensors` file, memory-mapped and validated on open.
///
/// Opening parses and checks the whole header (see `SafetensorsHeader` for
/// the rules); after that every accessor is bounds-safe, because every
/// tensor's byte range was checked to lie inside the data area. Data is read
/// straight from the mapping, so opening a large checkpoint is cheap and
/// reading one tensor touches only its pages. Immutable, so safe to share
/// across threads.
public final class SafetensorsFile: TensorSource {
    public let path: String
    /// Tensors in file order (by data offset).
    public let tensors: [TensorInfo]
    /// The `__metadata__` object (empty when absent).
    public let metadata: [String: String]
    /// N: length of the JSON header (with its padding).
    public let headerLength: Int
    /// File offset of the data area: 8 + N.
    public var dataStart: Int { 8 + headerLength }
    /// Total file size in bytes.
    public var fileSize: Int { storage.count }

    private let storage: MappedFile
    private let index: [String: Int]

    /// Maps and validates the file at `path`.
    public convenience init(path: String) throws(SafetensorsError) {
        try self.init(storage: try MappedFile(path: path), path: path)
    }

    /// Validates an in-memory file image (tests, fuzzing, downloads); `name` is used in errors.
    public convenience init(bytes: [UInt8], name: String = "<memory>") throws(SafetensorsError) {
        try self.init(storage: MappedFile(bytes: bytes), path: name)
    }

    private init(storage: MappedFile, path: String) throws(SafetensorsError) {
        let header = try SafetensorsHeader.parse(storage.buffer, file: path)
        self.storage = storage
        self.path = path
        self.tensors = header.tensors
        self.metadata = header.metadata
        self.headerLength = header.headerLength
        var index: [String: Int] = [:]
        for (i, info) in header.tensors.enumerated() { index[info.name] = i }
        self.index = index
    }

    public func info(_ name: String) throws(SafetensorsError) -> TensorInfo {
        guard let i = index[name] else {
            throw SafetensorsError(.tensorNotFound, file: path, tensor: name, "no such tensor in this file")
        }
        return tensors[i]
    }

    /// Calls `body` with the tensor's bytes inside the mapping (no copy). The
    /// buffer is valid only during the call.
    public func withUnsafeBytes<R>(of name: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let info = try info(name)
        return try body(rawBuffer(info))
    }

    public func bytes(_ name: String) throws(SafetensorsError) -> [UInt8] {
        Array(rawBuffer(try info(name)))
    }

    public func floats(_ name: String) throws(SafetensorsError) -> [Float] {
        let info = try info(name)
        return ElementDecoding.floats(rawBuffer(info), dtype: info.dtype, count: info.elementCount)
    }

    public func int64s(_ name: String) throws(SafetensorsError) -> [Int64] {
        let info = try info(name)
        guard let values = ElementDecoding.int64s(rawBuffer(info), dtype: info.dtype, count: info.elementCount) else {
            throw SafetensorsError(.wrongDType, file: path, tensor: name, "dtype \(info.dtype.rawValue) is not an integer type; read it with floats()")
        }
        return values
    }

    /// The validated range, as a buffer into the storage.
    private func rawBuffer(_ info: TensorInfo) -> UnsafeRawBufferPointer {
        let start = dataStart + info.dataOffsets.lowerBound
        return UnsafeRawBufferPointer(rebasing: storage.buffer[start..<(start + info.byteCount)])
    }
}
