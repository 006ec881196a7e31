import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import PosterCore
import XCTest

/// `poster layout` writing its outputs: mask, preview PNG, SVG, JSON, charseg, character boxes.
final class LayoutOutputTests: XCTestCase {
    /// Two lines; the second holds XML's special characters.
    static let layoutText = "Summer Sale 8,10,120,30\nA<B & C 20,60,100,90"

    func testAllOutputsAtOnce() throws {
        let dir = try TemporaryDirectory()
        let result = try Poster.run(["layout", Self.layoutText,
                                     "--mask", dir.path("m.png"), "--preview", dir.path("p.png"),
                                     "--svg", dir.path("p.svg"), "--json", dir.path("j.json")])
        assertSuccess(result)
        XCTAssertEqual(result.stdout, "", "with output files nothing is printed")
        XCTAssertEqual(result.stderr, "")
        let layout = try Layout.parse(Self.layoutText)
        let rects = ImageChecks.pixelRects(of: layout)
        XCTAssertEqual(rects, [[32, 40, 480, 120], [80, 240, 400, 360]])

        // Mask: grey, canvas-sized, lit only inside the boxes, and lit in each of them.
        let mask = try PNGCodec.readGray(from: dir.path("m.png"))
        XCTAssertEqual([mask.width, mask.height], [512, 512])
        let stray = ImageChecks.litPixels(in: mask, outside: rects)
        XCTAssertTrue(stray.isEmpty, "mask pixels lit outside every box, e.g. \(stray)")
        for rect in rects {
            XCTAssertGreaterThan(ImageChecks.litCount(in: mask, rect: rect), rect[2] - rect[0], "box \(rect) has almost no ink")
        }
        XCTAssertTrue(mask.pixels.contains(255), "the mask has fully covered pixels")

        // Preview: RGB, same size; each box outlined in its palette colour, background elsewhere.
        let preview = try PNGCodec.readRGB(from: dir.path("p.png"))
        XCTAssertEqual([preview.width, preview.height], [512, 512])
        let colours = [RGBColor(red: 31, green: 119, blue: 180), RGBColor(red: 255, green: 127, blue: 14)]
        for (rect, colour) in zip(rects, colours) {
            // Bottom edge row and right edge column (the top-left carries the index tab).
            let bottom = (rect[0]..<rect[2]).filter { preview[$0, rect[3] - 1] == colour }.count
            let right = (rect[1]..<rect[3]).filter { preview[rect[2] - 1, $0] == colour }.count
            XCTAssertEqual(bottom, rect[2] - rect[0], "bottom edge of \(rect) not all \(describe(colour))")
            XCTAssertEqual(right, rect[3] - rect[1], "right edge of \(rect) not all \(describe(colour))")
            let middle = (rect[0] + rect[2]) / 2
            XCTAssertEqual(preview[middle, rect[3] - 1], colour)
        }
        XCTAssertEqual(preview[5, 500], RGBColor(red: 246, green: 246, blue: 242), "background outside the boxes")
        // Text is drawn dark inside the first box.
        let dark = ImageChecks.count(in: preview, rect: rects[0]) { Int($0.red) + Int($0.green) + Int($0.blue) < 120 }
        XCTAssertGreaterThan(dark, 500, "the preview shows the first line's text")

        // SVG: well-formed XML with a rect per box plus the background, and the texts escaped.
        let svg = try dir.read("p.svg")
        XCTAssertTrue(svg.hasPrefix("<svg"), svg)
        XCTAssertEqual(svg.components(separatedBy: "<rect").count - 1, 3, svg)
        XCTAssertTrue(svg.contains("stroke=\"#1f77b4\""), svg)
        XCTAssertTrue(svg.contains(">Summer Sale</text>"), svg)
        XCTAssertTrue(svg.contains(">A&lt;B &amp; C</text>"), svg)
        XCTAssertFalse(svg.contains("A<B"), "unescaped '<' in the SVG")
        let parsed = try SVGTexts.parse(svg)
        XCTAssertTrue(parsed.contains("Summer Sale"), "\(parsed)")
        XCTAssertTrue(parsed.contains("A<B & C"), "\(parsed)")

        // JSON: exactly what the codec writes for this layout.
        XCTAssertEqual(try dir.read("j.json"), LayoutJSONCodec.encode(layout) + "\n")
    }

