import OCRData
import XCTest

/// charseg.npy: numpy's own files (Fixtures/, from tools/make_npy_fixtures.py)
/// read back, uint8 written byte for byte as np.save does, bad files refused clearly.
final class NumpyArrayTests: XCTestCase {
    /// The values every 4x3 fixture holds (row-major).
    let expected: [UInt8] = [0, 1, 2, 95, 96, 127, 128, 200, 254, 255, 7, 3]

    func testReadsNumpysFilesInEveryIntegerDtype() throws {
        for name in ["u8_4x3.npy", "i8_4x3.npy", "i4_4x3.npy", "i2be_4x3.npy"] {
            let array = try NumpyArray.decode(try fixtureBytes(name))
            XCTAssertEqual(array.rows, 4, name)
            XCTAssertEqual(array.columns, 3, name)
            XCTAssertEqual(array.values, expected, name)
        }
    }

    func testEncodedIsByteIdenticalToNumpysUInt8File() throws {
        let numpy = try fixtureBytes("u8_4x3.npy")
        XCTAssertEqual(NumpyArray(rows: 4, columns: 3, values: expected).encoded(), numpy)
        XCTAssertEqual(try NumpyArray.decode(numpy).encoded(), numpy)
    }

    func testEncodedHeaderIsPaddedToSixtyFourBytesForAnyShape() throws {
        for (rows, columns) in [(1, 1), (256, 256), (12345, 7), (65536, 1)] {
            let bytes = NumpyArray(rows: rows, columns: columns, values: [UInt8](repeating: 9, count: rows * columns)).encoded()
            let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            XCTAssertEqual((10 + headerLength) % 64, 0, "\(rows)x\(columns)")
            XCTAssertEqual(bytes[10 + headerLength - 1], UInt8(ascii: "\n"))
            XCTAssertEqual(bytes.count, 10 + headerLength + rows * columns)
            let back = try NumpyArray.decode(bytes)
            XCTAssertEqual([back.rows, back.columns], [rows, columns])
        }
    }

    func testFortranOrderIsAClearError() throws {
        XCTAssertThrowsError(try NumpyArray.decode(try fixtureBytes("fortran_u1_4x3.npy"))) { error in
            XCTAssertTrue("\(error)".contains("Fortran"), "\(error)")
        }
    }

    func testFloatDtypeIsAClearError() throws {
        XCTAssertThrowsError(try NumpyArray.decode(try fixtureBytes("f4_4x3.npy"))) { error in
            XCTAssertTrue("\(error)".contains("dtype <f4 is not supported"), "\(error)")
        }
    }

    func testThreeDimensionalShapeIsAClearError() throws {
        XCTAssertThrowsError(try NumpyArray.decode(try fixtureBytes("u1_2x2x3.npy"))) { error in
            XCTAssertTrue("\(error)".contains("expected a 2-D shape, found (2, 2, 3)"), "\(error)")
        }
    }

    func testNegativeValueIsAClearError() throws {
        XCTAssertThrowsError(try NumpyArray.decode(try fixtureBytes("negative_i2_4x3.npy"))) { error in
            XCTAssertTrue("\(error)".contains("value -1 at index 5"), "\(error)")
        }
    }

    func testValueAbove255IsAClearError() throws {
        var bytes = try fixtureBytes("i2be_4x3.npy")
        bytes[bytes.count - 2] = 1 // last element, big-endian: 0x0103 = 259
        XCTAssertThrowsError(try NumpyArray.decode(bytes)) { error in
            XCTAssertTrue("\(error)".contains("value 259 at index 11"), "\(error)")
        }
    }

    func testMissingMagicIsAClearError() {
        for bytes in [[UInt8](), [0x93, 0x4E], Array("PNG is not npy data".utf8)] {
            XCTAssertThrowsError(try NumpyArray.decode(bytes)) { error in
                XCTAssertTrue("\(error)".contains("missing the \\x93NUMPY magic"), "\(error)")
            }
        }
    }

    func testTruncatedHeaderIsAClearError() throws {
        let good = try fixtureBytes("u8_4x3.npy")
        for length in [10, 40, 127] {
            XCTAssertThrowsError(try NumpyArray.decode(Array(good.prefix(length))), "cut at \(length)") { error in
                XCTAssertTrue("\(error)".contains("runs past the end of the file"), "\(error)")
            }
        }
    }

    func testShapeAndByteCountMismatchIsAClearError() throws {
        let good = try fixtureBytes("i4_4x3.npy")
        for bytes in [Array(good.dropLast(1)), good + [0, 0, 0, 0]] {
            XCTAssertThrowsError(try NumpyArray.decode(bytes)) { error in
                XCTAssertTrue("\(error)".contains("shape (4, 3) of <i4 needs 48"), "\(error)")
            }
        }
    }

    func testUnsupportedVersionAndMalformedHeaderAreClearErrors() throws {
        var bytes = try fixtureBytes("u8_4x3.npy")
        bytes[6] = 9
        XCTAssertThrowsError(try NumpyArray.decode(bytes)) { error in
            XCTAssertTrue("\(error)".contains("version 9"), "\(error)")
        }
        let header = Array("{'nonsense': 1}\n".utf8)
        let malformed: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.count), 0] + header
        XCTAssertThrowsError(try NumpyArray.decode(malformed)) { error in
            XCTAssertTrue("\(error)".contains("malformed .npy header"), "\(error)")
        }
    }
}
