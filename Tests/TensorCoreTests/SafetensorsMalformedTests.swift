import Foundation
import XCTest
@testable import TensorCore

/// Every malformed input the reader must refuse, each with an error that
/// names the file, the tensor where there is one, and the problem.
final class SafetensorsMalformedTests: XCTestCase {
    private let one = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#
    private let four: [UInt8] = [0, 0, 0x80, 0x3F]

    func testValidBaselineIsAccepted() throws {
        XCTAssertEqual(try SafetensorsFile(bytes: RawSafetensors.make(header: one, data: four)).floats("a"), [1])
    }

    func testFileShorterThanEightBytes() {
        assertRejects([], .fileTooShort, ["0 bytes", "too short"])
        assertRejects([1, 0, 0, 0, 0, 0, 0], .fileTooShort, ["7 bytes"])
    }

    func testAbsurdHeaderLength() {
        assertRejects(RawSafetensors.make(header: one, data: four, declaredLength: 100_000_001), .headerTooLarge, ["100000001", "absurd"])
        assertRejects(RawSafetensors.make(header: one, data: four, declaredLength: .max), .headerTooLarge, ["18446744073709551615"])
        assertRejects(RawSafetensors.make(header: one, data: four, declaredLength: 1 << 63), .headerTooLarge)
    }

    func testHeaderLengthPastEndOfFile() {
        let bytes = RawSafetensors.make(header: one, data: four, declaredLength: 1000)
        assertRejects(bytes, .headerOutOfBounds, ["header length 1000 runs past the end", "\(bytes.count) bytes"])
        assertRejects([8, 0, 0, 0, 0, 0, 0, 0], .headerOutOfBounds, ["header length 8"])
    }

