/// Vectorisable exp for softmax and attention, where libm's scalar exp would
/// cost more than the matrix products. Cephes-style: x = n·ln2 + r with n
/// rounded by the 1.5·2²³ trick, a degree-6 polynomial for e^r, and 2^n put
/// straight into the exponent bits. Written as a plain loop without traps
/// (wrapping integer ops, bit patterns), so LLVM vectorises it for the
/// target CPU. Relative error about 2e-7; inputs below -87.3 give 0.
enum FastMath {
    /// e^value, branch-free so loops that call it vectorise.
    @inline(__always)
    static func exp(_ value: Float) -> Float {
        let v = value < -87.3 ? -87.3 : (value > 88.3 ? 88.3 : value)
        let magic: Float = 12_582_912 // 1.5 * 2^23: adding it rounds to an integer in the low mantissa bits
        let rounded = v * 1.442_695_04 + magic
        let n = rounded - magic
        let integer = Int32(bitPattern: rounded.bitPattern) &- 0x4B40_0000
        var r = v - n * 0.693_359_375
        r = r + n * 2.121_944_4e-4
        var p: Float = 1.987_569_15e-4
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_6e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_1e-1
        p = p * (r * r) + r + 1
        let scale = Float(bitPattern: UInt32(bitPattern: (integer &+ 127) &<< 23))
        return value < -87.3 ? 0 : p * scale
    }

    /// e^x on eight lanes: `exp` written on SIMD8 with fused multiply-adds, for loops that also reduce
    /// (a scalar loop with a sum in it does not vectorise). `@_transparent` because `@inline(__always)`
    /// left it a call here, whose register shuffling cost as much as the polynomial.
    @_transparent
    static func exp(_ value: SIMD8<Float>) -> SIMD8<Float> {
        typealias V = SIMD8<Float>
        let low = V(repeating: -87.3), high = V(repeating: 88.3)
        let v = value.replacing(with: low, where: value .< low).replacing(with: high, where: value .> high)
        let magic = V(repeating: 12_582_912)
        let rounded = magic.addingProduct(v, V(repeating: 1.442_695_04))
        let n = rounded - magic
        let integer = unsafeBitCast(rounded, to: SIMD8<Int32>.self) &- 0x4B40_0000
        var r = v.addingProduct(n, V(repeating: -0.693_359_375))
        r = r.addingProduct(n, V(repeating: 2.121_944_4e-4))
        var p = V(repeating: 1.987_569_15e-4)
        p = V(repeating: 1.398_199_95e-3).addingProduct(p, r)
        p = V(repeating: 8.333_451_9e-3).addingProduct(p, r)
        p = V(repeating: 4.166_579_6e-2).addingProduct(p, r)
        p = V(repeating: 1.666_666_55e-1).addingProduct(p, r)
        p = V(repeating: 5.000_000_1e-1).addingProduct(p, r)
        p = (r + 1).addingProduct(p, r * r)
        let scale = unsafeBitCast((integer &+ 127) &<< 23, to: V.self)
        return (p * scale).replacing(with: 0, where: value .< -87.3)
    }

    /// erf(x), branch-free for vectorised loops: Abramowitz & Stegun 7.1.26
    /// (absolute error below 1.5e-7, about 3e-7 in float32) with the sign restored.
    @inline(__always)
    static func erf(_ x: Float) -> Float {
        let a = abs(x)
        let t = 1 / (1 + 0.327_591_1 * a)
        let poly = ((((1.061_405_429 * t - 1.453_152_027) * t + 1.421_413_741) * t - 0.284_496_736) * t + 0.254_829_592) * t
        let y = 1 - poly * exp(-a * a)
        return x < 0 ? -y : y
    }

    /// y[i] = exp(x[i] - shift); returns the sum. x and y may be the same buffer.
    @inline(__always)
    static func expShifted(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, shift: Float) -> Float {
        for j in 0..<n { y[j] = exp(x[j] - shift) }
        // The sum in its own pass: a float reduction inside the loop above would stop LLVM vectorising it.
        return sum(UnsafePointer(y), n)
    }

