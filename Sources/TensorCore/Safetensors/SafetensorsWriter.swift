/// Builds a `.safetensors` file byte-compatible with the Python package.
///
/// Layout exactly as the reference (Rust) serializer makes it, so a file we
/// write with the same tensors is byte-identical to the one Python writes
/// (checked by `tools/make_safetensors_fixtures.py` and the fixture tests):
/// - tensors sorted by dtype, largest alignment first (the reference's dtype
///   order: I64, F64, F32, I32, BF16, F16, I16, I8, U8, BOOL), then by name
///   compared as UTF-8 bytes; data laid out contiguously in that order, so
///   every tensor starts aligned to its element size;
/// - compact JSON header: `__metadata__` first (omitted when there is no
///   metadata), then the tensors in data order, each
///   `{"dtype":..,"shape":[..],"data_offsets":[b,e]}`; strings escaped like serde_json;
/// - header padded with spaces to a multiple of 8 bytes.
/// One documented difference: the reference writes `__metadata__` keys in
/// hash-map (random) order; we sort them by UTF-8 bytes so our output is
/// deterministic. Files with at most one metadata key are byte-identical.
public struct SafetensorsWriter: Sendable {
    public var metadata: [String: String]
    private var entries: [Entry] = []
    private var names = Set<String>()

    private struct Entry: Sendable {
        var name: String
        var dtype: DType
        var shape: [Int]
        var data: [UInt8]
    }

    public init(metadata: [String: String] = [:]) {
        self.metadata = metadata
    }

    /// Tensors added so far, in the order they will be written.
    public var tensorNames: [String] { sortedEntries().map(\.name) }

    /// Adds a floating-point tensor, converting Float32 `values` to `dtype`
    /// (F32, F16 or BF16 rounded to nearest even, or F64).
    public mutating func add(_ name: String, dtype: DType = .f32, shape: [Int], values: [Float]) throws(SafetensorsError) {
        let count = try checkShape(name, dtype: dtype, shape: shape, count: values.count)
        var data: [UInt8]
        switch dtype {
        case .f32:
            data = values.withUnsafeBytes { Array($0) }
        case .f16:
            data = [UInt8](repeating: 0, count: 2 * count)
            for (i, v) in values.enumerated() {
                let bits = HalfPrecision.float16Bits(from: v)
                data[2 * i] = UInt8(truncatingIfNeeded: bits); data[2 * i + 1] = UInt8(truncatingIfNeeded: bits >> 8)
            }
        case .bf16:
            data = [UInt8](repeating: 0, count: 2 * count)
            for (i, v) in values.enumerated() {
                let bits = HalfPrecision.bfloat16Bits(from: v)
                data[2 * i] = UInt8(truncatingIfNeeded: bits); data[2 * i + 1] = UInt8(truncatingIfNeeded: bits >> 8)
            }
        case .f64:
            data = values.map(Double.init).withUnsafeBytes { Array($0) }
        default:
            throw SafetensorsError(.invalidTensor, file: "(writer)", tensor: name,
                                   "dtype \(dtype.rawValue) is not a float type; add integer tensors with add(_:dtype:shape:integers:)")
        }
        append(Entry(name: name, dtype: dtype, shape: shape, data: data))
    }

    /// Adds an integer tensor (I64, I32, I16, I8, U8, or BOOL from 0/1);
    /// a value outside the dtype's range is an error, not a wrap-around.
    public mutating func add(_ name: String, dtype: DType, shape: [Int], integers: [Int64]) throws(SafetensorsError) {
        _ = try checkShape(name, dtype: dtype, shape: shape, count: integers.count)
        let range: ClosedRange<Int64>
        switch dtype {
        case .i64: range = Int64.min...Int64.max
        case .i32: range = Int64(Int32.min)...Int64(Int32.max)
        case .i16: range = Int64(Int16.min)...Int64(Int16.max)
        case .i8: range = Int64(Int8.min)...Int64(Int8.max)
        case .u8: range = 0...255
        case .bool: range = 0...1
        default:
            throw SafetensorsError(.invalidTensor, file: "(writer)", tensor: name,
                                   "dtype \(dtype.rawValue) is not an integer type; add float tensors with add(_:dtype:shape:values:)")
        }
        var data: [UInt8] = []
        data.reserveCapacity(integers.count * dtype.size)
        for (i, v) in integers.enumerated() {
            guard range.contains(v) else {
                throw SafetensorsError(.invalidTensor, file: "(writer)", tensor: name,
                                       "value \(v) at index \(i) is out of range for \(dtype.rawValue) (\(range.lowerBound)...\(range.upperBound))")
            }
            for k in 0..<dtype.size { data.append(UInt8(truncatingIfNeeded: v >> (8 * Int64(k)))) }
        }
        append(Entry(name: name, dtype: dtype, shape: shape, data: data))
    }