    func testInvalidJSON() {
        assertRejects(RawSafetensors.make(header: #"{"a":"#), .invalidJSON, ["not valid JSON", "unexpected end"])
        assertRejects(RawSafetensors.make(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},}"#, data: four),
                      .invalidJSON, ["expected a string key"])
        assertRejects(RawSafetensors.make(header: one + "\0\0", data: four), .invalidJSON, ["after the JSON value"])
        assertRejects(RawSafetensors.make(header: #"{'a':1}"#), .invalidJSON)
        assertRejects(RawSafetensors.make(header: "[]"), .invalidJSON, ["must be a JSON object", "an array"])
        assertRejects(RawSafetensors.make(header: "\"text\""), .invalidJSON, ["must be a JSON object"])
        assertRejects(RawSafetensors.make(header: ""), .invalidJSON, ["expected a value"])
        // Invalid UTF-8 inside a name, and a raw control character.
        var bytes = RawSafetensors.make(header: #"{"aX":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: four)
        bytes[10] = 0xC0
        assertRejects(bytes, .invalidJSON, ["invalid UTF-8"])
        assertRejects(RawSafetensors.make(header: "{\"a\u{01}\":1}"), .invalidJSON, ["control character"])
        assertRejects(RawSafetensors.make(header: #"{"\ud800":1}"#), .invalidJSON, ["surrogate"])
        // Nesting deep enough to overflow a naive recursive parser.
        let deep = #"{"__metadata__":"# + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        assertRejects(RawSafetensors.make(header: deep), .invalidJSON, ["nesting deeper than"])
    }

    func testNonObjectEntries() {
        assertRejects(RawSafetensors.make(header: #"{"a":5}"#), .invalidEntry, tensor: "a", ["must be an object", "the number 5"])
        assertRejects(RawSafetensors.make(header: #"{"a":{"shape":[1],"data_offsets":[0,4]}}"#, data: four), .invalidEntry, tensor: "a", ["no 'dtype'"])
        assertRejects(RawSafetensors.make(header: #"{"a":{"dtype":"F32","data_offsets":[0,4]}}"#, data: four), .invalidEntry, tensor: "a", ["no 'shape'"])
        assertRejects(RawSafetensors.make(header: #"{"a":{"dtype":"F32","shape":[1]}}"#, data: four), .invalidEntry, tensor: "a", ["no 'data_offsets'"])
        assertRejects(RawSafetensors.make(header: #"{"a":{"dtype":7,"shape":[1],"data_offsets":[0,4]}}"#, data: four), .invalidEntry, tensor: "a", ["'dtype' must be a string"])
        assertRejects(RawSafetensors.make(header: #"{"__metadata__":{"k":1}}"#), .invalidEntry, ["__metadata__ value for 'k' must be a string"])
        assertRejects(RawSafetensors.make(header: #"{"__metadata__":[]}"#), .invalidEntry, ["__metadata__ must be an object"])
        assertRejects(RawSafetensors.make(header: #"{"__metadata__":{},"__metadata__":{}}"#), .invalidEntry, ["appears twice"])
    }

    func testAcceptedVariants() throws {
        // What the reference accepts, so do we: null metadata, unknown extra
        // fields, whitespace around the object, zero-size tensors sharing an offset.
        let header = #" {"__metadata__":null,"z":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"#
            + #""a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"extra":{"x":[1]}},"e":{"dtype":"I8","shape":[2,0],"data_offsets":[4,4]}}  "#
        let file = try SafetensorsFile(bytes: RawSafetensors.make(header: header, data: four))
        XCTAssertEqual(file.names, ["z", "a", "e"])
        XCTAssertEqual(file.metadata, [:])
        XCTAssertEqual(try file.floats("a"), [1])
        XCTAssertEqual(try SafetensorsFile(bytes: RawSafetensors.make(header: "{}")).tensors, [])
    }

    func testUnknownDType() {
        assertRejects(RawSafetensors.make(header: #"{"w":{"dtype":"U16","shape":[2],"data_offsets":[0,4]}}"#, data: four),
                      .unknownDType, tensor: "w", ["unknown dtype 'U16'"])
        assertRejects(RawSafetensors.make(header: #"{"w":{"dtype":"F8_E4M3","shape":[4],"data_offsets":[0,4]}}"#, data: four),
                      .unknownDType, tensor: "w", ["F8_E4M3"])
        assertRejects(RawSafetensors.make(header: #"{"w":{"dtype":"f32","shape":[1],"data_offsets":[0,4]}}"#, data: four),
                      .unknownDType, tensor: "w", ["'f32'"])
    }

    func testBadShapes() {
        func shape(_ text: String) -> [UInt8] {
            RawSafetensors.make(header: #"{"w":{"dtype":"F32","shape":"# + text + #","data_offsets":[0,4]}}"#, data: four)
        }
        assertRejects(shape("[-1]"), .invalidShape, tensor: "w", ["[-1]", "non-negative integers"])
        assertRejects(shape("[1.5]"), .invalidShape, tensor: "w", ["the number 1.5"])
        assertRejects(shape("[1.0]"), .invalidShape, tensor: "w", ["the number 1.0"])
        assertRejects(shape("[1e0]"), .invalidShape, tensor: "w")
        assertRejects(shape(#"["1"]"#), .invalidShape, tensor: "w", ["a string"])
        assertRejects(shape("[null]"), .invalidShape, tensor: "w")
        assertRejects(shape("1"), .invalidShape, tensor: "w", ["must be an array"])
        assertRejects(shape("[99999999999999999999999]"), .invalidShape, tensor: "w")
        assertRejects(shape("[4611686018427387904,4]"), .invalidShape, tensor: "w", ["overflows"])
        assertRejects(shape("[2305843009213693952]"), .invalidShape, tensor: "w", ["overflows"])  // elements fit, bytes do not
    }

    func testBadOffsets() {
        func offsets(_ text: String, data: [UInt8] = [0, 0, 0x80, 0x3F]) -> [UInt8] {
            RawSafetensors.make(header: #"{"w":{"dtype":"F32","shape":[1],"data_offsets":"# + text + "}}", data: data)
        }
        assertRejects(offsets("[4,0]"), .invalidOffsets, tensor: "w", ["[4, 0]", "begin > end"])
        assertRejects(offsets("[0,8]"), .invalidOffsets, tensor: "w", ["outside the data area of 4 bytes"])
        assertRejects(offsets("[4,8]"), .invalidOffsets, tensor: "w", ["outside"])
        assertRejects(offsets("[0]"), .invalidOffsets, tensor: "w", ["two non-negative integers"])
        assertRejects(offsets("[0,4,8]"), .invalidOffsets, tensor: "w")
        assertRejects(offsets("[-4,0]"), .invalidOffsets, tensor: "w")
        assertRejects(offsets("[0,4.0]"), .invalidOffsets, tensor: "w")
        assertRejects(offsets(#"{"begin":0}"#), .invalidOffsets, tensor: "w")
        assertRejects(offsets("[0,18446744073709551616]"), .invalidOffsets, tensor: "w")
    }

    func testShapeTimesDTypeMustMatchTheByteSpan() {
        let bytes = RawSafetensors.make(header: #"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: [UInt8](repeating: 0, count: 8))
        assertRejects(bytes, .sizeMismatch, tensor: "w", ["needs 12 bytes", "span 8"])
        let half = RawSafetensors.make(header: #"{"w":{"dtype":"F16","shape":[2,2],"data_offsets":[0,4]}}"#, data: four)
        assertRejects(half, .sizeMismatch, tensor: "w", ["F16 needs 8 bytes"])
    }

    func testOverlappingTensors() {
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        assertRejects(RawSafetensors.make(header: header, data: [UInt8](repeating: 0, count: 12)), .overlap, tensor: "b", ["overlap tensor 'a'"])
        // Two tensors on the very same bytes.
        let same = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}}"#
        assertRejects(RawSafetensors.make(header: same, data: four), .overlap, ["overlap tensor"])
        // A zero-size tensor inside another one.
        let inside = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"z":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}}"#
        assertRejects(RawSafetensors.make(header: inside, data: [UInt8](repeating: 0, count: 8)), .overlap, tensor: "z")
    }

    /// The reference implementation requires the tensors to cover the data
    /// area exactly; so do we: gaps and trailing bytes are errors.
    func testDataAreaMustBeFullyCovered() {
        let gap = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        assertRejects(RawSafetensors.make(header: gap, data: [UInt8](repeating: 0, count: 8)), .incompleteData, tensor: "a", ["bytes 0..<4", "contiguous"])
        let middle = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#
        assertRejects(RawSafetensors.make(header: middle, data: [UInt8](repeating: 0, count: 12)), .incompleteData, tensor: "b", ["4..<8"])
        assertRejects(RawSafetensors.make(header: one, data: four + [0, 0]), .incompleteData, ["has 6 bytes", "cover only 4"])
        assertRejects(RawSafetensors.make(header: "{}", data: [1]), .incompleteData, ["has 1 bytes"])
    }

    func testDuplicateTensorNames() {
        let header = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        assertRejects(RawSafetensors.make(header: header, data: four + four), .duplicateTensor, tensor: "a", ["appears twice"])
    }

    func testLookupErrors() throws {
        let file = try SafetensorsFile(bytes: RawSafetensors.make(header: one, data: four), name: "x.safetensors")
        XCTAssertThrowsError(try file.floats("b")) { error in
            let error = error as! SafetensorsError
            XCTAssertEqual(error.kind, .tensorNotFound)
            XCTAssertEqual(error.description, "x.safetensors: tensor 'b': no such tensor in this file")
        }
        XCTAssertThrowsError(try file.int64s("a")) { error in
            let error = error as! SafetensorsError
            XCTAssertEqual(error.kind, .wrongDType)
            XCTAssertTrue(error.description.contains("F32 is not an integer type"))
        }
        XCTAssertFalse(file.contains("b"))
        XCTAssertTrue(file.contains("a"))
    }

    func testFileSystemErrorsNameTheFile() throws {
        let directory = try makeTemporaryDirectory()
        let missing = directory.appendingPathComponent("missing.safetensors").path
        XCTAssertThrowsError(try SafetensorsFile(path: missing)) { error in
            let error = error as! SafetensorsError
            XCTAssertEqual(error.kind, .io)
            XCTAssertTrue(error.description.hasPrefix(missing), "\(error)")
            XCTAssertTrue(error.description.contains("No such file"), "\(error)")
        }
        XCTAssertThrowsError(try SafetensorsFile(path: directory.path)) { error in
            XCTAssertTrue((error as! SafetensorsError).description.contains("not a regular file"))
        }
        let empty = directory.appendingPathComponent("empty.safetensors")
        try Data().write(to: empty)
        XCTAssertThrowsError(try SafetensorsFile(path: empty.path)) { error in
            XCTAssertEqual((error as! SafetensorsError).kind, .fileTooShort)
            XCTAssertEqual((error as! SafetensorsError).file, empty.path)
        }
    }
}
