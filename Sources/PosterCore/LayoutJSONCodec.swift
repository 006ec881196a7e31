import Foundation

/// The layout as JSON: `{"canvas":{"width":512,"height":512},"grid":128,
/// "lines":[{"text":"WILD","box":[25,89,108,96],"pixel_box":[100,356,432,384]}]}`.
/// `pixel_box` is written for people and tools that want pixels; it is derived
/// from `box` and the canvas, so reading ignores it. `canvas` defaults to
/// 512x512 and `grid`, when present, must be 128.
public enum LayoutJSONCodec {
    public static func encode(_ layout: Layout) -> String {
        var out = "{\"canvas\":{\"width\":\(layout.canvas.width),\"height\":\(layout.canvas.height)},\"grid\":\(layout.grid),\"lines\":["
        for (index, line) in layout.lines.enumerated() {
            if index > 0 { out += "," }
            let pixels = layout.pixelRect(of: line.box)
            let pixelBox = [pixels.minX, pixels.minY, pixels.maxX, pixels.maxY].map(Self.number).joined(separator: ",")
            out += "{\"text\":\(quoted(line.text)),\"box\":[\(line.box.values.map(String.init).joined(separator: ","))],\"pixel_box\":[\(pixelBox)]}"
        }
        return out + "]}"
    }

    public static func decode(_ text: String) throws(LayoutParseError) -> Layout {
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: Data(text.utf8))
        } catch let error as DecodingError {
            throw syntaxError(in: text) ?? describe(error)
        } catch {
            throw LayoutParseError(format: .json, position: "", message: "\(error)")
        }
        func fail(_ path: String, _ message: String) -> LayoutParseError {
            LayoutParseError(format: .json, position: path, message: message)
        }
        if let grid = document.grid?.value, grid != GridBox.gridSize {
            throw fail("grid", "grid \(grid) is not supported: expected \(GridBox.gridSize)")
        }
        let canvas = document.canvas.map { CanvasSize(width: $0.width.value, height: $0.height.value) } ?? .standard
        if let problem = canvas.problem { throw fail("canvas", problem) }
        if document.lines.isEmpty { throw fail("lines", "empty layout: expected at least one line") }
        var lines: [LayoutLine] = []
        for (index, line) in document.lines.enumerated() {
            let path = "lines[\(index)]"
            guard line.box.count == 4 else {
                throw fail("\(path).box", "expected four coordinates [left, top, right, bottom], found \(line.box.count)")
            }
            let box = GridBox(left: line.box[0].value, top: line.box[1].value, right: line.box[2].value, bottom: line.box[3].value)
            if let problem = box.problem { throw fail("\(path).box", problem) }
            let layoutLine = LayoutLine(box: box, text: line.text)
            if let problem = layoutLine.problem { throw fail("\(path).text", problem) }
            lines.append(layoutLine)
        }
        return try Layout(validated: canvas, lines: lines, format: .json)
    }

    private struct Document: Decodable {
        struct Canvas: Decodable { var width: WholeNumber; var height: WholeNumber }
        struct Line: Decodable { var text: String; var box: [WholeNumber] }
        var canvas: Canvas?
        var grid: WholeNumber?
        var lines: [Line]
    }

    /// A JSON whole number. Decoded through Double because JSONDecoder on Linux
    /// reports a fraction (or an overflow) read as Int only as "not valid JSON",
    /// with no coding path; this way the error keeps the path, e.g. `lines[0].box[1]`.
    private struct WholeNumber: Decodable {
        var value: Int
        init(from decoder: any Decoder) throws {
            let number = try decoder.singleValueContainer().decode(Double.self)
            guard let value = Int(exactly: number) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                        debugDescription: "expected a whole number, found \(number)"))
            }
            self.value = value
        }
    }

    /// The syntax error in `text`, or nil when it is well-formed JSON. JSONDecoder on
    /// Linux drops its parser's error (no underlying error, no location), so this asks
    /// JSONSerialization, whose "around character N" (a UTF-8 offset) becomes a line and column.
    private static func syntaxError(in text: String) -> LayoutParseError? {
        do {
            _ = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
            return nil
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            var position = ""
            if let marker = detail.range(of: "around character "),
               let offset = Int(detail[marker.upperBound...].prefix(while: \.isASCIIDigitLike)), offset <= text.utf8.count {
                let before = Array(String(decoding: text.utf8.prefix(offset), as: UTF8.self))
                position = TextPositions(before).describe(before.count)
            }
            return LayoutParseError(format: .json, position: position, message: "invalid JSON syntax: \(detail)")
        }
    }

    private static func describe(_ error: DecodingError) -> LayoutParseError {
        func path(_ codingPath: [any CodingKey]) -> String {
            var out = ""
            for key in codingPath {
                if let index = key.intValue { out += "[\(index)]" } else { out += (out.isEmpty ? "" : ".") + key.stringValue }
            }
            return out
        }
        switch error {
        case .keyNotFound(let key, let context):
            let at = path(context.codingPath)
            return LayoutParseError(format: .json, position: at.isEmpty ? "top level" : at,
                                    message: "missing key '\(key.stringValue)'")
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            return LayoutParseError(format: .json, position: path(context.codingPath),
                                    message: "expected \(describe(type)): \(context.debugDescription)")
        case .dataCorrupted(let context):
            let underlying = context.underlyingError.map { " (\(($0 as NSError).userInfo[NSDebugDescriptionErrorKey] ?? $0))" } ?? ""
            return LayoutParseError(format: .json, position: path(context.codingPath),
                                    message: "\(context.debugDescription)\(underlying)")
        @unknown default:
            return LayoutParseError(format: .json, position: "", message: "\(error)")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is Double.Type: "a whole number"
        case is String.Type: "a string"
        case is [Int].Type, is [Any].Type: "an array"
        default: "\(type)"
        }
    }

    /// Shortest exact decimal: whole numbers without a fraction.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    /// A JSON string literal.
    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
