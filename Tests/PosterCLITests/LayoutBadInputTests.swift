import Foundation
import XCTest

/// Bad input to `poster layout` exits with status 2 and one `error: ...` line that
/// names the problem and where it is; never a crash, never another status.
final class LayoutBadInputTests: XCTestCase {
    func testTokenLayoutErrorsNameProblemAndPosition() throws {
        let cases: [(String, [String])] = [
            ("[x8][y10][x120][y30][W", ["token layout", "line 1, column 21", "unclosed bracket"]),
            ("[x8][y10][x129][y30][W]", ["token layout", "line 1, column 10", "'[x129]'", "out of range", "0...128"]),
            ("[x8][y10][x8][y30][W]", ["token layout", "line 1, column 10", "right (8) must be greater than left (8)"]),
            ("[x8][y10][x20][y4][W]", ["token layout", "line 1, column 15", "bottom (4) must be greater than top (10)"]),
            ("[x8][y10][x120][y30]", ["token layout", "line 1", "has no characters"]),
            ("[x8][y10][x120][y30][x1][y1][x9][y9][A]", ["token layout", "line 1, column 21", "line 1 has no characters"]),
            ("[W][x8][y10][x120][y30]", ["token layout", "line 1, column 1", "'[W]' before any box"]),
            ("[x8][y10][x120][y30][A]\n[x1][y1][x9][y9][BC]", ["token layout", "line 2, column 17", "'[BC]'", "more than one character"]),
        ]
        for (text, fragments) in cases {
            assertInputError(try Poster.run(["layout", text]), fragments)
        }
    }

    func testPlannerLayoutErrorsNameProblemAndPosition() throws {
        let cases: [(String, [String])] = [
            ("Summer Sale 8,10,129,30", ["planner-lines layout", "line 1, column 13", "129", "out of range"]),
            ("Summer Sale 8,10,8,30", ["planner-lines layout", "line 1, column 13", "right (8) must be greater than left (8)"]),
            ("Summer Sale 8,30,120,30", ["planner-lines layout", "line 1, column 13", "bottom (30) must be greater than top (30)"]),
            (" 8,10,120,30", ["planner-lines layout", "line 1, column 1", "line has no characters"]),
            ("OK 1,1,50,50\n 8,10,120,30", ["planner-lines layout", "line 2, column 1", "line has no characters"]),
            ("Sale 8,10,120", ["planner-lines layout", "line 1, column 6", "four comma-separated coordinates"]),
            ("Sale 8,x,120,30", ["planner-lines layout", "line 1, column 6", "'x'", "not a whole number"]),
            ("SummerSale", ["planner-lines layout", "line 1, column 1", "expected 'keyword l,t,r,b'", "found 'SummerSale'"]),
            ("Summer Sale", ["planner-lines layout", "line 1, column 8", "four comma-separated coordinates", "found 'Sale'"]),
        ]
        for (text, fragments) in cases {
            assertInputError(try Poster.run(["layout", text]), fragments)
        }
    }

