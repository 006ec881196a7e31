import XCTest
@testable import PosterCore

/// The Layout value and its parts: the rules a layout built in code must follow.
final class LayoutModelTests: XCTestCase {
    private func line(_ text: String, _ l: Int, _ t: Int, _ r: Int, _ b: Int) -> LayoutLine {
        LayoutLine(box: GridBox(left: l, top: t, right: r, bottom: b), text: text)
    }

    private func layoutError(_ body: () throws(LayoutError) -> Layout) -> String? {
        do { _ = try body(); return nil } catch { return error.message }
    }

    func testValidLayout() throws {
        let layout = try Layout(lines: [line("WILD", 25, 89, 108, 96)])
        XCTAssertEqual(layout.canvas, .standard)
        XCTAssertEqual(layout.grid, 128)
        XCTAssertEqual(layout.lines.count, 1)
    }

    func testLayoutRejectsBadValues() {
        XCTAssertEqual(layoutError { () throws(LayoutError) in try Layout(lines: []) }, "a layout needs at least one line")
        XCTAssertEqual(layoutError { () throws(LayoutError) in try Layout(canvas: CanvasSize(width: 0, height: 10), lines: [line("A", 1, 2, 3, 4)]) },
                       "canvas 0x10 is out of range: expected 1...8192 on each side")
        XCTAssertEqual(layoutError { () throws(LayoutError) in try Layout(lines: [line("A", 1, 2, 3, 4), line("B", 5, 2, 5, 4)]) },
                       "line 2: right (5) must be greater than left (5)")
        XCTAssertEqual(layoutError { () throws(LayoutError) in try Layout(lines: [line("A", 1, 2, 3, 2)]) },
                       "line 1: bottom (2) must be greater than top (2)")
        XCTAssertEqual(layoutError { () throws(LayoutError) in try Layout(lines: [line("A", 0, 0, 129, 4)]) },
                       "line 1: right coordinate 129 is out of range: expected 0...128")
        XCTAssertEqual(layoutError { () throws(LayoutError) in try Layout(lines: [line("", 1, 2, 3, 4)]) }, "line 1: line has no characters")
        XCTAssertTrue(layoutError { () throws(LayoutError) in try Layout(lines: [line("a\r\nb", 1, 2, 3, 4)]) }?.contains("line break") == true)
        XCTAssertTrue(layoutError { () throws(LayoutError) in try Layout(lines: [line("a\u{2029}", 1, 2, 3, 4)]) }?.contains("line break") == true)
    }

    func testGridBoxGeometry() {
        let box = GridBox(left: 25, top: 89, right: 108, bottom: 96)
        XCTAssertEqual(box.width, 83)
        XCTAssertEqual(box.height, 7)
        XCTAssertEqual(box.values, [25, 89, 108, 96])
        XCTAssertNil(box.problem)
        XCTAssertNil(GridBox(left: 0, top: 0, right: 128, bottom: 128).problem)
        XCTAssertEqual(GridBox(left: -1, top: 0, right: 3, bottom: 4).problem, "left coordinate -1 is out of range: expected 0...128")
    }

    func testCanvasLimits() {
        XCTAssertNil(CanvasSize(width: 1, height: 8192).problem)
        XCTAssertNotNil(CanvasSize(width: 8193, height: 1).problem)
        XCTAssertNotNil(CanvasSize(width: 5, height: -1).problem)
    }

    func testPixelRect() throws {
        let layout = try Layout(canvas: CanvasSize(width: 512, height: 256), lines: [line("A", 25, 89, 108, 96)])
        let rect = layout.pixelRect(of: layout.lines[0].box)
        XCTAssertEqual(rect, PixelRect(minX: 100, minY: 178, maxX: 432, maxY: 192))
        XCTAssertEqual(rect.width, 332)
        XCTAssertEqual(rect.height, 14)
        let odd = try Layout(canvas: CanvasSize(width: 100, height: 100), lines: [line("A", 1, 1, 3, 3)])
        XCTAssertEqual(odd.pixelRect(of: odd.lines[0].box).integral, [0, 0, 3, 3])
    }

    func testPixelRectUnion() {
        let a = PixelRect(minX: 0, minY: 0, maxX: 2, maxY: 2), b = PixelRect(minX: 1, minY: -1, maxX: 5, maxY: 1)
        XCTAssertEqual(a.union(b), PixelRect(minX: 0, minY: -1, maxX: 5, maxY: 2))
        let empty = PixelRect(minX: 3, minY: 3, maxX: 3, maxY: 9)
        XCTAssertTrue(empty.isEmpty)
        XCTAssertEqual(empty.union(a), a)
        XCTAssertEqual(a.union(empty), a)
    }

    func testResizedKeepsLinesAndChecksTheCanvas() throws {
        let layout = try Layout(lines: [line("A", 1, 2, 3, 4)])
        let resized = try layout.resized(to: CanvasSize(width: 1024, height: 768))
        XCTAssertEqual(resized.lines, layout.lines)
        XCTAssertEqual(resized.canvas, CanvasSize(width: 1024, height: 768))
        XCTAssertNotNil(layoutError { () throws(LayoutError) in try layout.resized(to: CanvasSize(width: 0, height: 0)) })
    }

    func testCharactersAreGraphemeClusters() {
        let text = "e\u{301}👩‍💻 x"
        XCTAssertEqual(line(text, 1, 2, 3, 4).characters, ["e\u{301}", "👩‍💻", " ", "x"])
        XCTAssertEqual(String(line(text, 1, 2, 3, 4).characters), text)
    }
}