    /// Sum with eight independent accumulators.
    @inline(__always)
    static func sum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD8<Float>(repeating: 0)
        var j = 0
        while j + 8 <= n {
            acc += UnsafeRawPointer(x + j).loadUnaligned(as: SIMD8<Float>.self)
            j += 8
        }
        var total = acc.sum()
        while j < n { total += x[j]; j += 1 }
        return total
    }

    /// The largest of n values.
    @inline(__always)
    static func maximum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var m0 = -Float.infinity, m1 = -Float.infinity, m2 = -Float.infinity, m3 = -Float.infinity
        var j = 0
        while j + 4 <= n {
            m0 = x[j] > m0 ? x[j] : m0
            m1 = x[j + 1] > m1 ? x[j + 1] : m1
            m2 = x[j + 2] > m2 ? x[j + 2] : m2
            m3 = x[j + 3] > m3 ? x[j + 3] : m3
            j += 4
        }
        while j < n { m0 = x[j] > m0 ? x[j] : m0; j += 1 }
        return Swift.max(Swift.max(m0, m1), Swift.max(m2, m3))
    }

    /// 2^x on every lane for x <= 0 (softmax after its maximum is subtracted): x = n + f with n = round(x),
    /// f in [-1/2, 1/2] exact, a degree-5 minimax polynomial for 2^f (rel. error ~2e-7) and 2^n in the exponent bits.
    /// Inputs at or below -126.5 (masked −∞ scores included) give exactly 0: clamped to -127, whose
    /// exponent field is 0 and whose fraction is 1, so the product is +0 with no extra select.
    @_transparent
    static func exp2NonPositive(_ value: SIMD8<Float>) -> SIMD8<Float> {
        typealias V = SIMD8<Float>
        let x = value.replacing(with: V(repeating: -127), where: value .< V(repeating: -127))
        let rounded = x + V(repeating: exp2Magic)
        let p = exp2Fraction(x - (rounded - V(repeating: exp2Magic)))
        return p * unsafeBitCast((unsafeBitCast(rounded, to: SIMD8<Int32>.self) &- 0x4B40_0000 &+ 127) &<< 23, to: V.self)
    }

    /// `exp2NonPositive` on sixteen lanes (one AVX-512 register). Comparisons and integer shifts are written
    /// per concrete type: on a generic SIMD type they compile to a loop over the lanes.
    @_transparent
    static func exp2NonPositive(_ value: SIMD16<Float>) -> SIMD16<Float> {
        typealias V = SIMD16<Float>
        let x = value.replacing(with: V(repeating: -127), where: value .< V(repeating: -127))
        let rounded = x + V(repeating: exp2Magic)
        let p = exp2Fraction(x - (rounded - V(repeating: exp2Magic)))
        return p * unsafeBitCast((unsafeBitCast(rounded, to: SIMD16<Int32>.self) &- 0x4B40_0000 &+ 127) &<< 23, to: V.self)
    }

    /// 1.5·2^23: x + this, in float, is x rounded to an integer n, held in the low fraction bits.
    static let exp2Magic: Float = 12_582_912

    /// 2^f for f in [-1/2, 1/2]: the degree-5 minimax polynomial (float arithmetic only, so generic).
    @_transparent
    static func exp2Fraction<V: SIMD>(_ f: V) -> V where V.Scalar == Float {
        var p = V(repeating: 1.327_531_88e-3)
        p = V(repeating: 9.675_144_22e-3).addingProduct(p, f)
        p = V(repeating: 5.550_713_46e-2).addingProduct(p, f)
        p = V(repeating: 2.402_212_77e-1).addingProduct(p, f)
        p = V(repeating: 6.931_469_44e-1).addingProduct(p, f)
        return V(repeating: 1.000_000_12).addingProduct(p, f)
    }
}