    func testJSONToStandardOutput() throws {
        let result = try Poster.run(["layout", "Hi 1,2,64,40", "--json", "-"])
        assertSuccess(result)
        XCTAssertEqual(result.stdout, LayoutJSONCodec.encode(try Layout.parse("Hi 1,2,64,40")) + "\n")
    }

    func testSizeChangesTheCanvas() throws {
        let dir = try TemporaryDirectory()
        let result = try Poster.run(["layout", Self.layoutText, "--size", "768x512",
                                     "--mask", dir.path("m.png"), "--preview", dir.path("p.png"), "--json", dir.path("j.json")])
        assertSuccess(result)
        let mask = try PNGCodec.readGray(from: dir.path("m.png"))
        XCTAssertEqual([mask.width, mask.height], [768, 512])
        let preview = try PNGCodec.readRGB(from: dir.path("p.png"))
        XCTAssertEqual([preview.width, preview.height], [768, 512])
        let layout = try Layout.parse(Self.layoutText).resized(to: CanvasSize(width: 768, height: 512))
        let rects = ImageChecks.pixelRects(of: layout)
        XCTAssertEqual(rects[0], [48, 40, 720, 120])
        XCTAssertTrue(ImageChecks.litPixels(in: mask, outside: rects).isEmpty)
        XCTAssertEqual(try dir.read("j.json"), LayoutJSONCodec.encode(layout) + "\n")

        // A square size, and a JSON layout's own canvas used when --size is absent.
        let square = try Poster.run(["layout", Self.layoutText, "--size", "256", "--mask", dir.path("s.png")])
        assertSuccess(square)
        let small = try PNGCodec.readGray(from: dir.path("s.png"))
        XCTAssertEqual([small.width, small.height], [256, 256])
        let json = #"{"canvas":{"width":300,"height":200},"lines":[{"text":"Hi","box":[8,10,120,30]}]}"#
        let fromJSON = try Poster.run(["layout", json, "--mask", dir.path("c.png")])
        assertSuccess(fromJSON)
        let canvas = try PNGCodec.readGray(from: dir.path("c.png"))
        XCTAssertEqual([canvas.width, canvas.height], [300, 200])
    }

    func testStretchFillsTheBoxWhereFitKeepsProportions() throws {
        let dir = try TemporaryDirectory()
        let text = "Hi 8,10,120,30"
        assertSuccess(try Poster.run(["layout", text, "--mask", dir.path("fit.png")]))
        assertSuccess(try Poster.run(["layout", text, "--fit", "stretch", "--mask", dir.path("stretch.png")]))
        let fit = try PNGCodec.readGray(from: dir.path("fit.png"))
        let stretch = try PNGCodec.readGray(from: dir.path("stretch.png"))
        XCTAssertNotEqual(fit.pixels, stretch.pixels, "--fit stretch drew the same mask as fit")
        let rect = [32, 40, 480, 120]
        XCTAssertTrue(ImageChecks.litPixels(in: stretch, outside: [rect]).isEmpty)
        let fitBounds = try XCTUnwrap(fit.litBounds()), stretchBounds = try XCTUnwrap(stretch.litBounds())
        // "Hi" in a wide box: fit is limited by the height, stretch spans (nearly) the whole width.
        XCTAssertLessThan(fitBounds.maxX - fitBounds.minX, 250)
        XCTAssertGreaterThan(stretchBounds.maxX - stretchBounds.minX, 400)
    }

    func testCharsegHoldsMARIOClassIndices() throws {
        let dir = try TemporaryDirectory()
        let text = "Ab9 x? 8,10,120,60"
        let result = try Poster.run(["layout", text, "--charseg", dir.path("c.png")])
        assertSuccess(result)
        let map = try PNGCodec.readGray(from: dir.path("c.png"))
        XCTAssertEqual([map.width, map.height], [256, 256])
        let classes = ImageChecks.values(of: map).subtracting([0])
        XCTAssertFalse(classes.isEmpty, "charseg is empty")
        XCTAssertTrue(classes.allSatisfy { (1...95).contains($0) }, "invalid classes \(classes.sorted())")
        let expected = Set("Ab9x?".compactMap(MARIOAlphabet.classIndex(of:)))
        XCTAssertEqual(classes, expected, "classes present: \(classes.sorted().map { MARIOAlphabet.character(ofClass: $0).map(String.init) ?? "?" })")
        // Labels stay inside the box (halved: 16,20,240,120 at 256 px).
        XCTAssertTrue(ImageChecks.litPixels(in: map, outside: [[16, 20, 240, 120]]).isEmpty)
    }

