import Foundation
import PosterCore
import XCTest

/// Reading back what `poster layout` wrote.
enum ImageChecks {
    /// Each line's box in whole canvas pixels, [minX, minY, maxX, maxY) (outward-rounded, as the renderer clips).
    static func pixelRects(of layout: Layout) -> [[Int]] {
        layout.lines.map { layout.pixelRect(of: $0.box).integral }
    }

    /// Lit pixels (value > 0) outside every rectangle: (x, y) of up to `limit` of them.
    static func litPixels(in image: GrayImage, outside rects: [[Int]], limit: Int = 5) -> [(Int, Int)] {
        var found: [(Int, Int)] = []
        for y in 0..<image.height {
            for x in 0..<image.width where image[x, y] > 0 {
                let inside = rects.contains { x >= $0[0] && x < $0[2] && y >= $0[1] && y < $0[3] }
                if !inside {
                    found.append((x, y))
                    if found.count == limit { return found }
                }
            }
        }
        return found
    }

    /// How many pixels inside `rect` are lit.
    static func litCount(in image: GrayImage, rect: [Int]) -> Int {
        var count = 0
        for y in max(0, rect[1])..<min(image.height, rect[3]) {
            for x in max(0, rect[0])..<min(image.width, rect[2]) where image[x, y] > 0 { count += 1 }
        }
        return count
    }

    /// How many pixels inside `rect` satisfy `condition`.
    static func count(in image: RGBImage, rect: [Int], where condition: (RGBColor) -> Bool) -> Int {
        var count = 0
        for y in max(0, rect[1])..<min(image.height, rect[3]) {
            for x in max(0, rect[0])..<min(image.width, rect[2]) where condition(image[x, y]) { count += 1 }
        }
        return count
    }

    /// The distinct pixel values of an image.
    static func values(of image: GrayImage) -> Set<UInt8> { Set(image.pixels) }
}

/// `(r,g,b)` for failure messages.
func describe(_ color: RGBColor) -> String { "(\(color.red),\(color.green),\(color.blue))" }