    /// Adds a tensor from its raw little-endian bytes (any dtype); the byte
    /// count must equal elements x dtype size.
    public mutating func add(_ name: String, dtype: DType, shape: [Int], rawBytes: [UInt8]) throws(SafetensorsError) {
        let count = try checkShape(name, dtype: dtype, shape: shape, count: nil)
        guard rawBytes.count == count * dtype.size else {
            throw SafetensorsError(.invalidTensor, file: "(writer)", tensor: name,
                                   "\(rawBytes.count) bytes given but shape \(shape) of \(dtype.rawValue) needs \(count * dtype.size)")
        }
        append(Entry(name: name, dtype: dtype, shape: shape, data: rawBytes))
    }

    /// The complete file image.
    public func serialized() -> [UInt8] {
        let (header, entries) = prepare()
        var out = header
        for entry in entries { out += entry.data }
        return out
    }

    /// Writes the file atomically (temporary file in the same directory,
    /// fsync, rename): readers never see a partial checkpoint.
    public func write(to path: String) throws(SafetensorsError) {
        let (header, entries) = prepare()
        try AtomicFile.write(to: path) { (sink) throws(SafetensorsError) in
            // Array.withUnsafeBytes is untyped-rethrows: carry the error out by hand.
            func emit(_ bytes: [UInt8]) throws(SafetensorsError) {
                var failure: SafetensorsError?
                bytes.withUnsafeBytes { raw in
                    do throws(SafetensorsError) { try sink(raw) } catch { failure = error }
                }
                if let failure { throw failure }
            }
            try emit(header)
            for entry in entries where !entry.data.isEmpty { try emit(entry.data) }
        }
    }

    // MARK: - Layout

    /// The reference serializer's dtype order; sorting descends through it.
    static func referenceRank(_ dtype: DType) -> Int {
        switch dtype {
        case .bool: 0
        case .u8: 1
        case .i8: 2
        case .i16: 3
        case .f16: 4
        case .bf16: 5
        case .i32: 6
        case .f32: 7
        case .f64: 8
        case .i64: 9
        }
    }

    private func sortedEntries() -> [Entry] {
        entries.sorted { a, b in
            let ra = Self.referenceRank(a.dtype), rb = Self.referenceRank(b.dtype)
            if ra != rb { return ra > rb }
            return a.name.utf8.lexicographicallyPrecedes(b.name.utf8)
        }
    }

    /// The 8-byte length plus padded header, and the entries in data order.
    private func prepare() -> ([UInt8], [Entry]) {
        let sorted = sortedEntries()
        var json: [UInt8] = [UInt8(ascii: "{")]
        var first = true
        if !metadata.isEmpty {
            json += Array("\"__metadata__\":{".utf8)
            let keys = metadata.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (i, key) in keys.enumerated() {
                if i > 0 { json.append(UInt8(ascii: ",")) }
                JSONText.appendString(key, to: &json)
                json.append(UInt8(ascii: ":"))
                JSONText.appendString(metadata[key]!, to: &json)
            }
            json.append(UInt8(ascii: "}"))
            first = false
        }
        var offset = 0
        for entry in sorted {
            if !first { json.append(UInt8(ascii: ",")) }
            first = false
            JSONText.appendString(entry.name, to: &json)
            let shape = entry.shape.map(String.init).joined(separator: ",")
            json += Array(":{\"dtype\":\"\(entry.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + entry.data.count)]}".utf8)
            offset += entry.data.count
        }
        json.append(UInt8(ascii: "}"))
        json += [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8)
        var out: [UInt8] = []
        out.reserveCapacity(8 + json.count)
        let length = UInt64(json.count)
        for k in 0..<8 { out.append(UInt8(truncatingIfNeeded: length >> (8 * UInt64(k)))) }
        out += json
        return (out, sorted)
    }

    // MARK: - Checks

    private mutating func append(_ entry: Entry) {
        names.insert(entry.name)
        entries.append(entry)
    }

    /// Checks the name is new and the shape valid; returns the element count.
    private func checkShape(_ name: String, dtype: DType, shape: [Int], count: Int?) throws(SafetensorsError) -> Int {
        func fail(_ message: String) -> SafetensorsError {
            SafetensorsError(.invalidTensor, file: "(writer)", tensor: name, message)
        }
        guard name != "__metadata__" else { throw fail("'__metadata__' is reserved for the metadata object") }
        guard !names.contains(name) else { throw fail("a tensor of this name was already added") }
        var elements = 1
        for dim in shape {
            guard dim >= 0 else { throw fail("shape \(shape) has a negative dimension") }
            let (product, overflow) = elements.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw fail("shape \(shape) overflows the element count") }
            elements = product
        }
        guard !elements.multipliedReportingOverflow(by: dtype.size).overflow else { throw fail("shape \(shape) overflows the byte count") }
        if let count, count != elements {
            throw fail("\(count) values given but shape \(shape) holds \(elements)")
        }
        return elements
    }
}
