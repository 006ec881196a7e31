import XCTest
import TensorCore

/// F16 / BF16 conversions against known bit patterns and, where the platform
/// has it, Swift's own Float16 (hardware conversion) over many inputs.
final class HalfPrecisionTests: XCTestCase {
    func testFloat16KnownBitPatterns() {
        let cases: [(Float, UInt16)] = [
            (1.0, 0x3C00), (-2.5, 0xC100), (65504, 0x7BFF), (0, 0x0000), (-0.0, 0x8000),
            (0x1p-24, 0x0001),                     // smallest subnormal
            (0x1p-14 - 0x1p-24, 0x03FF),           // largest subnormal
            (0x1p-14, 0x0400),                     // smallest normal
            (0.1, 0x2E66), (1.0 / 3.0, 0x3555),
            (.infinity, 0x7C00), (-.infinity, 0xFC00),
            // Rounding: ties to even, overflow, underflow.
            (1 + 0x1p-11, 0x3C00),                 // tie, stays even
            (1 + 3 * 0x1p-11, 0x3C02),             // tie, rounds up to even
            (65519, 0x7BFF),                       // below the tie: largest half
            (65520, 0x7C00),                       // tie above 65504: infinity
            (1e10, 0x7C00), (-1e10, 0xFC00),
            (0x1p-25, 0x0000),                     // tie between 0 and 2^-24: even (0)
            (0x1p-25 * (1 + 0x1p-20), 0x0001),     // just above the tie
            (3 * 0x1p-25, 0x0002),                 // tie between 1 and 2 units: even (2)
            (1e-8, 0x0000), (-1e-8, 0x8000),
            (Float.leastNonzeroMagnitude, 0x0000),
            (0x1p-14 * 1.5, 0x0600),
        ]
        for (value, bits) in cases {
            XCTAssertEqual(HalfPrecision.float16Bits(from: value), bits, "F16 of \(value)")
        }
        XCTAssertEqual(HalfPrecision.float16Bits(from: .nan), 0x7E00)
        XCTAssertEqual(HalfPrecision.float16Bits(from: -Float.nan), 0xFE00)
        XCTAssertEqual(HalfPrecision.float16Bits(from: Float(bitPattern: 0x7F80_0001)) & 0x7C00, 0x7C00)  // signalling NaN stays NaN
        XCTAssertNotEqual(HalfPrecision.float16Bits(from: Float(bitPattern: 0x7F80_0001)) & 0x03FF, 0)
    }

    func testFloat16DecodeKnownValues() {
        XCTAssertEqual(HalfPrecision.float(fromFloat16Bits: 0x3C00), 1)
        XCTAssertEqual(HalfPrecision.float(fromFloat16Bits: 0xC100), -2.5)
        XCTAssertEqual(HalfPrecision.float(fromFloat16Bits: 0x7BFF), 65504)
        XCTAssertEqual(HalfPrecision.float(fromFloat16Bits: 0x0001), 0x1p-24)
        XCTAssertEqual(HalfPrecision.float(fromFloat16Bits: 0x03FF), 0x1p-14 - 0x1p-24)
        XCTAssertEqual(HalfPrecision.float(fromFloat16Bits: 0x8000).bitPattern, (-Float(0)).bitPattern)
        XCTAssertEqual(HalfPrecision.float(fromFloat16Bits: 0x7C00), .infinity)
        XCTAssertEqual(HalfPrecision.float(fromFloat16Bits: 0xFC00), -.infinity)
        XCTAssertTrue(HalfPrecision.float(fromFloat16Bits: 0x7E00).isNaN)
        XCTAssertEqual(HalfPrecision.float(fromFloat16Bits: 0xFE00).sign, .minus)
    }

    func testFloat16EveryBitPatternRoundTrips() {
        for bits in UInt16.min...UInt16.max {
            let value = HalfPrecision.float(fromFloat16Bits: bits)
            let back = HalfPrecision.float16Bits(from: value)
            if value.isNaN {
                XCTAssertTrue(HalfPrecision.float(fromFloat16Bits: back).isNaN)
                XCTAssertEqual(back & 0x8000, bits & 0x8000)
            } else if back != bits {
                XCTFail("0x\(String(bits, radix: 16)) -> \(value) -> 0x\(String(back, radix: 16))")
                return
            }
        }
    }

