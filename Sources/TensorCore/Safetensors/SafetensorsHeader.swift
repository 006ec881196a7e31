/// Parsing and validation of a safetensors header, separate from how the
/// bytes were obtained (mmap or memory) so it can be fuzzed on plain arrays.
///
/// The rules follow the reference Rust implementation (which the Python
/// package uses): 8-byte little-endian header length of at most 100 MB, a
/// JSON object of tensor entries plus an optional `__metadata__` object of
/// string values, and tensor data that is contiguous and covers the whole
/// data area exactly, with no gaps, overlaps or trailing bytes. Differences,
/// all stricter: a duplicate tensor name is an error (the reference silently
/// keeps one), and dtypes outside `DType` (U16, U32, U64, F8_*) are refused.
/// Unknown extra fields inside a tensor entry are ignored, as the reference does.
struct SafetensorsHeader: Sendable {
    /// The header-length limit the reference implementation uses.
    static let maximumHeaderLength = 100_000_000

    /// Tensors in data-offset order (header order among equal offsets).
    var tensors: [TensorInfo]
    var metadata: [String: String]
    /// N, the JSON length (padding included); data starts at 8 + N.
    var headerLength: Int

    /// Validates `bytes` (a whole file of `bytes.count` bytes).
    static func parse(_ bytes: UnsafeRawBufferPointer, file: String) throws(SafetensorsError) -> SafetensorsHeader {
        func fail(_ kind: SafetensorsError.Kind, tensor: String? = nil, _ message: String) -> SafetensorsError {
            SafetensorsError(kind, file: file, tensor: tensor, message)
        }
        let fileSize = bytes.count
        guard fileSize >= 8 else {
            throw fail(.fileTooShort, "file is \(fileSize) bytes, too short for the 8-byte header length")
        }
        var rawLength: UInt64 = 0
        for i in 0..<8 { rawLength |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard rawLength <= UInt64(maximumHeaderLength) else {
            throw fail(.headerTooLarge, "header length \(rawLength) is absurd (limit \(maximumHeaderLength) bytes)")
        }
        let headerLength = Int(rawLength)
        guard headerLength <= fileSize - 8 else {
            throw fail(.headerOutOfBounds, "header length \(headerLength) runs past the end of the file (\(fileSize) bytes, \(fileSize - 8) after the length)")
        }
        let dataSize = fileSize - 8 - headerLength

        let json: JSONValue
        do {
            json = try JSONText.parse(UnsafeRawBufferPointer(rebasing: bytes[8..<(8 + headerLength)]))
        } catch {
            throw fail(.invalidJSON, "header is not valid JSON: \(error.message) at header byte \(error.offset)")
        }
        guard case .object(let members) = json else {
            throw fail(.invalidJSON, "header must be a JSON object, found \(json.typeName)")
        }

        var metadata: [String: String] = [:]
        var seenMetadata = false
        var tensors: [TensorInfo] = []
        tensors.reserveCapacity(members.count)
        var seen = Set<String>()
        for member in members {
            if member.key == "__metadata__" {
                guard !seenMetadata else { throw fail(.invalidEntry, "__metadata__ appears twice") }
                seenMetadata = true
                metadata = try parseMetadata(member.value, fail: fail)
                continue
            }
            guard seen.insert(member.key).inserted else {
                throw fail(.duplicateTensor, tensor: member.key, "name appears twice in the header")
            }
            tensors.append(try parseEntry(member.key, member.value, dataSize: dataSize, fail: fail))
        }

        // Contiguity: sorted by offsets, each tensor starts where the last ended.
        let order = tensors.indices.sorted {
            let a = tensors[$0].dataOffsets, b = tensors[$1].dataOffsets
            return (a.lowerBound, a.upperBound, $0) < (b.lowerBound, b.upperBound, $1)
        }
        var cursor = 0
        var previous: TensorInfo?
        for i in order {
            let info = tensors[i]
            if info.dataOffsets.lowerBound < cursor, let previous {
                throw fail(.overlap, tensor: info.name,
                           "data_offsets [\(info.dataOffsets.lowerBound), \(info.dataOffsets.upperBound)] overlap tensor '\(previous.name)' [\(previous.dataOffsets.lowerBound), \(previous.dataOffsets.upperBound)]")
            }
            if info.dataOffsets.lowerBound > cursor {
                throw fail(.incompleteData, tensor: info.name,
                           "data bytes \(cursor)..<\(info.dataOffsets.lowerBound) before this tensor belong to no tensor (data must be contiguous)")
            }
            cursor = info.dataOffsets.upperBound
            previous = info
        }
        guard cursor == dataSize else {
            throw fail(.incompleteData, "data area has \(dataSize) bytes but the tensors cover only \(cursor); bytes \(cursor)..<\(dataSize) belong to no tensor")
        }
        return SafetensorsHeader(tensors: order.map { tensors[$0] }, metadata: metadata, headerLength: headerLength)
    }

    private static func parseMetadata(_ value: JSONValue, fail: (SafetensorsError.Kind, String?, String) -> SafetensorsError) throws(SafetensorsError) -> [String: String] {
        if value == .null { return [:] }
        guard case .object(let entries) = value else {
            throw fail(.invalidEntry, nil, "__metadata__ must be an object of strings, found \(value.typeName)")
        }
        var metadata: [String: String] = [:]
        for entry in entries {
            guard case .string(let text) = entry.value else {
                throw fail(.invalidEntry, nil, "__metadata__ value for '\(entry.key)' must be a string, found \(entry.value.typeName)")
            }
            guard metadata.updateValue(text, forKey: entry.key) == nil else {
                throw fail(.invalidEntry, nil, "__metadata__ key '\(entry.key)' appears twice")
            }
        }
        return metadata
    }

    private static func parseEntry(_ name: String, _ value: JSONValue, dataSize: Int,
                                   fail: (SafetensorsError.Kind, String?, String) -> SafetensorsError) throws(SafetensorsError) -> TensorInfo {
        guard case .object = value else {
            throw fail(.invalidEntry, name, "entry must be an object with dtype, shape and data_offsets, found \(value.typeName)")
        }
        guard let dtypeValue = value["dtype"] else { throw fail(.invalidEntry, name, "entry has no 'dtype'") }
        guard case .string(let dtypeName) = dtypeValue else {
            throw fail(.invalidEntry, name, "'dtype' must be a string, found \(dtypeValue.typeName)")
        }
        guard let dtype = DType(rawValue: dtypeName) else {
            throw fail(.unknownDType, name, "unknown dtype '\(dtypeName)' (known: \(DType.allCases.map(\.rawValue).joined(separator: ", ")))")
        }

        guard let shapeValue = value["shape"] else { throw fail(.invalidEntry, name, "entry has no 'shape'") }
        guard case .array(let dims) = shapeValue else {
            throw fail(.invalidShape, name, "'shape' must be an array of non-negative integers, found \(shapeValue.typeName)")
        }
        var shape: [Int] = []
        shape.reserveCapacity(dims.count)
        var elements = 1
        var overflow = false
        for dim in dims {
            guard let n = dim.integer, n >= 0 else {
                throw fail(.invalidShape, name, "shape \(shapeValue.compactText) has \(dim.typeName); dimensions must be non-negative integers")
            }
            shape.append(n)
            let (product, o) = elements.multipliedReportingOverflow(by: n)
            elements = product
            overflow = overflow || o
        }
        let (byteCount, o) = elements.multipliedReportingOverflow(by: dtype.size)
        if overflow || o {
            throw fail(.invalidShape, name, "shape \(shapeValue.compactText) of \(dtypeName) overflows the element count")
        }

        guard let offsetsValue = value["data_offsets"] else { throw fail(.invalidEntry, name, "entry has no 'data_offsets'") }
        guard case .array(let offsets) = offsetsValue, offsets.count == 2,
              let begin = offsets[0].integer, let end = offsets[1].integer, begin >= 0, end >= 0 else {
            throw fail(.invalidOffsets, name, "data_offsets \(offsetsValue.compactText) must be two non-negative integers [begin, end]")
        }
        guard begin <= end else {
            throw fail(.invalidOffsets, name, "data_offsets [\(begin), \(end)] has begin > end")
        }
        guard end <= dataSize else {
            throw fail(.invalidOffsets, name, "data_offsets [\(begin), \(end)] lie outside the data area of \(dataSize) bytes")
        }
        guard end - begin == byteCount else {
            throw fail(.sizeMismatch, name, "shape \(shapeValue.compactText) of \(dtypeName) needs \(byteCount) bytes but data_offsets [\(begin), \(end)] span \(end - begin)")
        }
        return TensorInfo(name: name, dtype: dtype, shape: shape, dataOffsets: begin..<end)
    }
}
