/// Bit-exact conversions between Float32 and the two 16-bit float formats
/// checkpoints store (IEEE binary16 "F16" and bfloat16 "BF16").
///
/// Written by hand rather than through Swift's `Float16` because `Float16` is
/// missing on macOS x86_64, and because the rounding and NaN rules must be
/// pinned down exactly: files we write are compared byte for byte with files
/// the Python `safetensors` package writes (numpy for F16, torch for BF16).
/// Both directions round to nearest, ties to even.
public enum HalfPrecision {
    /// binary16 bits -> Float32. Exact: every binary16 value is a Float32.
    /// NaN payloads are kept (shifted into the top of the Float32 mantissa).
    @inlinable
    public static func float(fromFloat16Bits h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = UInt32(h >> 10) & 0x1F
        let mantissa = UInt32(h & 0x3FF)
        if exponent == 0 {
            // Zero or subnormal: mantissa * 2^-24, exact in Float32.
            let magnitude = Float(mantissa) * 0x1p-24
            return Float(bitPattern: magnitude.bitPattern | sign)
        }
        if exponent == 0x1F {
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        }
        return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
    }

    /// Float32 -> binary16 bits, round to nearest even. Values beyond the
    /// largest half (65504, plus half an ulp) become infinity; values below
    /// half the smallest subnormal (2^-25) become a signed zero. NaN stays NaN
    /// with its sign and the top 10 payload bits, quiet bit set (what F16C
    /// hardware, numpy and Swift's `Float16` produce for ordinary NaNs).
    @inlinable
    public static func float16Bits(from value: Float) -> UInt16 {
        let x = value.bitPattern
        let sign = UInt16(truncatingIfNeeded: (x >> 16) & 0x8000)
        let exponent = Int((x >> 23) & 0xFF)
        let mantissa = x & 0x7F_FFFF
        if exponent == 0xFF {
            if mantissa == 0 { return sign | 0x7C00 }
            return sign | 0x7E00 | UInt16(truncatingIfNeeded: mantissa >> 13)
        }
        let halfExponent = exponent - 112  // rebias 127 -> 15
        if halfExponent >= 0x1F { return sign | 0x7C00 }
        if halfExponent <= 0 {
            // Result is subnormal (or rounds up to the smallest normal).
            // Float32 subnormals (exponent 0) are far below 2^-25: zero.
            if halfExponent < -10 { return sign }
            let full = mantissa | 0x80_0000
            let shift = UInt32(14 - halfExponent)  // 14...24
            var result = full >> shift
            let remainder = full & ((1 << shift) - 1)
            let halfway = UInt32(1) << (shift - 1)
            if remainder > halfway || (remainder == halfway && result & 1 == 1) { result += 1 }
            return sign | UInt16(truncatingIfNeeded: result)
        }
        var result = UInt32(halfExponent) << 10 | (mantissa >> 13)
        let remainder = mantissa & 0x1FFF
        // Carrying out of the mantissa bumps the exponent, up to infinity: correct.
        if remainder > 0x1000 || (remainder == 0x1000 && result & 1 == 1) { result += 1 }
        return sign | UInt16(truncatingIfNeeded: result)
    }

    /// bfloat16 bits -> Float32: bfloat16 is the top half of a Float32. Exact.
    @inlinable
    public static func float(fromBFloat16Bits b: UInt16) -> Float {
        Float(bitPattern: UInt32(b) << 16)
    }

    /// Float32 -> bfloat16 bits, round to nearest even (torch's rule, so our
    /// bytes match torch's for every non-NaN value). Overflow rounds to
    /// infinity. NaN keeps its sign and top payload bits with the quiet bit
    /// set (torch writes 0x7FC0 or 0xFFFF depending on the code path, so NaN
    /// bits are not something to match; they stay NaN either way).
    @inlinable
    public static func bfloat16Bits(from value: Float) -> UInt16 {
        let x = value.bitPattern
        if value.isNaN { return UInt16(truncatingIfNeeded: x >> 16) | 0x0040 }
        let bias = ((x >> 16) & 1) &+ 0x7FFF
        return UInt16(truncatingIfNeeded: (x &+ bias) >> 16)
    }
}
