import Foundation
import XCTest
@testable import TensorCore

/// Seeded random mutations of valid files (bytes anywhere, the header JSON,
/// the length field): the reader must either succeed, with every tensor
/// readable and inside the file, or throw a SafetensorsError. Never crash.
final class SafetensorsFuzzTests: XCTestCase {
    func testMutatedFilesNeverCrashTheReader() throws {
        var corpus: [[UInt8]] = [
            try SafetensorsFixtures.bytes("writer_reference.safetensors"),
            try SafetensorsFixtures.bytes("f16.safetensors"),
            try SafetensorsFixtures.bytes("ints.safetensors"),
        ]
        var small = SafetensorsWriter(metadata: ["k": "v"])
        try small.add("a", dtype: .bf16, shape: [2], values: [1, 2])
        try small.add("b", dtype: .i64, shape: [1], integers: [3])
        try small.add("s", shape: [], values: [4])
        corpus.append(small.serialized())

        var rng = SafetensorsTestRNG(seed: 20_240_601)
        let tokens = ["{", "}", "[", "]", "\"", ",", ":", "-1", "0", "1e9", "1.5", "99999999999999999999", "null",
                      "\"F16\"", "\"BOOL\"", "\"X\"", "\"shape\"", "\"data_offsets\"", "\\u0000", "\\", "\u{00e9}", "\u{FF}"]
        var accepted = 0, rejected = 0
        let start = Date()
        for iteration in 0..<10_000 {
            var bytes = corpus[iteration % corpus.count]
            let headerEnd = min(bytes.count, 8 + Int(bytes.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }))
            let mutations = 1 + Int(rng.next() % 3)
            for _ in 0..<mutations {
                mutate(&bytes, headerEnd: headerEnd, tokens: tokens, rng: &rng)
            }
            do {
                let file = try SafetensorsFile(bytes: bytes, name: "fuzz")
                accepted += 1
                // Whatever was accepted must be fully and safely readable.
                var covered = 0
                for info in file.tensors {
                    XCTAssertLessThanOrEqual(file.dataStart + info.dataOffsets.upperBound, bytes.count)
                    XCTAssertEqual(info.byteCount, info.elementCount * info.dtype.size)
                    XCTAssertEqual(try file.floats(info.name).count, info.elementCount)
                    XCTAssertEqual(try file.bytes(info.name).count, info.byteCount)
                    if !info.dtype.isFloatingPoint { XCTAssertEqual(try file.int64s(info.name).count, info.elementCount) }
                    covered += info.byteCount
                }
                XCTAssertEqual(file.dataStart + covered, bytes.count, "data area exactly covered")
            } catch {
                rejected += 1
                XCTAssertFalse(error.description.isEmpty)
            }
        }
        XCTAssertGreaterThan(accepted, 100, "mutations too destructive to exercise the success path")
        XCTAssertGreaterThan(rejected, 3000)
        XCTAssertLessThan(Date().timeIntervalSince(start), 20, "fuzzing should take a few seconds")
    }

    private func mutate(_ bytes: inout [UInt8], headerEnd: Int, tokens: [String], rng: inout SafetensorsTestRNG) {
        func position(in range: Range<Int>) -> Int {
            range.isEmpty ? range.lowerBound : range.lowerBound + Int(rng.next() % UInt64(range.count))
        }
        let header = 8..<max(8, min(headerEnd, bytes.count))
        switch rng.next() % 10 {
        case 0:  // flip a bit anywhere
            guard !bytes.isEmpty else { return }
            bytes[position(in: 0..<bytes.count)] ^= 1 << UInt8(rng.next() % 8)
        case 1:  // random byte in the header
            guard !header.isEmpty else { return }
            bytes[position(in: header)] = UInt8(truncatingIfNeeded: rng.next())
        case 2:  // swap one digit in the header for another (offsets and shapes)
            let digits = header.filter { bytes[$0] >= 0x30 && bytes[$0] <= 0x39 }
            guard !digits.isEmpty else { return }
            bytes[digits[position(in: 0..<digits.count)]] = 0x30 + UInt8(rng.next() % 10)
        case 3:  // insert a JSON token in the header, keeping the length field right
            guard bytes.count >= 8 else { return }
            let token = Array(tokens[Int(rng.next() % UInt64(tokens.count))].utf8)
            bytes.insert(contentsOf: token, at: position(in: header))
            setLength(&bytes, headerEnd - 8 + token.count)
        case 4:  // delete a span of the header, keeping the length field right
            guard header.count > 1 else { return }
            let at = position(in: header)
            let count = min(1 + Int(rng.next() % 6), header.upperBound - at)
            bytes.removeSubrange(at..<(at + count))
            setLength(&bytes, headerEnd - 8 - count)
        case 5:  // truncate
            bytes.removeLast(Int(rng.next() % UInt64(bytes.count + 1)))
        case 6:  // append junk
            bytes += (0..<(1 + rng.next() % 8)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        case 7:  // change the length field
            let choices: [UInt64] = [0, 1, 7, UInt64(headerEnd - 8) &- 1, UInt64(headerEnd - 8) + 1, 100_000_000, 100_000_001, .max, rng.next()]
            setLength(&bytes, choices[Int(rng.next() % UInt64(choices.count))])
        case 8:  // delete or duplicate data bytes
            guard bytes.count > headerEnd else { return }
            let at = position(in: headerEnd..<bytes.count)
            if rng.next() % 2 == 0 { bytes.remove(at: at) } else { bytes.insert(bytes[at], at: at) }
        default:  // insert a random byte anywhere
            bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: position(in: 0..<(bytes.count + 1)))
        }
    }

    private func setLength(_ bytes: inout [UInt8], _ length: Int) {
        setLength(&bytes, UInt64(max(0, length)))
    }

    private func setLength(_ bytes: inout [UInt8], _ length: UInt64) {
        guard bytes.count >= 8 else { return }
        for k in 0..<8 { bytes[k] = UInt8(truncatingIfNeeded: length >> (8 * UInt64(k))) }
    }
}
