#if _endian(big)
#error("safetensors data is little-endian; TensorCore assumes a little-endian host")
#endif

/// Raw little-endian element bytes -> Float32 / Int64. Loads are unaligned
/// because a file's header length need not be a multiple of 8 (the reference
/// writer pads, other writers may not).
enum ElementDecoding {
    /// Every dtype as Float32: floats convert (F64 rounds to nearest), integers
    /// convert exactly up to 2^24 and round beyond, BOOL is 0 or 1.
    static func floats(_ raw: UnsafeRawBufferPointer, dtype: DType, count: Int) -> [Float] {
        precondition(raw.count >= count * dtype.size)
        guard count > 0, let base = raw.baseAddress else { return [] }
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            let dst = out.baseAddress!
            switch dtype {
            case .f32:
                UnsafeMutableRawPointer(dst).copyMemory(from: base, byteCount: count * 4)
            case .f16:
                for i in 0..<count {
                    dst[i] = HalfPrecision.float(fromFloat16Bits: base.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                }
            case .bf16:
                for i in 0..<count {
                    dst[i] = HalfPrecision.float(fromBFloat16Bits: base.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                }
            case .f64:
                for i in 0..<count { dst[i] = Float(base.loadUnaligned(fromByteOffset: 8 * i, as: Double.self)) }
            case .i64:
                for i in 0..<count { dst[i] = Float(base.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)) }
            case .i32:
                for i in 0..<count { dst[i] = Float(base.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)) }
            case .i16:
                for i in 0..<count { dst[i] = Float(base.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self)) }
            case .i8:
                for i in 0..<count { dst[i] = Float(base.load(fromByteOffset: i, as: Int8.self)) }
            case .u8:
                for i in 0..<count { dst[i] = Float(base.load(fromByteOffset: i, as: UInt8.self)) }
            case .bool:
                for i in 0..<count { dst[i] = base.load(fromByteOffset: i, as: UInt8.self) == 0 ? 0 : 1 }
            }
            initialized = count
        }
    }

    /// Integer dtypes (and BOOL) as Int64, exactly. nil for floating dtypes.
    static func int64s(_ raw: UnsafeRawBufferPointer, dtype: DType, count: Int) -> [Int64]? {
        precondition(raw.count >= count * dtype.size)
        if dtype.isFloatingPoint { return nil }
        guard count > 0, let base = raw.baseAddress else { return [] }
        return [Int64](unsafeUninitializedCapacity: count) { out, initialized in
            let dst = out.baseAddress!
            switch dtype {
            case .i64: UnsafeMutableRawPointer(dst).copyMemory(from: base, byteCount: count * 8)
            case .i32: for i in 0..<count { dst[i] = Int64(base.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)) }
            case .i16: for i in 0..<count { dst[i] = Int64(base.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self)) }
            case .i8: for i in 0..<count { dst[i] = Int64(base.load(fromByteOffset: i, as: Int8.self)) }
            case .u8: for i in 0..<count { dst[i] = Int64(base.load(fromByteOffset: i, as: UInt8.self)) }
            case .bool: for i in 0..<count { dst[i] = base.load(fromByteOffset: i, as: UInt8.self) == 0 ? 0 : 1 }
            case .f32, .f16, .bf16, .f64: break  // excluded above
            }
            initialized = count
        }
    }
}
