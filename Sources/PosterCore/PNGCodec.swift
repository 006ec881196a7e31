import CPNG

/// PNG reading and writing through libpng's simplified API (`png_image`), the
/// part of libpng usable from Swift (the classic API needs setjmp).
public enum PNGCodec {
    public static func write(_ image: GrayImage, to path: String) throws(ImageIOError) {
        try write(pixels: image.pixels, width: image.width, height: image.height, format: UInt32(PNG_FORMAT_GRAY), channels: 1, to: path)
    }

    public static func write(_ image: RGBImage, to path: String) throws(ImageIOError) {
        try write(pixels: image.pixels, width: image.width, height: image.height, format: UInt32(PNG_FORMAT_RGB), channels: 3, to: path)
    }

    /// Reads any PNG as 8-bit grey (colour images are converted by libpng).
    public static func readGray(from path: String) throws(ImageIOError) -> GrayImage {
        let (pixels, width, height) = try read(path, format: UInt32(PNG_FORMAT_GRAY), channels: 1)
        return GrayImage(width: width, height: height, pixels: pixels)
    }

    /// Reads any PNG as 8-bit RGB (alpha is composited onto black by libpng).
    public static func readRGB(from path: String) throws(ImageIOError) -> RGBImage {
        let (pixels, width, height) = try read(path, format: UInt32(PNG_FORMAT_RGB), channels: 3)
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    private static func write(pixels: [UInt8], width: Int, height: Int, format: UInt32, channels: Int, to path: String) throws(ImageIOError) {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = format
        let ok = pixels.withUnsafeBytes { buffer in
            png_image_write_to_file(&image, path, 0, buffer.baseAddress, Int32(width * channels), nil)
        }
        defer { png_image_free(&image) }
        if ok == 0 { throw ImageIOError(path: path, message: "cannot write PNG: \(message(of: image))") }
    }

    private static func read(_ path: String, format: UInt32, channels: Int) throws(ImageIOError) -> ([UInt8], Int, Int) {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        guard png_image_begin_read_from_file(&image, path) != 0 else {
            let text = message(of: image)
            png_image_free(&image)
            throw ImageIOError(path: path, message: "cannot read PNG: \(text)")
        }
        image.format = format
        let width = Int(image.width), height = Int(image.height)
        guard width > 0, height > 0, width * height <= 1 << 28 else {
            png_image_free(&image)
            throw ImageIOError(path: path, message: "PNG size \(width)x\(height) is out of range")
        }
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        let ok = pixels.withUnsafeMutableBytes { buffer in
            png_image_finish_read(&image, nil, buffer.baseAddress, Int32(width * channels), nil)
        }
        defer { png_image_free(&image) }
        if ok == 0 { throw ImageIOError(path: path, message: "cannot decode PNG: \(message(of: image))") }
        return (pixels, width, height)
    }

    private static func message(of image: png_image) -> String {
        withUnsafeBytes(of: image.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
