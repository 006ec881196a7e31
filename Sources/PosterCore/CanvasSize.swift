/// The pixel size of the poster a layout is planned for.
public struct CanvasSize: Hashable, Sendable, Codable {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// TextDiffuser's working size.
    public static let standard = CanvasSize(width: 512, height: 512)
    /// Canvases larger than this are refused: a mask of this size already takes 64 MiB.
    public static let maximumSide = 8192

    public var problem: String? {
        guard (1...Self.maximumSide).contains(width), (1...Self.maximumSide).contains(height) else {
            return "canvas \(width)x\(height) is out of range: expected 1...\(Self.maximumSide) on each side"
        }
        return nil
    }
}
