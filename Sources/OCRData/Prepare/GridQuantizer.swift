import PosterCore

/// Pixel boxes to the 128 grid: left and top round down, right and bottom up,
/// so the grid box still holds all of its text (TextDiffuser-2 uses pixel // 4
/// at 512 px for every side); a box keeps at least one grid unit each way.
public enum GridQuantizer {
    public static func box(left: Double, top: Double, right: Double, bottom: Double, width: Int, height: Int) -> GridBox {
        let g = Double(GridBox.gridSize)
        func clamp(_ v: Int) -> Int { max(0, min(GridBox.gridSize, v)) }
        var l = clamp(Int((left * g / Double(width)).rounded(.down)))
        var t = clamp(Int((top * g / Double(height)).rounded(.down)))
        var r = clamp(Int((right * g / Double(width) - 1e-9).rounded(.up)))
        var b = clamp(Int((bottom * g / Double(height) - 1e-9).rounded(.up)))
        // An empty or inverted box becomes one unit at its left/top edge (kept inside the grid).
        if r <= l { l = min(l, GridBox.gridSize - 1); r = l + 1 }
        if b <= t { t = min(t, GridBox.gridSize - 1); b = t + 1 }
        return GridBox(left: l, top: t, right: r, bottom: b)
    }
}