    func testTinyCanvasesNeverCrash() throws {
        // A 1-pixel side once halved to a 0-pixel charseg and crashed on a precondition.
        let dir = try TemporaryDirectory()
        for size in ["1", "3x1", "1x2", "2"] {
            let result = try Poster.run(["layout", "Hi 8,10,120,30", "--size", size, "--mask", dir.path("m.png"),
                                         "--preview", dir.path("p.png"), "--svg", dir.path("p.svg"), "--charseg", dir.path("c.png")])
            assertSuccess(result)
            let parts = size.split(separator: "x").compactMap { Int($0) }
            let (width, height) = (parts[0], parts.last!)
            let mask = try PNGCodec.readGray(from: dir.path("m.png"))
            XCTAssertEqual([mask.width, mask.height], [width, height], "--size \(size)")
            let map = try PNGCodec.readGray(from: dir.path("c.png"))
            XCTAssertEqual([map.width, map.height], [max(1, width / 2), max(1, height / 2)], "--size \(size)")
            XCTAssertTrue(map.pixels.allSatisfy { $0 <= 95 })
        }
    }

    func testBoxesListEveryCharacter() throws {
        let result = try Poster.run(["layout", "Hi there 8,10,120,30\nOK 8,40,60,60", "--boxes", "-"])
        assertSuccess(result)
        let entries = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]], result.stdout)
        XCTAssertEqual(entries.count, "Hi there".count + "OK".count)
        XCTAssertEqual(entries.compactMap { $0["char"] as? String }.joined(), "Hi thereOK")
        XCTAssertEqual(entries.compactMap { $0["line"] as? Int }, Array(repeating: 0, count: 8) + [1, 1])
        XCTAssertEqual(entries.compactMap { $0["index"] as? Int }, Array(0..<8) + [0, 1])
        for entry in entries {
            let box = try XCTUnwrap(entry["box"] as? [Double], "\(entry)")
            XCTAssertEqual(box.count, 4)
            // Inside the canvas, well-ordered; line 0's inside its box (32,40,480,120).
            XCTAssertTrue(box[0] < box[2] && box[1] < box[3] && box[0] >= 0 && box[3] <= 512, "\(entry)")
            if entry["line"] as? Int == 0 {
                XCTAssertTrue(box[0] >= 32 && box[2] <= 480 && box[1] >= 40 && box[3] <= 120, "\(entry)")
            }
        }
        // Characters run left to right.
        let lefts = entries.prefix(8).compactMap { ($0["box"] as? [Double])?[0] }
        XCTAssertEqual(lefts, lefts.sorted())
    }

    func testNoOutputOptionPrintsTokensAndFittedSizes() throws {
        let result = try Poster.run(["layout", "Summer Sale 8,10,120,30"])
        assertSuccess(result)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, result.stdout)
        XCTAssertEqual(lines.first, "[x8][y10][x120][y30][S][u][m][m][e][r][ ][S][a][l][e]")
        XCTAssertTrue(lines.last?.hasPrefix("line 0: \"Summer Sale\" ") == true, result.stdout)
        XCTAssertTrue(lines.last?.hasSuffix(" px, fonts: Liberation Sans") == true, result.stdout)
    }
}

/// The character data of every `<text>` element of an SVG, read with an XML parser
/// (so the file must be well-formed and its escapes must decode back to the text).
final class SVGTexts: NSObject, XMLParserDelegate {
    private var texts: [String] = []
    private var current: String?

    static func parse(_ svg: String) throws -> [String] {
        let parser = XMLParser(data: Data(svg.utf8))
        let delegate = SVGTexts()
        parser.delegate = delegate
        guard parser.parse() else {
            throw parser.parserError ?? NSError(domain: "SVGTexts", code: 1)
        }
        return delegate.texts
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        if elementName == "text" { current = "" }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        current? += string
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        if elementName == "text", let text = current { texts.append(text); current = nil }
    }
}
