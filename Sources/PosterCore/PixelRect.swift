/// A rectangle in pixel coordinates (fractional: boxes on the 128 grid rarely land on whole pixels).
public struct PixelRect: Hashable, Sendable {
    public var minX: Double
    public var minY: Double
    public var maxX: Double
    public var maxY: Double

    public init(minX: Double, minY: Double, maxX: Double, maxY: Double) {
        self.minX = minX
        self.minY = minY
        self.maxX = maxX
        self.maxY = maxY
    }

    public var width: Double { maxX - minX }
    public var height: Double { maxY - minY }
    public var isEmpty: Bool { maxX <= minX || maxY <= minY }

    /// The smallest rectangle holding both.
    public func union(_ other: PixelRect) -> PixelRect {
        if isEmpty { return other }
        if other.isEmpty { return self }
        return PixelRect(minX: Swift.min(minX, other.minX), minY: Swift.min(minY, other.minY),
                         maxX: Swift.max(maxX, other.maxX), maxY: Swift.max(maxY, other.maxY))
    }

    /// Rounded outward to whole pixels: [minX, minY, maxX, maxY].
    public var integral: [Int] {
        [Int(minX.rounded(.down)), Int(minY.rounded(.down)), Int(maxX.rounded(.up)), Int(maxY.rounded(.up))]
    }
}
