import PosterCore

/// Where each line goes on the 128 grid, poster-style: a title block, then
/// subtitle and body lines, a footer that may sit on the bottom edge, and an
/// optional badge (a disc or tag in a corner with its own short text). Lines
/// never overlap, so their ink, boxes and class labels stay separate.
struct SynthPlan: Sendable {
    enum Alignment: String, Sendable { case left, centre, right }

    struct Line: Sendable {
        var role: SynthRole
        var text: String
        var box: GridBox
        var face: SynthFonts.Face
        var alignment: Alignment
    }

    /// A badge shape in grid units: a disc (`round`) or a rectangular tag.
    struct Badge: Sendable {
        var round: Bool
        var box: GridBox
    }

    var lines: [Line]
    var badge: Badge?
    /// Horizontal margin in grid units (left/right alignment edge).
    var margin: Int

    static func make(copy: SynthCopy, fonts: SynthFonts, random r: inout SynthRandom) -> SynthPlan {
        let grid = GridBox.gridSize
        let margin = r.int(5...12), marginY = r.int(5...10)
        let alignment = r.pickWeighted([(Alignment.centre, 0.6), (.left, 0.3), (.right, 0.1)])

        // The badge claims a corner and the band of rows beside it.
        var badge: Badge? = nil
        var regionTop = marginY, regionBottom = grid - marginY
        let badgeCopy = copy.lines.first { $0.role == .badge }
        if badgeCopy != nil {
            let round = r.chance(0.55)
            let width = round ? r.int(22...30) : r.int(30...42)
            let height = round ? width : r.int(11...15)
            let atTop = r.chance(0.6), atLeft = alignment == .right ? true : (alignment == .left ? false : r.chance(0.5))
            let left = atLeft ? margin : grid - margin - width
            let top = atTop ? marginY : grid - marginY - height
            badge = Badge(round: round, box: GridBox(left: left, top: top, right: left + width, bottom: top + height))
            if atTop { regionTop = top + height + 3 } else { regionBottom = top - 3 }
        }

        // Heights and gaps by role, shrunk together when the stack does not fit.
        let stacked = copy.lines.filter { $0.role != .badge }
        let titleCount = stacked.filter { $0.role == .title }.count
        var heights = stacked.map { line -> Int in
            switch line.role {
            case .title: return titleCount > 1 ? r.int(10...18) : r.int(14...26)
            case .subtitle: return r.int(8...12)
            case .body: return r.int(6...9)
            case .footer, .badge: return r.int(6...8)
            }
        }
        var gaps = stacked.indices.dropLast().map { i in stacked[i].role == .title && stacked[i + 1].role != .title ? r.int(2...6) : r.int(1...4) }
        let available = regionBottom - regionTop
        if heights.reduce(0, +) + gaps.reduce(0, +) > available {
            gaps = gaps.map { _ in 1 }
            let room = Double(available - gaps.count), total = Double(heights.reduce(0, +))
            heights = zip(stacked, heights).map { line, h in max(minimumHeight(line.role), Int(Double(h) * room / total)) }
        }
        // Rounding can leave the stack a row or two too tall: take rows from the tallest lines.
        while heights.reduce(0, +) + gaps.reduce(0, +) > available {
            let reducible = heights.indices.filter { heights[$0] > minimumHeight(stacked[$0].role) }
            guard let tallest = reducible.max(by: { heights[$0] < heights[$1] }) else { break }
            heights[tallest] -= 1
        }
        let slack = max(0, available - heights.reduce(0, +) - gaps.reduce(0, +))

        // Vertical placement: top, centred, bottom, or a footer pinned to the bottom edge.
        var tops = [Int](repeating: 0, count: stacked.count)
        let anchor = r.pickWeighted([("top", 0.25), ("centre", 0.3), ("bottom", 0.15), ("split", 0.3)])
        var y = regionTop + (anchor == "centre" ? slack / 2 : anchor == "bottom" ? slack : 0)
        let pinFooter = anchor == "split" && stacked.count >= 2 && stacked[stacked.count - 1].role == .footer
        if anchor == "split" {
            y = regionTop + (pinFooter && r.chance(0.5) ? 0 : slack / 3)
        }
        for i in stacked.indices {
            tops[i] = y
            y += heights[i] + (i < gaps.count ? gaps[i] : 0)
        }
        if pinFooter {
            tops[stacked.count - 1] = regionBottom - heights[stacked.count - 1]
        }

        var lines: [Line] = []
        // A title broken over two lines stays one title: same face, same case.
        var titleStyle: (face: SynthFonts.Face, upper: Bool)? = nil
        for (i, line) in stacked.enumerated() {
            let box = GridBox(left: margin, top: tops[i], right: grid - margin, bottom: tops[i] + heights[i])
            var face: SynthFonts.Face
            var text: String
            if line.role == .title {
                if titleStyle == nil {
                    let chosen = fonts.pick(for: .title, gridHeight: heights[i], random: &r)
                    titleStyle = (chosen, chosen.capsOnly || r.chance(chosen.styleClass == "script" ? 0 : 0.35))
                }
                face = titleStyle!.face
                text = titleStyle!.upper ? line.text.uppercased() : line.text
            } else {
                face = fonts.pick(for: line.role, gridHeight: heights[i], random: &r)
                text = cased(line.text, role: line.role, face: face, random: &r)
            }
            lines.append(Line(role: line.role, text: text, box: box, face: face, alignment: alignment))
        }
        if let badge, let badgeCopy {
            let b = badge.box
            // The text sits inside the shape: the middle band of a disc, the inset of a tag.
            let inner: GridBox
            if badge.round {
                let insetX = Int((Double(b.width) * 0.14).rounded(.up)), half = max(3, Int(Double(b.height) * 0.17))
                let middle = (b.top + b.bottom) / 2
                inner = GridBox(left: b.left + insetX, top: middle - half, right: b.right - insetX, bottom: middle + half)
            } else {
                inner = GridBox(left: b.left + 3, top: b.top + 2, right: b.right - 3, bottom: b.bottom - 2)
            }
            let face = fonts.pick(for: .badge, gridHeight: inner.height, random: &r)
            lines.append(Line(role: .badge, text: cased(badgeCopy.text, role: .badge, face: face, random: &r),
                              box: inner, face: face, alignment: .centre))
        }
        return SynthPlan(lines: lines, badge: badge, margin: margin)
    }

    static func minimumHeight(_ role: SynthRole) -> Int {
        switch role {
        case .title: return 8
        case .subtitle: return 7
        default: return 6
        }
    }

    /// Badges are often set in capitals, other lines now and then; caps-only faces always are.
    private static func cased(_ text: String, role: SynthRole, face: SynthFonts.Face, random r: inout SynthRandom) -> String {
        if face.capsOnly { return text.uppercased() }
        switch role {
        case .badge: return r.chance(0.5) ? text.uppercased() : text
        default: return r.chance(0.08) ? text.uppercased() : text
        }
    }
}
