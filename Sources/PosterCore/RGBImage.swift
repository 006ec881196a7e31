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
