import Foundation
import OCRData
import XCTest

/// Captions for `poster data annotate`: sidecar NAME.txt files and a TSV captions file.
final class CaptionSourceTests: XCTestCase {
    func testCaptionsFileSidecarsAndPrecedence() throws {
        let root = try makeScratchFolder(self)
        let file = root.appendingPathComponent("captions.tsv")
        try Data("a.jpg\tFrom the file  \r\n\r\nb.png\t\n\nc.jpg\tcaption with\ta tab\n".utf8).write(to: file)
        try Data("  From the sidecar \n".utf8).write(to: root.appendingPathComponent("a.txt"))
        try Data("B sidecar".utf8).write(to: root.appendingPathComponent("b.txt"))
        try Data(" \n".utf8).write(to: root.appendingPathComponent("d.txt"))
        try Data("E sidecar".utf8).write(to: root.appendingPathComponent("e.txt"))

        let source = try CaptionSource(file: file)
        func caption(_ name: String) -> String? { source.caption(for: root.appendingPathComponent(name)) }
        XCTAssertEqual(caption("a.jpg"), "From the file", "the captions file wins, trimmed")
        XCTAssertEqual(caption("b.png"), "B sidecar", "an empty entry falls back to the sidecar")
        XCTAssertEqual(caption("c.jpg"), "caption with\ta tab", "split at the first tab only")
        XCTAssertNil(caption("d.png"), "a blank sidecar is no caption")
        XCTAssertEqual(caption("e.jpeg"), "E sidecar")
        XCTAssertNil(caption("f.png"))
        // The file name is matched as found in the folder, not the full path.
        XCTAssertEqual(source.caption(for: root.appendingPathComponent("sub/a.jpg")), "From the file")

        let sidecarsOnly = CaptionSource()
        XCTAssertEqual(sidecarsOnly.caption(for: root.appendingPathComponent("a.jpg")), "From the sidecar")
    }

    func testLineWithoutATabIsAnErrorNamingTheLine() throws {
        let root = try makeScratchFolder(self)
        let file = root.appendingPathComponent("captions.tsv")
        try Data("a.jpg\tfine\n\nb.jpg fine but spaces\nc.jpg\tok\n".utf8).write(to: file)
        XCTAssertThrowsError(try CaptionSource(file: file)) { error in
            XCTAssertTrue("\(error)".contains("line 3"), "\(error)")
            XCTAssertTrue("\(error)".contains("no tab"), "\(error)")
            XCTAssertTrue("\(error)".contains(file.path), "\(error)")
        }
    }

    func testUnreadableCaptionsFileIsAClearError() throws {
        let root = try makeScratchFolder(self)
        XCTAssertThrowsError(try CaptionSource(file: root.appendingPathComponent("absent.tsv"))) { error in
            XCTAssertTrue("\(error)".contains("absent.tsv"), "\(error)")
        }
        let latin1 = root.appendingPathComponent("latin1.tsv")
        try Data([0x61, 0x09, 0xE9, 0xFF, 0x0A]).write(to: latin1)
        XCTAssertThrowsError(try CaptionSource(file: latin1)) { error in
            XCTAssertTrue("\(error)".contains("UTF-8"), "\(error)")
        }
    }
}