    func testEncoderAndJSONErrors() throws {
        let cases: [(String, [String])] = [
            ("l8 t10 r120 b30 [H] [i", ["encoder-string layout", "line 1, column 21", "unclosed bracket"]),
            ("l8 t10 r120 b30 <|endoftext|>", ["encoder-string layout", "line 1, column 17", "has no characters"]),
            ("l8 t10 r5 b30 [H]", ["encoder-string layout", "line 1, column 8", "right (5) must be greater than left (8)"]),
            // Truncated: Foundation reports the end of the file, with no character offset.
            (#"{"lines":[{"text":"Hi","box":[8,10,120,30]}"#, ["JSON layout", "invalid JSON syntax", "end of file"]),
            (#"{"lines":[{"text":"Hi" "box":[8,10,120,30]}]}"#, ["JSON layout", "line 1, column", "invalid JSON syntax"]),
            ("{\n  \"lines\": [,]\n}", ["JSON layout", "line 2, column", "invalid JSON syntax"]),
            (#"{"lines":[{"text":"Hi","box":[8,10,200,30]}]}"#, ["JSON layout", "lines[0].box", "right coordinate 200 is out of range"]),
            (#"{"lines":[{"text":"","box":[8,10,120,30]}]}"#, ["JSON layout", "lines[0].text", "line has no characters"]),
            (#"{"lines":[{"text":"Hi","box":[8,10.5,120,30]}]}"#, ["JSON layout", "lines[0].box[1]", "whole number"]),
            (#"{"lines":[{"box":[8,10,120,30]}]}"#, ["JSON layout", "lines[0]", "missing key 'text'"]),
            (#"{"lines":[]}"#, ["JSON layout", "lines", "empty layout"]),
            (#"{"grid":64,"lines":[{"text":"Hi","box":[8,10,120,30]}]}"#, ["JSON layout", "grid 64 is not supported"]),
            (#"{"canvas":{"width":0,"height":512},"lines":[{"text":"Hi","box":[8,10,120,30]}]}"#, ["JSON layout", "canvas", "out of range"]),
        ]
        for (text, fragments) in cases {
            assertInputError(try Poster.run(["layout", text]), fragments)
        }
    }

    func testEmptyInput() throws {
        assertInputError(try Poster.run(["layout", ""]), ["empty input"])
        assertInputError(try Poster.run(["layout", "-"], stdin: "  \n\t \n"), ["empty input"])
        assertInputError(try Poster.run(["layout", "-"]), ["empty input"])
        let dir = try TemporaryDirectory()
        assertInputError(try Poster.run(["layout", try dir.write("\n\n", to: "blank.txt")]), ["empty input"])
    }

    func testMissingFileIsReadAsTextAndDirectoryIsRefused() throws {
        // A path that does not exist is layout text: a planner line with no box.
        let missing = "/nonexistent-poster-dir/layout.txt"
        assertInputError(try Poster.run(["layout", missing]),
                         ["planner-lines layout", "line 1, column 1", "expected 'keyword l,t,r,b'", "found '\(missing)'"])
        let dir = try TemporaryDirectory()
        assertInputError(try Poster.run(["layout", dir.url.path]), [dir.url.path, "is a directory"])
        // A file that is not UTF-8.
        let binary = dir.path("latin1.txt")
        try Data([0x53, 0x61, 0x6C, 0xE9, 0x20, 0x31, 0x2C, 0x31, 0x2C, 0x39, 0x2C, 0x39]).write(to: URL(fileURLWithPath: binary))
        assertInputError(try Poster.run(["layout", binary]), [binary, "not UTF-8"])
        assertInputError(try Poster.run(["layout", "-"], stdinData: Data([0xFF, 0xFE, 0x41])), ["standard input", "not UTF-8"])
    }

    func testUnknownFontListsFamilies() throws {
        let result = try Poster.run(["layout", "Hi 8,10,120,30", "--font", "NoSuchFont"])
        assertInputError(result, ["unknown font 'NoSuchFont'", "families:", "Liberation Sans", "Noto Sans Arabic", "Bebas Neue"])
        // A known family, case-insensitively, works.
        assertSuccess(try Poster.run(["layout", "Hi 8,10,120,30", "--font", "bebas neue", "--to", "planner"]))
    }

    func testCharacterNoFontHasIsNamed() throws {
        assertInputError(try Poster.run(["layout", "Om \u{0F00} 8,10,120,30"]),
                         ["line 1, character 4", "no font has '\u{0F00}'", "Liberation Sans", "Noto Sans Devanagari"])
        assertInputError(try Poster.run(["layout", "OK 1,1,50,50\n\u{0F00} 8,10,120,30", "--mask", "/dev/null"]),
                         ["line 2, character 1", "no font has '\u{0F00}'"])
    }

    func testBadArgumentsExitTwo() throws {
        let cases: [([String], [String])] = [
            (["layout", "Hi 8,10,120,30", "--size", "0"], ["'0'", "--size"]),
            (["layout", "Hi 8,10,120,30", "--size", "abc"], ["'abc'", "--size"]),
            (["layout", "Hi 8,10,120,30", "--size", "9000x10"], ["'9000x10'", "--size"]),
            (["layout", "Hi 8,10,120,30", "--size", "512x"], ["'512x'", "--size"]),
            (["layout", "Hi 8,10,120,30", "--fit", "squash"], ["'squash'", "--fit"]),
            (["layout", "Hi 8,10,120,30", "--format", "yaml"], ["'yaml'", "--format"]),
            (["layout", "Hi 8,10,120,30", "--to", "yaml"], ["'yaml'", "--to"]),
            (["layout", "Hi 8,10,120,30", "--mask"], ["--mask"]),
            (["layout", "Hi 8,10,120,30", "--frobnicate"], ["--frobnicate"]),
            (["layout"], ["<layout>"]),
            (["nosuchcommand"], ["nosuchcommand"]),
        ]
        for (arguments, fragments) in cases {
            let result = try Poster.run(arguments)
            XCTAssertFalse(result.terminatedBySignal, result.summary)
            XCTAssertEqual(result.status, 2, result.summary)
            let first = result.stderr.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            XCTAssertTrue(first.lowercased().hasPrefix("error: "), "expected an error line first: \(result.summary)")
            for fragment in fragments {
                XCTAssertTrue(first.contains(fragment), "first stderr line lacks '\(fragment)': \(result.summary)")
            }
            XCTAssertEqual(result.stdout, "", result.summary)
        }
    }

    func testUnwritableOutputPaths() throws {
        let dir = "/nonexistent-poster-dir"
        for option in ["--mask", "--preview", "--charseg"] {
            let path = "\(dir)/out.png"
            assertInputError(try Poster.run(["layout", "Hi 8,10,120,30", option, path]), [path, "cannot write"])
        }
        for option in ["--svg", "--json", "--boxes"] {
            let path = "\(dir)/out.txt"
            assertInputError(try Poster.run(["layout", "Hi 8,10,120,30", option, path]), ["cannot write \(path)"])
        }
        // A directory where a file is expected.
        let temp = try TemporaryDirectory()
        assertInputError(try Poster.run(["layout", "Hi 8,10,120,30", "--mask", temp.url.path]), [temp.url.path])
    }
}
