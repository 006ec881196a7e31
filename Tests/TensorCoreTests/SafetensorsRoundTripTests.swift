import Foundation
import XCTest
@testable import TensorCore

/// SafetensorsWriter -> file -> SafetensorsFile, for every dtype, plus the
/// writer's layout rules and its own input checks.
final class SafetensorsRoundTripTests: XCTestCase {
    func testFloatDTypesRoundTrip() throws {
        let values: [Float] = [1.0, -2.5, 65504, 0x1p-24, 0x1p-14, 0.1, -0.0, .infinity, -.infinity, .nan, 3.0e38, 1e-40]
        var writer = SafetensorsWriter()
        try writer.add("f32", dtype: .f32, shape: [3, 4], values: values)
        try writer.add("f16", dtype: .f16, shape: [12], values: values)
        try writer.add("bf16", dtype: .bf16, shape: [2, 6], values: values)
        try writer.add("f64", dtype: .f64, shape: [12], values: values)
        let file = try SafetensorsFile(bytes: writer.serialized())

        XCTAssertEqual(try file.info("f32").shape, [3, 4])
        XCTAssertEqual(try file.info("bf16").shape, [2, 6])
        assertSameBits(try file.floats("f32"), values)
        assertSameBits(try file.floats("f64"), values)
        assertSameBits(try file.floats("f16"), values.map { HalfPrecision.float(fromFloat16Bits: HalfPrecision.float16Bits(from: $0)) })
        assertSameBits(try file.floats("bf16"), values.map { HalfPrecision.float(fromBFloat16Bits: HalfPrecision.bfloat16Bits(from: $0)) })

        // The stored half bits are the known patterns.
        let f16 = try file.bytes("f16")
        let words = stride(from: 0, to: f16.count, by: 2).map { UInt16(f16[$0]) | UInt16(f16[$0 + 1]) << 8 }
        XCTAssertEqual(words, [0x3C00, 0xC100, 0x7BFF, 0x0001, 0x0400, 0x2E66, 0x8000, 0x7C00, 0xFC00, 0x7E00, 0x7C00, 0x0000])
        let bf16 = try file.bytes("bf16")
        let brain = stride(from: 0, to: bf16.count, by: 2).map { UInt16(bf16[$0]) | UInt16(bf16[$0 + 1]) << 8 }
        XCTAssertEqual(brain, [0x3F80, 0xC020, 0x4780, 0x3380, 0x3880, 0x3DCD, 0x8000, 0x7F80, 0xFF80, 0x7FC0, 0x7F62, 0x0001])
        XCTAssertEqual(try file.floats("f16")[2], 65504)
        XCTAssertEqual(try file.floats("bf16")[2], 65536)
    }

    func testIntegerDTypesRoundTrip() throws {
        var writer = SafetensorsWriter()
        try writer.add("i64", dtype: .i64, shape: [4], integers: [0, -1, .max, .min])
        try writer.add("i32", dtype: .i32, shape: [2, 2], integers: [Int64(Int32.max), Int64(Int32.min), 7, -7])
        try writer.add("i16", dtype: .i16, shape: [2], integers: [-32768, 32767])
        try writer.add("i8", dtype: .i8, shape: [2], integers: [-128, 127])
        try writer.add("u8", dtype: .u8, shape: [3], integers: [0, 128, 255])
        try writer.add("mask", dtype: .bool, shape: [3], integers: [1, 0, 1])
        let file = try SafetensorsFile(bytes: writer.serialized())
        XCTAssertEqual(try file.int64s("i64"), [0, -1, .max, .min])
        XCTAssertEqual(try file.int64s("i32"), [Int64(Int32.max), Int64(Int32.min), 7, -7])
        XCTAssertEqual(try file.int64s("i16"), [-32768, 32767])
        XCTAssertEqual(try file.int64s("i8"), [-128, 127])
        XCTAssertEqual(try file.int64s("u8"), [0, 128, 255])
        XCTAssertEqual(try file.int64s("mask"), [1, 0, 1])
        XCTAssertEqual(try file.floats("i32"), [2147483648, -2147483648, 7, -7])
        XCTAssertEqual(try file.floats("u8"), [0, 128, 255])
        XCTAssertEqual(try file.floats("mask"), [1, 0, 1])
        XCTAssertEqual(try file.info("mask").dtype, .bool)
    }

