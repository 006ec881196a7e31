import Foundation

/// A 2-D integer array in numpy's `.npy` format (version 1.0), as MARIO stores
/// `charseg.npy`. GlyphPoster writes uint8 (`|u1`: class indices fit in a
/// byte, and TextDiffuser's loaders cast to uint8 anyway); it reads uint8,
/// int8, (u)int16, (u)int32 and (u)int64 in either byte order, C order.
public struct NumpyArray: Hashable, Sendable {
    public var rows: Int
    public var columns: Int
    public var values: [UInt8]

    public init(rows: Int, columns: Int, values: [UInt8]) {
        precondition(values.count == rows * columns, "value count must be rows * columns")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    public struct FormatError: Error, Hashable, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// The exact bytes numpy's `np.save` writes for a C-order uint8 array.
    public func encoded() -> [UInt8] {
        var header = "{'descr': '|u1', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
        // Magic (6) + version (2) + length (2) + header + "\n" is padded with spaces to a multiple of 64.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        let length = UInt16(header.utf8.count)
        bytes += [UInt8(length & 0xFF), UInt8(length >> 8)]
        bytes += Array(header.utf8)
        bytes += values
        return bytes
    }

    public static func decode(_ bytes: [UInt8]) throws(FormatError) -> NumpyArray {
        func fail(_ message: String) -> FormatError { FormatError(message: message) }
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
            throw fail("not a .npy file (missing the \\x93NUMPY magic)")
        }
        let major = bytes[6]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw fail("truncated .npy header") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw fail(".npy version \(major) is not supported")
        }
        guard headerLength >= 0, headerStart + headerLength <= bytes.count else {
            throw fail("header length \(headerLength) runs past the end of the file (\(bytes.count) bytes)")
        }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        guard let descr = field("descr", in: header), let order = field("fortran_order", in: header), let shapeText = field("shape", in: header) else {
            throw fail("malformed .npy header: \(header.prefix(120))")
        }
        guard order == "False" else { throw fail("Fortran-order arrays are not supported") }
        let dims = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() ")).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard dims.count == 2, let rows = Int(dims[0]), let columns = Int(dims[1]), rows > 0, columns > 0, rows <= 1 << 16, columns <= 1 << 16 else {
            throw fail("expected a 2-D shape, found \(shapeText)")
        }
        let type = descr.trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
        guard type.count >= 3, let width = Int(type.dropFirst(2)), [1, 2, 4, 8].contains(width), "iu".contains(type[type.index(type.startIndex, offsetBy: 1)]) else {
            throw fail("dtype \(type) is not supported: expected an integer type such as |u1 or <i8")
        }
        let bigEndian = type.first == ">"
        let signed = type[type.index(type.startIndex, offsetBy: 1)] == "i"
        let count = rows * columns
        let dataStart = headerStart + headerLength
        guard bytes.count - dataStart == count * width else {
            throw fail("data holds \(bytes.count - dataStart) bytes, but shape (\(rows), \(columns)) of \(type) needs \(count * width)")
        }
        var values = [UInt8](repeating: 0, count: count)
        for i in 0..<count {
            var value: UInt64 = 0
            for b in 0..<width {
                let byte = UInt64(bytes[dataStart + i * width + (bigEndian ? width - 1 - b : b)])
                value |= byte << (8 * UInt64(b))
            }
            var number = Int64(bitPattern: value)
            if signed, width < 8, value & (1 << (8 * UInt64(width) - 1)) != 0 { number = Int64(bitPattern: value | (~0 << (8 * UInt64(width)))) }
            guard number >= 0, number <= 255 else { throw fail("value \(number) at index \(i) is not a class index (0...255)") }
            values[i] = UInt8(number)
        }
        return NumpyArray(rows: rows, columns: columns, values: values)
    }

    /// The text of `key`'s value in a numpy header dict.
    private static func field(_ key: String, in header: String) -> String? {
        guard let keyRange = header.range(of: "'\(key)'") ?? header.range(of: "\"\(key)\""),
              let colon = header[keyRange.upperBound...].firstIndex(of: ":") else { return nil }
        var rest = header[header.index(after: colon)...].drop(while: \.isWhitespace)
        if rest.first == "(" {
            guard let close = rest.firstIndex(of: ")") else { return nil }
            return String(rest[...close])
        }
        if let end = rest.firstIndex(where: { $0 == "," || $0 == "}" }) { rest = rest[..<end] }
        return rest.trimmingCharacters(in: .whitespaces)
    }
}
