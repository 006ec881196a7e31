import Foundation
import XCTest
@testable import TensorCore

/// The committed fixtures of tools/make_safetensors_fixtures.py and the
/// expectations it stored beside them.
enum SafetensorsFixtures {
    static let directory: URL = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// Where the fixtures live in the source tree (for regenerating swift_written.safetensors).
    static let sourceDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static let expected: Expected = {
        let data = try! Data(contentsOf: directory.appendingPathComponent("expected.json"))
        return try! JSONDecoder().decode(Expected.self, from: data)
    }()

    struct Expected: Decodable {
        var torch: Bool
        var files: [String: FileSpec]
        var sharded: ShardedSpec
        var writerReference: FileSpec
        var swiftWritten: FileSpec

        enum CodingKeys: String, CodingKey {
            case torch, files, sharded
            case writerReference = "writer_reference"
            case swiftWritten = "swift_written"
        }
    }

    struct FileSpec: Decodable {
        var file: String?
        var metadata: [String: String]
        var tensors: [String: TensorSpec]
    }

    struct ShardedSpec: Decodable {
        var index: String
        var metadata: [String: String]
        var order: [String]
        var tensors: [String: TensorSpec]
    }

    struct TensorSpec: Decodable {
        var dtype: String
        var shape: [Int]
        var f32Bits: [UInt32]?
        var ints: [Int64]?
        var rawU16: [UInt16]?
        var shard: String?

        enum CodingKeys: String, CodingKey {
            case dtype, shape, ints, shard
            case f32Bits = "f32_bits"
            case rawU16 = "raw_u16"
        }

        var floats: [Float]? { f32Bits?.map(Float.init(bitPattern:)) }
    }

    /// Builds the file a spec describes with our writer (inputs as the spec gives them).
    static func write(_ spec: FileSpec) throws -> SafetensorsWriter {
        var writer = SafetensorsWriter(metadata: spec.metadata)
        for (name, tensor) in spec.tensors {
            let dtype = try XCTUnwrap(DType(rawValue: tensor.dtype))
            if let ints = tensor.ints {
                try writer.add(name, dtype: dtype, shape: tensor.shape, integers: ints)
            } else {
                try writer.add(name, dtype: dtype, shape: tensor.shape, values: try XCTUnwrap(tensor.floats))
            }
        }
        return writer
    }
}

/// Raw safetensors images for malformed-input tests.
enum RawSafetensors {
    /// 8-byte little-endian length + `header` (not padded) + `data`.
    static func make(header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> [UInt8] {
        let json = Array(header.utf8)
        let length = declaredLength ?? UInt64(json.count)
        var out: [UInt8] = (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) }
        out += json
        out += data
        return out
    }

    static func f32Bytes(_ values: [Float]) -> [UInt8] {
        values.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v.bitPattern >> (8 * UInt32($0))) } }
    }
}

extension XCTestCase {
    /// Asserts that parsing `bytes` throws a SafetensorsError of `kind` whose
    /// description contains each fragment (and names `tensor`, when given).
    func assertRejects(_ bytes: [UInt8], _ kind: SafetensorsError.Kind, tensor: String? = nil, _ fragments: [String] = [],
                       file: StaticString = #filePath, line: UInt = #line) {
        do {
            let parsed = try SafetensorsFile(bytes: bytes, name: "case.safetensors")
            XCTFail("accepted a malformed file with tensors \(parsed.names)", file: file, line: line)
        } catch {
            XCTAssertEqual(error.kind, kind, "\(error)", file: file, line: line)
            XCTAssertEqual(error.file, "case.safetensors", file: file, line: line)
            if let tensor { XCTAssertEqual(error.tensor, tensor, "\(error)", file: file, line: line) }
            for fragment in fragments {
                XCTAssertTrue(error.description.contains(fragment), "'\(error)' lacks '\(fragment)'", file: file, line: line)
            }
        }
    }

    /// A fresh temporary directory, removed when the test ends.
    func makeTemporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("safetensors-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }
}
