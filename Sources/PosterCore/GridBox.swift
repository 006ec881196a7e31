/// A text line's box on the layout grid: left, top, right, bottom in 0...128
/// (TextDiffuser-2's 128x128 planning grid; pixel // 4 at 512 px).
public struct GridBox: Hashable, Sendable, Codable {
    /// The grid's side: coordinates run 0...gridSize.
    public static let gridSize = 128
    public static let range = 0...gridSize

    public var left: Int
    public var top: Int
    public var right: Int
    public var bottom: Int

    public init(left: Int, top: Int, right: Int, bottom: Int) {
        self.left = left
        self.top = top
        self.right = right
        self.bottom = bottom
    }

    public var width: Int { right - left }
    public var height: Int { bottom - top }

    /// The four values in the order every format writes them.
    public var values: [Int] { [left, top, right, bottom] }

    /// Why this box is not a valid layout box, or nil when it is.
    public var problem: String? {
        for (name, value) in zip(["left", "top", "right", "bottom"], values) where !Self.range.contains(value) {
            return "\(name) coordinate \(value) is out of range: expected 0...\(Self.gridSize)"
        }
        if right <= left { return "right (\(right)) must be greater than left (\(left))" }
        if bottom <= top { return "bottom (\(bottom)) must be greater than top (\(top))" }
        return nil
    }
}
