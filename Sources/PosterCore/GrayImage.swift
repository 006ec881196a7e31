/// An 8-bit single-channel raster, row-major, top row first: glyph masks,
/// charseg maps and other one-channel images.
public struct GrayImage: Hashable, Sendable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    /// A black image.
    public init(width: Int, height: Int, fill: UInt8 = 0) {
        precondition(width > 0 && height > 0, "image size must be positive")
        self.width = width
        self.height = height
        self.pixels = [UInt8](repeating: fill, count: width * height)
    }

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height, "pixel count must be width * height")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    public subscript(x: Int, y: Int) -> UInt8 {
        get { pixels[y * width + x] }
        set { pixels[y * width + x] = newValue }
    }

    /// Nearest-neighbour resampling (keeps class maps' labels intact).
    public func resizedNearest(width newWidth: Int, height newHeight: Int) -> GrayImage {
        var out = GrayImage(width: newWidth, height: newHeight)
        for y in 0..<newHeight {
            let sy = min(height - 1, (2 * y + 1) * height / (2 * newHeight))
            for x in 0..<newWidth {
                let sx = min(width - 1, (2 * x + 1) * width / (2 * newWidth))
                out.pixels[y * newWidth + x] = pixels[sy * width + sx]
            }
        }
        return out
    }

    /// The smallest pixel rectangle holding every pixel above `threshold`, or nil if none.
    public func litBounds(threshold: UInt8 = 0) -> (minX: Int, minY: Int, maxX: Int, maxY: Int)? {
        var minX = width, minY = height, maxX = -1, maxY = -1
        for y in 0..<height {
            let row = y * width
            for x in 0..<width where pixels[row + x] > threshold {
                minX = min(minX, x); maxX = max(maxX, x)
                minY = min(minY, y); maxY = max(maxY, y)
            }
        }
        return maxX < 0 ? nil : (minX, minY, maxX, maxY)
    }
}

extension GrayImage {
    /// Black and white swapped: white-on-black masks become the dark-on-light text OCR expects.
    public func inverted() -> GrayImage {
        GrayImage(width: width, height: height, pixels: pixels.map { 255 - $0 })
    }

    /// Nearest-neighbour upscaling by a whole factor (OCR reads small text better enlarged).
    public func upscaled(by factor: Int) -> GrayImage {
        resizedNearest(width: width * factor, height: height * factor)
    }
}

extension GrayImage {
    /// Grey-level dilation with a square of side 2*radius+1: text outlines.
    public func dilated(radius: Int) -> GrayImage {
        guard radius > 0 else { return self }
        var rows = GrayImage(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                var m: UInt8 = 0
                for k in max(0, x - radius)...min(width - 1, x + radius) { m = max(m, pixels[y * width + k]) }
                rows.pixels[y * width + x] = m
            }
        }
        var out = GrayImage(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                var m: UInt8 = 0
                for k in max(0, y - radius)...min(height - 1, y + radius) { m = max(m, rows.pixels[k * width + x]) }
                out.pixels[y * width + x] = m
            }
        }
        return out
    }
}