    #if !(os(macOS) && arch(x86_64))
    /// Swift's Float16 converts with the hardware (F16C) or compiler-rt, both
    /// IEEE round-to-nearest-even: our hand-written conversions must agree.
    func testFloat16AgreesWithSwiftFloat16() {
        for bits in UInt16.min...UInt16.max {
            let ours = HalfPrecision.float(fromFloat16Bits: bits)
            let swift = Float(Float16(bitPattern: bits))
            XCTAssertTrue(ours.bitPattern == swift.bitPattern || (ours.isNaN && swift.isNaN), "decode 0x\(String(bits, radix: 16))")
        }
        var rng = SafetensorsTestRNG(seed: 0x5EED_F16)
        var mismatches = 0
        for i in 0..<300_000 {
            // Half the samples in the F16 range (exponents near it), half any bit pattern.
            let raw = UInt32(truncatingIfNeeded: rng.next())
            let bits = i % 2 == 0 ? raw : (raw & 0x807F_FFFF) | (UInt32(97 + Int(rng.next() % 50)) << 23)
            let value = Float(bitPattern: bits)
            let ours = HalfPrecision.float16Bits(from: value)
            let swift = Float16(value).bitPattern
            if value.isNaN { continue }
            if ours != swift { mismatches += 1; if mismatches < 5 { XCTFail("encode \(value) (0x\(String(bits, radix: 16))): ours 0x\(String(ours, radix: 16)), Float16 0x\(String(swift, radix: 16))") } }
        }
        XCTAssertEqual(mismatches, 0)
    }
    #endif

    func testBFloat16KnownBitPatterns() {
        let cases: [(Float, UInt16)] = [
            (1.0, 0x3F80), (-2.5, 0xC020), (0, 0), (-0.0, 0x8000),
            (.pi, 0x4049), (0.1, 0x3DCD), (65504, 0x4780),
            (1 + 0x1p-8, 0x3F80),                  // tie, stays even
            (1 + 3 * 0x1p-8, 0x3F82),              // tie, rounds up to even
            (.greatestFiniteMagnitude, 0x7F80),    // rounds up to infinity
            (3.3895e38, 0x7F7F),                   // largest bfloat16
            (.infinity, 0x7F80), (-.infinity, 0xFF80),
            (Float.leastNonzeroMagnitude, 0x0000), // subnormal rounds to zero
            (0x1p-133, 0x0001),                    // bfloat16 subnormal, exact
        ]
        for (value, bits) in cases {
            XCTAssertEqual(HalfPrecision.bfloat16Bits(from: value), bits, "BF16 of \(value)")
        }
        XCTAssertEqual(HalfPrecision.bfloat16Bits(from: .nan), 0x7FC0)
        XCTAssertEqual(HalfPrecision.bfloat16Bits(from: -Float.nan), 0xFFC0)
        // A NaN whose payload lives only in the low bits must not become infinity.
        XCTAssertTrue(HalfPrecision.float(fromBFloat16Bits: HalfPrecision.bfloat16Bits(from: Float(bitPattern: 0x7F80_0001))).isNaN)
        XCTAssertEqual(HalfPrecision.float(fromBFloat16Bits: 0x4049), 3.140625)
        XCTAssertEqual(HalfPrecision.float(fromBFloat16Bits: 0xFF80), -.infinity)
    }

    func testBFloat16EveryBitPatternRoundTrips() {
        for bits in UInt16.min...UInt16.max {
            let value = HalfPrecision.float(fromBFloat16Bits: bits)
            let back = HalfPrecision.bfloat16Bits(from: value)
            if value.isNaN { XCTAssertTrue(HalfPrecision.float(fromBFloat16Bits: back).isNaN); continue }
            if back != bits { XCTFail("0x\(String(bits, radix: 16)) -> \(value) -> 0x\(String(back, radix: 16))"); return }
        }
    }

    /// Round to nearest even, checked against exact arithmetic in Double.
    func testBFloat16RoundsToNearestEven() {
        var rng = SafetensorsTestRNG(seed: 0xBF16)
        for _ in 0..<100_000 {
            let value = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))
            // Skip non-finite inputs and those whose upper neighbour would be infinity.
            guard value.isFinite, value.bitPattern & 0x7FFF_0000 != 0x7F7F_0000 else { continue }
            let bits = HalfPrecision.bfloat16Bits(from: value)
            let down = Float(bitPattern: value.bitPattern & 0xFFFF_0000)
            let up = Float(bitPattern: (value.bitPattern & 0xFFFF_0000) &+ 0x1_0000)
            let result = HalfPrecision.float(fromBFloat16Bits: bits)
            let dDown = abs(Double(value) - Double(down)), dUp = abs(Double(value) - Double(up))
            if dDown < dUp { XCTAssertEqual(result.bitPattern, down.bitPattern) }
            else if dUp < dDown { XCTAssertEqual(result.bitPattern, up.bitPattern, "\(value)") }
            else { XCTAssertEqual(bits & 1, 0, "tie must go to even: \(value)") }
        }
    }
}

/// A tiny deterministic generator for the safetensors tests (SplitMix64).
struct SafetensorsTestRNG: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E4B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
