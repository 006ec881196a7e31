import Foundation
import XCTest
@testable import TensorCore

/// Files written by the real Python `safetensors` package (and torch for
/// BF16), see tools/make_safetensors_fixtures.py: our reader must give back
/// exactly what Python wrote, and our writer must write exactly what Python writes.
final class SafetensorsFixtureTests: XCTestCase {
    func testReaderGivesExactlyThePythonValues() throws {
        let expected = SafetensorsFixtures.expected
        XCTAssertGreaterThanOrEqual(expected.files.count, 3)
        if expected.torch { XCTAssertNotNil(expected.files["bf16.safetensors"], "BF16 fixture missing though torch was used") }
        for (fileName, spec) in expected.files {
            let file = try SafetensorsFile(path: SafetensorsFixtures.path(fileName))
            XCTAssertEqual(file.metadata, spec.metadata, fileName)
            XCTAssertEqual(Set(file.names), Set(spec.tensors.keys), fileName)
            XCTAssertEqual(file.dataStart % 8, 0, "Python pads the header to 8 bytes")
            for (name, tensorSpec) in spec.tensors {
                let info = try file.info(name)
                XCTAssertEqual(info.dtype.rawValue, tensorSpec.dtype, "\(fileName) \(name)")
                XCTAssertEqual(info.shape, tensorSpec.shape, "\(fileName) \(name)")
                XCTAssertEqual(info.byteCount, info.elementCount * info.dtype.size)
                let floats = try file.floats(name)
                try assertBits(floats, tensorSpec.f32Bits, "\(fileName) \(name)")
                if let ints = tensorSpec.ints {
                    XCTAssertEqual(try file.int64s(name), ints, "\(fileName) \(name)")
                }
                if let raw = tensorSpec.rawU16 {
                    let bytes = try file.bytes(name)
                    let words = stride(from: 0, to: bytes.count, by: 2).map { UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8 }
                    XCTAssertEqual(words, raw, "\(fileName) \(name) raw bits")
                }
            }
        }
    }

    func testF16AndBF16FixturesHoldTheEdgeCases() throws {
        let half = try SafetensorsFile(path: SafetensorsFixtures.path("f16.safetensors")).floats("h")
        XCTAssertEqual(Array(half.prefix(6)), [1.0, -2.5, 65504, 0x1p-24, 0x1p-14 - 0x1p-24, 0x1p-14])
        XCTAssertEqual(half[6], 0.0999755859375)
        XCTAssertEqual(half[7].bitPattern, (-Float(0)).bitPattern)
        XCTAssertEqual(Array(half[8...9]), [.infinity, -.infinity])
        XCTAssertTrue(half[10].isNaN)
        // The committed fixtures include the BF16 file (made with torch); a regeneration without torch must not pass silently.
        guard SafetensorsFixtures.expected.torch else {
            return XCTFail("fixtures were regenerated without torch: the BF16 file is missing; rerun tools/make_safetensors_fixtures.py with torch")
        }
        let brain = try SafetensorsFile(path: SafetensorsFixtures.path("bf16.safetensors")).floats("b")
        XCTAssertEqual(Array(brain.prefix(2)), [1.0, -2.5])
        XCTAssertEqual(brain[6], .infinity)
        XCTAssertTrue(brain[8].isNaN)
        XCTAssertEqual(brain[9], 65536)  // 65504 rounds up in bfloat16
    }

    func testWriterMatchesThePythonPackageByteForByte() throws {
        let spec = SafetensorsFixtures.expected.writerReference
        let python = try SafetensorsFixtures.bytes(try XCTUnwrap(spec.file))
        let ours = try SafetensorsFixtures.write(spec).serialized()
        assertSameBytes(ours, python)
    }

