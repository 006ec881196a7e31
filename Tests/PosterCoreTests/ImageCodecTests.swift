import Foundation
import XCTest
@testable import PosterCore

/// PNG (libpng simplified API) and JPEG (TurboJPEG) reading and writing.
final class ImageCodecTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory()
    }

    override func tearDownWithError() throws {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private func randomGray(width: Int, height: Int, seed: UInt64) -> GrayImage {
        var rng = SplitMix64(seed: seed)
        return GrayImage(width: width, height: height, pixels: (0..<(width * height)).map { _ in UInt8.random(in: 0...255, using: &rng) })
    }

    private func randomRGB(width: Int, height: Int, seed: UInt64) -> RGBImage {
        var rng = SplitMix64(seed: seed)
        return RGBImage(width: width, height: height, pixels: (0..<(width * height * 3)).map { _ in UInt8.random(in: 0...255, using: &rng) })
    }

    /// A smooth diagonal gradient: what JPEG compresses well.
    private func gradient(width: Int, height: Int) -> RGBImage {
        var image = RGBImage(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                image[x, y] = RGBColor(red: UInt8(x * 255 / (width - 1)), green: UInt8(y * 255 / (height - 1)),
                                       blue: UInt8((x + y) * 255 / (width + height - 2)))
            }
        }
        return image
    }

    private func writeBytes(_ bytes: [UInt8], to name: String) -> String {
        let file = path(name)
        XCTAssertTrue(FileManager.default.createFile(atPath: file, contents: Data(bytes)))
        return file
    }

    // MARK: - PNG

    func testPNGGrayRoundTripIsExact() throws {
        for (width, height, seed) in [(37, 23, UInt64(1)), (1, 1, 2), (256, 3, 3)] {
            let image = randomGray(width: width, height: height, seed: seed)
            let file = path("gray-\(width)x\(height).png")
            try PNGCodec.write(image, to: file)
            XCTAssertEqual(try PNGCodec.readGray(from: file), image)
        }
    }

    func testPNGRGBRoundTripIsExact() throws {
        for (width, height, seed) in [(19, 31, UInt64(4)), (1, 1, 5), (64, 64, 6)] {
            let image = randomRGB(width: width, height: height, seed: seed)
            let file = path("rgb-\(width)x\(height).png")
            try PNGCodec.write(image, to: file)
            XCTAssertEqual(try PNGCodec.readRGB(from: file), image)
        }
    }

    func testPNGFileStartsWithTheSignature() throws {
        let file = path("sig.png")
        try PNGCodec.write(GrayImage(width: 2, height: 2, fill: 9), to: file)
        let bytes = [UInt8](try XCTUnwrap(FileManager.default.contents(atPath: file)))
        XCTAssertEqual(Array(bytes.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    }

    func testPNGGrayReadAsRGBRepeatsTheValue() throws {
        let image = randomGray(width: 8, height: 5, seed: 7)
        let file = path("gray-as-rgb.png")
        try PNGCodec.write(image, to: file)
        let rgb = try PNGCodec.readRGB(from: file)
        XCTAssertEqual(rgb.width, 8)
        XCTAssertEqual(rgb.height, 5)
        for y in 0..<5 {
            for x in 0..<8 {
                let v = image[x, y]
                XCTAssertEqual(rgb[x, y], RGBColor(red: v, green: v, blue: v))
            }
        }
    }

    func testPNGNeutralRGBReadAsGrayKeepsTheLevel() throws {
        var image = RGBImage(width: 16, height: 16)
        for y in 0..<16 { for x in 0..<16 { let v = UInt8(y * 16 + x); image[x, y] = RGBColor(red: v, green: v, blue: v) } }
        let file = path("neutral.png")
        try PNGCodec.write(image, to: file)
        let gray = try PNGCodec.readGray(from: file)
        for i in 0..<256 { XCTAssertLessThanOrEqual(abs(Int(gray.pixels[i]) - i), 1, "level \(i)") }
    }

    func testReadingANonPNGFileThrows() {
        let file = writeBytes(Array("this is not a PNG file at all".utf8), to: "text.png")
        XCTAssertThrowsError(try PNGCodec.readGray(from: file)) { error in
            guard let error = error as? ImageIOError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.path, file)
            XCTAssertTrue(error.message.contains("PNG"), error.message)
            XCTAssertTrue(error.description.hasPrefix(file))
        }
        XCTAssertThrowsError(try PNGCodec.readRGB(from: file)) { XCTAssertTrue($0 is ImageIOError) }
    }

    func testReadingATruncatedPNGThrows() throws {
        let image = randomRGB(width: 40, height: 40, seed: 8)
        let full = path("full.png")
        try PNGCodec.write(image, to: full)
        let bytes = [UInt8](try XCTUnwrap(FileManager.default.contents(atPath: full)))
        for length in [0, 4, 8, 20, 40, bytes.count / 2, bytes.count - 13] {
            let file = writeBytes(Array(bytes.prefix(length)), to: "truncated-\(length).png")
            XCTAssertThrowsError(try PNGCodec.readRGB(from: file), "\(length) of \(bytes.count) bytes") { error in
                XCTAssertEqual((error as? ImageIOError)?.path, file)
            }
        }
    }

    func testReadingAMissingFileThrows() {
        let file = path("missing.png")
        XCTAssertThrowsError(try PNGCodec.readGray(from: file)) { XCTAssertEqual(($0 as? ImageIOError)?.path, file) }
        XCTAssertThrowsError(try JPEGCodec.read(from: path("missing.jpg"))) { error in
            XCTAssertEqual((error as? ImageIOError)?.message, "cannot read file")
        }
    }

    func testWritingIntoAMissingDirectoryThrows() {
        let file = path("no/such/dir/out.png")
        XCTAssertThrowsError(try PNGCodec.write(GrayImage(width: 2, height: 2), to: file)) { error in
            XCTAssertEqual((error as? ImageIOError)?.path, file)
            XCTAssertTrue((error as? ImageIOError)?.message.contains("cannot write PNG") == true)
        }
        XCTAssertThrowsError(try JPEGCodec.write(RGBImage(width: 2, height: 2), to: path("no/such/dir/out.jpg"))) { XCTAssertTrue($0 is ImageIOError) }
    }

    // MARK: - JPEG

    func testJPEGRoundTripIsCloseForASmoothImage() throws {
        let image = gradient(width: 96, height: 64)
        let bytes = try JPEGCodec.encode(image, quality: 95)
        XCTAssertEqual(Array(bytes.prefix(2)), [0xFF, 0xD8])
        XCTAssertEqual(Array(bytes.suffix(2)), [0xFF, 0xD9])
        XCTAssertLessThan(bytes.count, image.pixels.count)
        let decoded = try JPEGCodec.decode(bytes)
        XCTAssertEqual(decoded.width, image.width)
        XCTAssertEqual(decoded.height, image.height)
        let errors = zip(decoded.pixels, image.pixels).map { abs(Int($0) - Int($1)) }
        let mean = Double(errors.reduce(0, +)) / Double(errors.count)
        XCTAssertLessThan(mean, 2.0)
        XCTAssertLessThan(errors.max() ?? 0, 24)
    }

    func testJPEGLowerQualityIsSmallerAndLessExact() throws {
        let image = gradient(width: 64, height: 64)
        let high = try JPEGCodec.encode(image, quality: 95), low = try JPEGCodec.encode(image, quality: 10)
        XCTAssertLessThan(low.count, high.count)
        func meanError(_ bytes: [UInt8]) throws -> Double {
            let decoded = try JPEGCodec.decode(bytes)
            return Double(zip(decoded.pixels, image.pixels).map { abs(Int($0) - Int($1)) }.reduce(0, +)) / Double(image.pixels.count)
        }
        XCTAssertLessThan(try meanError(high), try meanError(low))
        // Out-of-range qualities are clamped, not refused.
        XCTAssertNoThrow(try JPEGCodec.decode(JPEGCodec.encode(image, quality: 0)))
        XCTAssertNoThrow(try JPEGCodec.decode(JPEGCodec.encode(image, quality: 500)))
    }

    func testJPEGFileRoundTrip() throws {
        let image = gradient(width: 33, height: 17)
        let file = path("gradient.jpg")
        try JPEGCodec.write(image, to: file)
        let read = try JPEGCodec.read(from: file)
        XCTAssertEqual(read.width, 33)
        XCTAssertEqual(read.height, 17)
        XCTAssertEqual(read, try JPEGCodec.decode(JPEGCodec.encode(image)))
    }

    func testJPEGOfAFlatColourIsNearlyExact() throws {
        let colour = RGBColor(red: 200, green: 40, blue: 90)
        let decoded = try JPEGCodec.decode(JPEGCodec.encode(RGBImage(width: 16, height: 16, fill: colour)))
        for y in 0..<16 {
            for x in 0..<16 {
                let c = decoded[x, y]
                XCTAssertLessThanOrEqual(abs(Int(c.red) - 200) + abs(Int(c.green) - 40) + abs(Int(c.blue) - 90), 6)
            }
        }
    }

    func testDecodingNonJPEGBytesThrows() {
        XCTAssertThrowsError(try JPEGCodec.decode(Array("not a jpeg".utf8), path: "x.jpg")) { error in
            guard let error = error as? ImageIOError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.path, "x.jpg")
            XCTAssertTrue(error.message.contains("JPEG"), error.message)
        }
        XCTAssertThrowsError(try JPEGCodec.decode([]))
        let file = writeBytes([0x89, 0x50, 0x4E, 0x47, 1, 2, 3], to: "png-bytes.jpg")
        XCTAssertThrowsError(try JPEGCodec.read(from: file)) { XCTAssertEqual(($0 as? ImageIOError)?.path, file) }
    }

    func testDecodingATruncatedJPEGThrows() throws {
        let bytes = try JPEGCodec.encode(gradient(width: 64, height: 64))
        for length in [2, 20, bytes.count / 3, bytes.count / 2, bytes.count - 10] {
            XCTAssertThrowsError(try JPEGCodec.decode(Array(bytes.prefix(length))), "\(length) of \(bytes.count) bytes") {
                XCTAssertTrue($0 is ImageIOError)
            }
        }
    }
}
