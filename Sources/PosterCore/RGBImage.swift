/// An 8-bit RGB raster, interleaved, row-major, top row first.
public struct RGBImage: Hashable, Sendable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, fill: RGBColor = .black) {
        precondition(width > 0 && height > 0, "image size must be positive")
        self.width = width
        self.height = height
        var row = [UInt8]()
        row.reserveCapacity(width * 3)
        for _ in 0..<width { row += [fill.red, fill.green, fill.blue] }
        self.pixels = Array([[UInt8]](repeating: row, count: height).joined())
    }

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * 3, "pixel count must be width * height * 3")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    public subscript(x: Int, y: Int) -> RGBColor {
        get {
            let i = (y * width + x) * 3
            return RGBColor(red: pixels[i], green: pixels[i + 1], blue: pixels[i + 2])
        }
        set {
            let i = (y * width + x) * 3
            pixels[i] = newValue.red; pixels[i + 1] = newValue.green; pixels[i + 2] = newValue.blue
        }
    }

    /// Paints `color` through an 8-bit coverage mask of the same size (source-over).
    public mutating func composite(_ color: RGBColor, coverage mask: GrayImage) {
        precondition(mask.width == width && mask.height == height, "mask size must match the image")
        let channels = [Int(color.red), Int(color.green), Int(color.blue)]
        for i in 0..<(width * height) {
            let a = Int(mask.pixels[i])
            if a == 0 { continue }
            for c in 0..<3 {
                let j = i * 3 + c
                pixels[j] = UInt8((channels[c] * a + Int(pixels[j]) * (255 - a) + 127) / 255)
            }
        }
    }

    /// Outlines a rectangle `thickness` pixels wide, inside its edges; clipped to the image.
    public mutating func strokeRect(minX: Int, minY: Int, maxX: Int, maxY: Int, thickness: Int, color: RGBColor) {
        func fill(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int) {
            for y in max(0, y0)..<min(height, y1) where x0 < x1 {
                for x in max(0, x0)..<min(width, x1) { self[x, y] = color }
            }
        }
        fill(minX, minY, maxX, minY + thickness)
        fill(minX, maxY - thickness, maxX, maxY)
        fill(minX, minY, minX + thickness, maxY)
        fill(maxX - thickness, minY, maxX, maxY)
    }

    /// Fills a rectangle; clipped to the image.
    public mutating func fillRect(minX: Int, minY: Int, maxX: Int, maxY: Int, color: RGBColor) {
        for y in max(0, minY)..<max(max(0, minY), min(height, maxY)) {
            for x in max(0, minX)..<max(max(0, minX), min(width, maxX)) { self[x, y] = color }
        }
    }
}

/// An 8-bit sRGB colour.
public struct RGBColor: Hashable, Sendable {
    public var red: UInt8
    public var green: UInt8
    public var blue: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    public static let black = RGBColor(red: 0, green: 0, blue: 0)
    public static let white = RGBColor(red: 255, green: 255, blue: 255)

    /// `#rrggbb`, as SVG and CSS write it.
    public var hex: String {
        "#" + [red, green, blue].map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}

extension RGBImage {
    /// Bilinear resampling with pixel centres aligned (area-averaging first
    /// when shrinking by more than 2x, so photographs do not alias).
    public func resized(width newWidth: Int, height newHeight: Int) -> RGBImage {
        var source = self
        while source.width >= newWidth * 2 && source.height >= newHeight * 2 { source = source.halved() }
        var out = [UInt8](repeating: 0, count: newWidth * newHeight * 3)
        let sx = Double(source.width) / Double(newWidth), sy = Double(source.height) / Double(newHeight)
        source.pixels.withUnsafeBufferPointer { src in
            for y in 0..<newHeight {
                let fy = max(0, min(Double(source.height - 1), (Double(y) + 0.5) * sy - 0.5))
                let y0 = Int(fy), y1 = min(source.height - 1, y0 + 1), wy = fy - Double(y0)
                for x in 0..<newWidth {
                    let fx = max(0, min(Double(source.width - 1), (Double(x) + 0.5) * sx - 0.5))
                    let x0 = Int(fx), x1 = min(source.width - 1, x0 + 1), wx = fx - Double(x0)
                    for c in 0..<3 {
                        let a = Double(src[(y0 * source.width + x0) * 3 + c]), b = Double(src[(y0 * source.width + x1) * 3 + c])
                        let d = Double(src[(y1 * source.width + x0) * 3 + c]), e = Double(src[(y1 * source.width + x1) * 3 + c])
                        let top = a + (b - a) * wx, bottom = d + (e - d) * wx
                        out[(y * newWidth + x) * 3 + c] = UInt8(max(0, min(255, (top + (bottom - top) * wy).rounded())))
                    }
                }
            }
        }
        return RGBImage(width: newWidth, height: newHeight, pixels: out)
    }

    /// Each 2x2 block averaged.
    func halved() -> RGBImage {
        let w = width / 2, h = height / 2
        var out = [UInt8](repeating: 0, count: w * h * 3)
        for y in 0..<h {
            for x in 0..<w {
                let top = (2 * y * width + 2 * x) * 3, bottom = top + width * 3
                for c in 0..<3 {
                    var sum = Int(pixels[top + c])
                    sum += Int(pixels[top + 3 + c])
                    sum += Int(pixels[bottom + c])
                    sum += Int(pixels[bottom + 3 + c])
                    out[(y * w + x) * 3 + c] = UInt8((sum + 2) / 4)
                }
            }
        }
        return RGBImage(width: w, height: h, pixels: out)
    }

    /// The grey version (ITU-R BT.601 luma), as OCR reads it.
    public func luma() -> GrayImage {
        var out = [UInt8](repeating: 0, count: width * height)
        for i in 0..<(width * height) {
            let r = Int(pixels[3 * i]), g = Int(pixels[3 * i + 1]), b = Int(pixels[3 * i + 2])
            out[i] = UInt8((299 * r + 587 * g + 114 * b + 500) / 1000)
        }
        return GrayImage(width: width, height: height, pixels: out)
    }

    /// Paints `color` through `mask` shifted by (dx, dy) pixels, at `opacity`.
    public mutating func composite(_ color: RGBColor, coverage mask: GrayImage, offsetX dx: Int, offsetY dy: Int, opacity: Double = 1) {
        precondition(mask.width == width && mask.height == height, "mask size must match the image")
        let channels = [Int(color.red), Int(color.green), Int(color.blue)]
        let scale = Int(max(0, min(1, opacity)) * 256)
        for y in max(0, dy)..<max(max(0, dy), min(height, height + dy)) {
            for x in max(0, dx)..<max(max(0, dx), min(width, width + dx)) {
                let a = Int(mask.pixels[(y - dy) * width + (x - dx)]) * scale >> 8
                if a == 0 { continue }
                let i = (y * width + x) * 3
                for c in 0..<3 { pixels[i + c] = UInt8((channels[c] * a + Int(pixels[i + c]) * (255 - a) + 127) / 255) }
            }
        }
    }
}