    /// swift_written.safetensors is what our writer produced and what the
    /// fixture script checked with the Python package; the writer must still
    /// produce it. GLYPHPOSTER_REGENERATE_FIXTURES=1 rewrites it in the source tree.
    func testSwiftWrittenFileMatchesCommittedBytes() throws {
        let spec = SafetensorsFixtures.expected.swiftWritten
        let fileName = try XCTUnwrap(spec.file)
        let writer = try SafetensorsFixtures.write(spec)
        if ProcessInfo.processInfo.environment["GLYPHPOSTER_REGENERATE_FIXTURES"] == "1" {
            let target = SafetensorsFixtures.sourceDirectory.appendingPathComponent(fileName).path
            try writer.write(to: target)
            throw XCTSkip("rewrote \(target); now run tools/make_safetensors_fixtures.py to check it with Python")
        }
        assertSameBytes(writer.serialized(), try SafetensorsFixtures.bytes(fileName))

        // And it reads back with our reader as the spec says.
        let file = try SafetensorsFile(path: SafetensorsFixtures.path(fileName))
        XCTAssertEqual(file.metadata, spec.metadata)
        for (name, tensor) in spec.tensors {
            if let ints = tensor.ints { XCTAssertEqual(try file.int64s(name), ints, name); continue }
            let inputs = try XCTUnwrap(tensor.floats)
            let expected: [Float]
            switch tensor.dtype {
            case "F16": expected = inputs.map { HalfPrecision.float(fromFloat16Bits: HalfPrecision.float16Bits(from: $0)) }
            case "BF16": expected = inputs.map { HalfPrecision.float(fromBFloat16Bits: HalfPrecision.bfloat16Bits(from: $0)) }
            default: expected = inputs
            }
            try assertBits(try file.floats(name), expected.map(\.bitPattern), name)
        }
    }

    func testShardedFixtureReadsLikePython() throws {
        let spec = SafetensorsFixtures.expected.sharded
        let checkpoint = try ShardedCheckpoint(indexPath: SafetensorsFixtures.path(spec.index))
        XCTAssertEqual(checkpoint.names, spec.order, "weight_map order")
        XCTAssertEqual(checkpoint.metadata, spec.metadata)
        XCTAssertEqual(checkpoint.shardNames, ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"])
        for (name, tensor) in spec.tensors {
            XCTAssertEqual(try checkpoint.shardName(for: name), tensor.shard)
            XCTAssertEqual(try checkpoint.info(name).shape, tensor.shape)
            XCTAssertEqual(try checkpoint.info(name).dtype.rawValue, tensor.dtype)
            try assertBits(try checkpoint.floats(name), tensor.f32Bits, name)
        }
        XCTAssertEqual(String(checkpoint.byteCount), spec.metadata["total_size"])
    }

    // MARK: - Helpers

    private func assertBits(_ values: [Float], _ bits: [UInt32]?, _ what: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let bits = try XCTUnwrap(bits, what)
        XCTAssertEqual(values.count, bits.count, what, file: file, line: line)
        for (i, (value, expected)) in zip(values, bits).enumerated() {
            let want = Float(bitPattern: expected)
            if want.isNaN {
                XCTAssertTrue(value.isNaN, "\(what)[\(i)]: expected NaN, got \(value)", file: file, line: line)
            } else {
                XCTAssertEqual(value.bitPattern, expected, "\(what)[\(i)]: \(value) != \(want)", file: file, line: line)
            }
        }
    }

    private func assertSameBytes(_ ours: [UInt8], _ reference: [UInt8], file: StaticString = #filePath, line: UInt = #line) {
        guard ours != reference else { return }
        let first = zip(ours, reference).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(ours.count, reference.count)
        func header(_ b: [UInt8]) -> String {
            guard b.count >= 8 else { return "?" }
            let n = b.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
            return String(decoding: b.dropFirst(8).prefix(n), as: UTF8.self)
        }
        XCTFail("""
            bytes differ at offset \(first) (ours \(ours.count) bytes, reference \(reference.count))
            ours:      \(header(ours))
            reference: \(header(reference))
            """, file: file, line: line)
    }
}
