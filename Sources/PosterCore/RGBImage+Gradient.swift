import Foundation

/// Gradient backgrounds, shared by the synthesizer (what the model trained on)
/// and the colour prior (what sampling starts from), so both draw the same ramp.
extension RGBImage {
    /// A linear gradient from `a` to `b` along `angle` (radians, 0 = left to
    /// right, π/2 = top to bottom), spanning the whole image.
    public static func linearGradient(width: Int, height: Int, from a: RGBColor, to b: RGBColor, angle: Double) -> RGBImage {
        let dx = cos(angle), dy = sin(angle)
        // Project every pixel on the direction, normalised to 0...1 over the image.
        let w = Double(width), h = Double(height)
        let corners = [(0.0, 0.0), (w, 0.0), (0.0, h), (w, h)].map { $0.0 * dx + $0.1 * dy }
        let low = corners.min()!, span = max(corners.max()! - low, 1)
        return ramped(width: width, height: height, from: a, to: b) { x, y in (x * dx + y * dy - low) / span }
    }

    /// `centre` at (cx, cy) (fractions of the width and height) fading to
    /// `edge` at `radius` widths.
    public static func radialGradient(width: Int, height: Int, centre a: RGBColor, edge b: RGBColor,
                                      cx: Double, cy: Double, radius: Double) -> RGBImage {
        let scale = 1 / (radius * Double(width)), centreX = cx * Double(width), centreY = cy * Double(height)
        return ramped(width: width, height: height, from: a, to: b) { x, y in
            let ddx = x - centreX, ddy = y - centreY
            return (ddx * ddx + ddy * ddy).squareRoot() * scale
        }
    }

    /// Every pixel coloured from the a-to-b ramp at `position(x, y)` (pixel centres; 0 = a, 1 = b, clamped).
    private static func ramped(width: Int, height: Int, from a: RGBColor, to b: RGBColor,
                               position: (Double, Double) -> Double) -> RGBImage {
        var image = RGBImage(width: width, height: height)
        let ramp = colorRamp(a, b)
        image.pixels.withUnsafeMutableBufferPointer { p in
            for y in 0..<height {
                for x in 0..<width {
                    let k = max(0, min(255, Int(position(Double(x) + 0.5, Double(y) + 0.5) * 255)))
                    let i = (y * width + x) * 3
                    p[i] = ramp[3 * k]; p[i + 1] = ramp[3 * k + 1]; p[i + 2] = ramp[3 * k + 2]
                }
            }
        }
        return image
    }

    /// 256 colours from a to b, interleaved RGB.
    private static func colorRamp(_ a: RGBColor, _ b: RGBColor) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 768)
        for k in 0..<256 {
            let t = Double(k) / 255
            for (c, (u, v)) in [(a.red, b.red), (a.green, b.green), (a.blue, b.blue)].enumerated() {
                out[3 * k + c] = UInt8((Double(u) + (Double(v) - Double(u)) * t).rounded())
            }
        }
        return out
    }
}
