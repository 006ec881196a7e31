/// TextDiffuser-2's layout-planner output (its "M1"): one text line per input
/// line, `keyword l,t,r,b` on the 128 grid. As in its inference script the box
/// is the last space-separated field; the keyword is everything before that
/// space, kept exactly (inner spaces included) so the format round-trips.
public enum PlannerLinesCodec {
    public static func encode(_ layout: Layout) -> String {
        layout.lines.map { line in
            "\(line.text) \(line.box.values.map(String.init).joined(separator: ","))"
        }.joined(separator: "\n")
    }

    public static func decode(_ text: String, canvas: CanvasSize = .standard) throws(LayoutParseError) -> Layout {
        var lines: [LayoutLine] = []
        // Split on line feeds only ("\r\n" is one Character in Swift), so a keyword may hold any other character.
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            var line = Substring(rawLine)
            if line.last == "\r" { line = line.dropLast() }
            while let last = line.last, last == " " || last == "\t" { line = line.dropLast() }
            if line.allSatisfy(\.isWhitespace) { continue }
            let number = index + 1
            func fail(_ column: Int, _ message: String) -> LayoutParseError {
                LayoutParseError(format: .planner, position: "line \(number), column \(column)", message: message)
            }
            guard let separator = line.lastIndex(where: { $0 == " " || $0 == "\t" }) else {
                throw fail(1, "expected 'keyword l,t,r,b' (text, a space, then four comma-separated grid coordinates), found '\(line.prefix(40))'")
            }
            let keyword = line[line.startIndex..<separator]
            let boxField = line[line.index(after: separator)...]
            let boxColumn = line.distance(from: line.startIndex, to: separator) + 2
            let parts = boxField.split(separator: ",", omittingEmptySubsequences: false)
            guard parts.count == 4 else {
                throw fail(boxColumn, "expected four comma-separated coordinates l,t,r,b after the keyword, found '\(boxField.prefix(40))'")
            }
            var values: [Int] = []
            for part in parts {
                guard !part.isEmpty, part.count <= 6, part.allSatisfy(\.isASCIIDigitLike), let value = Int(part) else {
                    throw fail(boxColumn, "coordinate '\(part.prefix(12))' in '\(boxField.prefix(40))' is not a whole number: expected l,t,r,b such as 26,13,73,35")
                }
                guard GridBox.range.contains(value) else {
                    throw fail(boxColumn, "coordinate \(value) in '\(boxField)' is out of range: expected 0...\(GridBox.gridSize)")
                }
                values.append(value)
            }
            let box = GridBox(left: values[0], top: values[1], right: values[2], bottom: values[3])
            if let problem = box.problem { throw fail(boxColumn, problem) }
            if keyword.isEmpty { throw fail(1, "line has no characters: expected a keyword before the box") }
            let layoutLine = LayoutLine(box: box, text: String(keyword))
            // E.g. U+2028 or a form feed in the keyword: a line break that is not a line feed.
            if let problem = layoutLine.problem { throw fail(1, problem) }
            lines.append(layoutLine)
        }
        if lines.isEmpty {
            throw LayoutParseError(format: .planner, position: "", message: "empty input: expected lines such as 'Summer Sale 26,13,73,35'")
        }
        return try Layout(validated: canvas, lines: lines, format: .planner)
    }
}
