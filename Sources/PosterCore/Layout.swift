/// A poster's text layout: the canvas it is planned for plus its ordered text
/// lines, each a box on the 128 grid with its text. Every stage of the pipeline
/// passes this value on: the planner writes it, GlyphRender draws it.
public struct Layout: Hashable, Sendable {
    public var canvas: CanvasSize
    public var lines: [LayoutLine]

    /// The grid every coordinate is on (TextDiffuser-2's 128).
    public var grid: Int { GridBox.gridSize }

    /// Builds a layout, checking every line: a layout value is always drawable.
    public init(canvas: CanvasSize = .standard, lines: [LayoutLine]) throws(LayoutError) {
        if let problem = canvas.problem { throw LayoutError(problem) }
        if lines.isEmpty { throw LayoutError("a layout needs at least one line") }
        for (index, line) in lines.enumerated() {
            if let problem = line.problem { throw LayoutError("line \(index + 1): \(problem)") }
        }
        self.canvas = canvas
        self.lines = lines
    }

    /// The same lines on another canvas.
    public func resized(to canvas: CanvasSize) throws(LayoutError) -> Layout {
        try Layout(canvas: canvas, lines: lines)
    }

    /// A line's box in canvas pixels.
    public func pixelRect(of box: GridBox) -> PixelRect {
        let sx = Double(canvas.width) / Double(grid)
        let sy = Double(canvas.height) / Double(grid)
        return PixelRect(minX: Double(box.left) * sx, minY: Double(box.top) * sy,
                         maxX: Double(box.right) * sx, maxY: Double(box.bottom) * sy)
    }
}

/// A layout value that breaks the rules (used when a layout is built in code
/// rather than parsed; parsers report `LayoutParseError` with a position).
public struct LayoutError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
