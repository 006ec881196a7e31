import PosterCore

/// Turns a colour image into the grey image an OCR engine reads best: the
/// pixels projected on the colour direction of most variance (the first
/// principal component of the RGB values, which separates text from its
/// background whatever their hues), stretched to 0...255, and flipped if need
/// be so that the Otsu class covering most of the image's border (the
/// background) is the light one. A neural recogniser (PP-OCR, MaskTextSpotter)
/// learns this invariance; Tesseract needs it done for it.
public enum ContrastNormalizer {
    public static func normalize(_ image: RGBImage) -> GrayImage {
        let count = image.width * image.height
        var mean = [Double](repeating: 0, count: 3)
        image.pixels.withUnsafeBufferPointer { p in
            for i in 0..<count { for c in 0..<3 { mean[c] += Double(p[i * 3 + c]) } }
        }
        mean = mean.map { $0 / Double(count) }
        var covariance = [Double](repeating: 0, count: 9)
        image.pixels.withUnsafeBufferPointer { p in
            for i in 0..<count {
                let d = (0..<3).map { Double(p[i * 3 + $0]) - mean[$0] }
                for r in 0..<3 { for c in 0..<3 { covariance[r * 3 + c] += d[r] * d[c] } }
            }
        }
        let axis = principalAxis(covariance)
        var projected = [Double](repeating: 0, count: count)
        image.pixels.withUnsafeBufferPointer { p in
            for i in 0..<count {
                projected[i] = (0..<3).reduce(0) { $0 + (Double(p[i * 3 + $1]) - mean[$1]) * axis[$1] }
            }
        }
        let low = projected.min() ?? 0, high = projected.max() ?? 0
        let scale = 255 / max(high - low, 1e-6)
        var gray = projected.map { ($0 - low) * scale }
        let levels = gray.map { UInt8($0.rounded()) }
        let threshold = otsuThreshold(levels)
        if borderBrightShare(levels, width: image.width, height: image.height, threshold: threshold) <= 0.5 {
            gray = gray.map { 255 - $0 }
        }
        return GrayImage(width: image.width, height: image.height, pixels: gray.map { UInt8($0.rounded()) })
    }

    /// The unit eigenvector of the largest eigenvalue of a symmetric 3x3 matrix
    /// (power iteration from its strongest column; a zero matrix gives luminance).
    static func principalAxis(_ m: [Double]) -> [Double] {
        let strongest = (0..<3).max { m[$0 * 4] < m[$1 * 4] }!
        var v = (0..<3).map { m[$0 * 3 + strongest] }
        guard v.contains(where: { $0 != 0 }) else { return [0.299, 0.587, 0.114] }
        for _ in 0..<100 {
            let next = (0..<3).map { r in (0..<3).reduce(0) { $0 + m[r * 3 + $1] * v[$1] } }
            let norm = next.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard norm > 0 else { break }
            v = next.map { $0 / norm }
        }
        return v
    }

    /// Otsu's threshold: the level t maximising the between-class variance of
    /// {<= t} and {> t}.
    static func otsuThreshold(_ levels: [UInt8]) -> Int {
        var histogram = [Double](repeating: 0, count: 256)
        for level in levels { histogram[Int(level)] += 1 }
        let total = Double(levels.count)
        let totalMean = histogram.enumerated().reduce(0) { $0 + Double($1.offset) * $1.element } / total
        var weight = 0.0, cumulativeMean = 0.0, best = -1.0, threshold = 0
        for t in 0..<256 {
            weight += histogram[t] / total
            cumulativeMean += Double(t) * histogram[t] / total
            guard weight > 0, weight < 1 else { continue }
            let between = (totalMean * weight - cumulativeMean) * (totalMean * weight - cumulativeMean) / (weight * (1 - weight))
            if between > best { best = between; threshold = t }
        }
        return threshold
    }

    /// The share of border pixels (each edge row and column) above the threshold.
    static func borderBrightShare(_ levels: [UInt8], width: Int, height: Int, threshold: Int) -> Double {
        var bright = 0, total = 0
        func visit(_ x: Int, _ y: Int) { total += 1; if Int(levels[y * width + x]) > threshold { bright += 1 } }
        for x in 0..<width { visit(x, 0); visit(x, height - 1) }
        for y in 0..<height { visit(0, y); visit(width - 1, y) }
        return Double(bright) / Double(total)
    }
}
