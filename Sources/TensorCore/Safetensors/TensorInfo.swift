/// Where one tensor lives in a safetensors file and how to read it. Kept
/// separate from any Tensor type so checkpoint inspection and loading code
/// can plan (names, shapes, sizes) before touching data.
public struct TensorInfo: Equatable, Hashable, Sendable {
    public var name: String
    public var dtype: DType
    /// Dimensions, outermost first (row-major). `[]` is a scalar.
    public var shape: [Int]
    /// Byte range inside the data area (the bytes after the header), as the
    /// header's `data_offsets` say; add `SafetensorsFile.dataStart` for a file offset.
    public var dataOffsets: Range<Int>

    public init(name: String, dtype: DType, shape: [Int], dataOffsets: Range<Int>) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.dataOffsets = dataOffsets
    }

    /// Number of elements (1 for a scalar, 0 when any dimension is 0).
    /// Validated not to overflow when read from a file.
    public var elementCount: Int { shape.reduce(1, *) }

    /// Bytes the data takes: `elementCount * dtype.size`.
    public var byteCount: Int { dataOffsets.count }
}