    func testRawBytesAndUnalignedData() throws {
        // A hand-made file whose header is not padded: data starts at an odd offset.
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"I64","shape":[1],"data_offsets":[8,16]}}"#
        var data = RawSafetensors.f32Bytes([1.5, -3])
        data += (0..<8).map { UInt8(truncatingIfNeeded: Int64(-5) >> (8 * Int64($0))) }
        let bytes = RawSafetensors.make(header: header + " ", data: data)
        let file = try SafetensorsFile(bytes: bytes)
        XCTAssertEqual(file.dataStart % 2, 1, "test wants an unaligned data area")
        XCTAssertEqual(try file.floats("a"), [1.5, -3])
        XCTAssertEqual(try file.int64s("b"), [-5])
        XCTAssertEqual(try file.bytes("a"), Array(data.prefix(8)))
        XCTAssertEqual(try file.withUnsafeBytes(of: "b") { Array($0) }, Array(data.suffix(8)))
        XCTAssertEqual(file.fileSize, bytes.count)
    }

    func testMetadataKeptAndWrittenSorted() throws {
        let metadata = ["format": "pt", "zeta": "z", "alpha": "a \"quoted\" \\ é\n", "": "empty key"]
        var writer = SafetensorsWriter(metadata: metadata)
        try writer.add("w", shape: [1], values: [1])
        let bytes = writer.serialized()
        let file = try SafetensorsFile(bytes: bytes)
        XCTAssertEqual(file.metadata, metadata)
        let header = String(decoding: bytes[8..<file.dataStart], as: UTF8.self)
        XCTAssertTrue(header.hasPrefix(#"{"__metadata__":{"":"empty key","alpha":"a \"quoted\" \\ é\n","format":"pt","zeta":"z"},"w":"#), header)

        var bare = SafetensorsWriter()
        try bare.add("w", shape: [1], values: [1])
        let plain = bare.serialized()
        XCTAssertFalse(String(decoding: plain, as: UTF8.self).contains("__metadata__"), "no metadata, no __metadata__ entry")
        XCTAssertEqual(try SafetensorsFile(bytes: plain).metadata, [:])
    }

    func testLayoutFollowsTheReferenceSerializer() throws {
        var writer = SafetensorsWriter()
        try writer.add("z_u8", dtype: .u8, shape: [3], integers: [1, 2, 3])
        try writer.add("b_f32", shape: [1], values: [1])
        try writer.add("a_f16", dtype: .f16, shape: [1], values: [1])
        try writer.add("a_i64", dtype: .i64, shape: [1], integers: [1])
        try writer.add("B_f32", shape: [1], values: [1])
        try writer.add("é", shape: [1], values: [1])
        try writer.add("a_bf16", dtype: .bf16, shape: [1], values: [1])
        try writer.add("a_bool", dtype: .bool, shape: [1], integers: [1])
        try writer.add("a_i32", dtype: .i32, shape: [1], integers: [1])
        try writer.add("a_f64", dtype: .f64, shape: [1], values: [1])
        try writer.add("a_i8", dtype: .i8, shape: [1], integers: [1])
        try writer.add("a_i16", dtype: .i16, shape: [1], integers: [1])
        let expectedOrder = ["a_i64", "a_f64", "B_f32", "b_f32", "é", "a_i32", "a_bf16", "a_f16", "a_i16", "a_i8", "z_u8", "a_bool"]
        XCTAssertEqual(writer.tensorNames, expectedOrder)
        let bytes = writer.serialized()
        let file = try SafetensorsFile(bytes: bytes)
        XCTAssertEqual(file.names, expectedOrder, "file order is data order")
        XCTAssertEqual(file.headerLength % 8, 0)
        XCTAssertEqual(bytes[file.dataStart - 1], 0x20, "padding is spaces")  // this header needs padding
        for info in file.tensors {
            XCTAssertEqual((file.dataStart + info.dataOffsets.lowerBound) % info.dtype.size, 0, "\(info.name) aligned")
        }
    }

    func testScalarsAndEmptyTensors() throws {
        var writer = SafetensorsWriter()
        try writer.add("scalar", shape: [], values: [42])
        try writer.add("empty", shape: [0, 3], values: [])
        try writer.add("empty_ids", dtype: .i64, shape: [0], integers: [])
        let file = try SafetensorsFile(bytes: writer.serialized())
        XCTAssertEqual(try file.info("scalar").shape, [])
        XCTAssertEqual(try file.info("scalar").elementCount, 1)
        XCTAssertEqual(try file.floats("scalar"), [42])
        XCTAssertEqual(try file.floats("empty"), [])
        XCTAssertEqual(try file.info("empty").elementCount, 0)
        XCTAssertEqual(try file.int64s("empty_ids"), [])
        XCTAssertEqual(file.parameterCount, 1)
        XCTAssertEqual(file.byteCount, 4)

        let nothing = try SafetensorsFile(bytes: SafetensorsWriter().serialized())
        XCTAssertEqual(nothing.tensors, [])
        XCTAssertEqual(SafetensorsWriter().serialized(), [8, 0, 0, 0, 0, 0, 0, 0] + Array("{}      ".utf8), "as the reference writes an empty file")
    }

    func testAtomicWriteToDisk() throws {
        let directory = try makeTemporaryDirectory()
        let path = directory.appendingPathComponent("model.safetensors").path
        var writer = SafetensorsWriter(metadata: ["format": "pt"])
        try writer.add("w", shape: [2], values: [1, 2])
        try writer.write(to: path)
        XCTAssertEqual([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), writer.serialized())
        XCTAssertEqual(try SafetensorsFile(path: path).floats("w"), [1, 2])

        // Overwriting replaces the file; a reader holding the old mapping keeps its data.
        let old = try SafetensorsFile(path: path)
        var second = SafetensorsWriter()
        try second.add("v", dtype: .f16, shape: [3], values: [3, 4, 5])
        try second.write(to: path)
        XCTAssertEqual(try SafetensorsFile(path: path).floats("v"), [3, 4, 5])
        XCTAssertEqual(try old.floats("w"), [1, 2])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["model.safetensors"], "no temporary files left")

        // A relative path in the working directory.
        let previous = FileManager.default.currentDirectoryPath
        FileManager.default.changeCurrentDirectoryPath(directory.path)
        defer { FileManager.default.changeCurrentDirectoryPath(previous) }
        try second.write(to: "relative.safetensors")
        XCTAssertEqual(try SafetensorsFile(path: "relative.safetensors").floats("v"), [3, 4, 5])

        // Errors name the file.
        let missing = directory.appendingPathComponent("no/such/dir/x.safetensors").path
        XCTAssertThrowsError(try second.write(to: missing)) { error in
            let error = error as! SafetensorsError
            XCTAssertEqual(error.kind, .io)
            XCTAssertEqual(error.file, missing)
        }
    }

    func testWriterRejectsBadInput() throws {
        var writer = SafetensorsWriter()
        try writer.add("w", shape: [2], values: [1, 2])
        assertWriterError(try writer.add("w", shape: [1], values: [1]), "already added")
        assertWriterError(try writer.add("__metadata__", shape: [1], values: [1]), "reserved")
        assertWriterError(try writer.add("x", shape: [2, 2], values: [1, 2, 3]), "3 values given but shape [2, 2] holds 4")
        assertWriterError(try writer.add("x", shape: [-1], values: []), "negative")
        assertWriterError(try writer.add("x", shape: [Int.max, 2], values: []), "overflows")
        assertWriterError(try writer.add("x", dtype: .i64, shape: [1], values: [1]), "not a float type")
        assertWriterError(try writer.add("x", dtype: .f32, shape: [1], integers: [1]), "not an integer type")
        assertWriterError(try writer.add("x", dtype: .i32, shape: [1], integers: [Int64(Int32.max) + 1]), "out of range for I32")
        assertWriterError(try writer.add("x", dtype: .u8, shape: [2], integers: [0, -1]), "value -1 at index 1 is out of range for U8")
        assertWriterError(try writer.add("x", dtype: .bool, shape: [1], integers: [2]), "out of range for BOOL")
        assertWriterError(try writer.add("x", dtype: .f16, shape: [2], rawBytes: [0, 0, 0]), "3 bytes given")
        try writer.add("raw", dtype: .f16, shape: [2], rawBytes: [0x00, 0x3C, 0x00, 0xC0])
        XCTAssertEqual(try SafetensorsFile(bytes: writer.serialized()).floats("raw"), [1, -2])
        XCTAssertEqual(writer.tensorNames, ["w", "raw"])
    }

    func testStatistics() {
        let stats = TensorStatistics([1, 2, 3, 4, .nan, .infinity])
        XCTAssertEqual(stats.count, 6)
        XCTAssertEqual(stats.nanCount, 1)
        XCTAssertEqual(stats.infinityCount, 1)
        XCTAssertEqual(stats.mean, 2.5)
        XCTAssertEqual(stats.std!, 1.118033988749895, accuracy: 1e-12)
        XCTAssertEqual(stats.min, 1)
        XCTAssertEqual(stats.max, 4)
        let empty = TensorStatistics([Float]())
        XCTAssertNil(empty.mean)
        XCTAssertEqual(empty.count, 0)
        let ids = TensorStatistics([Int64.max, 0])
        XCTAssertEqual(ids.max, Double(Int64.max))
        XCTAssertEqual(TensorStatistics([Float](repeating: 0.1, count: 1000)).std!, 0, accuracy: 1e-12)
    }

    // MARK: - Helpers

    private func assertSameBits(_ a: [Float], _ b: [Float], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, file: file, line: line)
        for (x, y) in zip(a, b) {
            XCTAssertTrue(x.bitPattern == y.bitPattern || (x.isNaN && y.isNaN), "\(x) != \(y)", file: file, line: line)
        }
    }

    private func assertWriterError(_ expression: @autoclosure () throws -> Void, _ fragment: String,
                                   file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try expression(), file: file, line: line) { error in
            guard let error = error as? SafetensorsError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertEqual(error.kind, .invalidTensor, file: file, line: line)
            XCTAssertTrue(error.description.contains(fragment), "'\(error)' lacks '\(fragment)'", file: file, line: line)
        }
    }
}
