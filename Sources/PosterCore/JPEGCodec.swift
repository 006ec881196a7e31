import CJPEG
import Foundation

/// JPEG reading and writing through libjpeg-turbo's TurboJPEG API, which
/// reports errors by return code rather than the setjmp/longjmp of libjpeg.
public enum JPEGCodec {
    /// Encodes RGB at `quality` (1...100) with 4:2:0 chroma, as MARIO's image.jpg files are.
    public static func encode(_ image: RGBImage, quality: Int = 95) throws(ImageIOError) -> [UInt8] {
        guard let handle = tjInitCompress() else { throw ImageIOError(path: "", message: "cannot start the JPEG encoder") }
        defer { tjDestroy(handle) }
        var buffer: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            tjCompress2(handle, pixels.baseAddress, Int32(image.width), 0, Int32(image.height), Int32(TJPF_RGB.rawValue),
                        &buffer, &size, Int32(TJSAMP_420.rawValue), Int32(max(1, min(100, quality))), 0)
        }
        defer { if let buffer { tjFree(buffer) } }
        guard status == 0, let buffer else {
            throw ImageIOError(path: "", message: "cannot encode JPEG: \(String(cString: tjGetErrorStr2(handle)))")
        }
        return Array(UnsafeBufferPointer(start: buffer, count: Int(size)))
    }

    public static func decode(_ bytes: [UInt8], path: String = "") throws(ImageIOError) -> RGBImage {
        guard let handle = tjInitDecompress() else { throw ImageIOError(path: path, message: "cannot start the JPEG decoder") }
        defer { tjDestroy(handle) }
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        let header = bytes.withUnsafeBufferPointer { data in
            tjDecompressHeader3(handle, data.baseAddress, UInt(data.count), &width, &height, &subsampling, &colorspace)
        }
        guard header == 0 else {
            throw ImageIOError(path: path, message: "not a readable JPEG: \(String(cString: tjGetErrorStr2(handle)))")
        }
        guard width > 0, height > 0, Int(width) * Int(height) <= 1 << 28 else {
            throw ImageIOError(path: path, message: "JPEG size \(width)x\(height) is out of range")
        }
        var pixels = [UInt8](repeating: 0, count: Int(width) * Int(height) * 3)
        let status = bytes.withUnsafeBufferPointer { data in
            pixels.withUnsafeMutableBufferPointer { out in
                tjDecompress2(handle, data.baseAddress, UInt(data.count), out.baseAddress, width, 0, height, Int32(TJPF_RGB.rawValue), 0)
            }
        }
        guard status == 0 else {
            throw ImageIOError(path: path, message: "cannot decode JPEG: \(String(cString: tjGetErrorStr2(handle)))")
        }
        return RGBImage(width: Int(width), height: Int(height), pixels: pixels)
    }

    public static func write(_ image: RGBImage, to path: String, quality: Int = 95) throws(ImageIOError) {
        let bytes: [UInt8]
        do { bytes = try encode(image, quality: quality) } catch { throw ImageIOError(path: path, message: error.message) }
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw ImageIOError(path: path, message: "cannot write file")
        }
    }

    public static func read(from path: String) throws(ImageIOError) -> RGBImage {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImageIOError(path: path, message: "cannot read file")
        }
        return try decode([UInt8](data), path: path)
    }
}
