import Foundation
import PosterCore
import XCTest

/// `poster layout` reading its LAYOUT argument: text, a file, `-` (stdin), every
/// format detected or forced with `--format`, and converting with `--to`.
final class LayoutInputTests: XCTestCase {
    /// One layout, "Hi" in the box 8,10,120,30, in each format.
    static let spellings: [LayoutFormat: String] = [
        .tokens: "[x8][y10][x120][y30][H][i]",
        .planner: "Hi 8,10,120,30",
        .encoder: "l8 t10 r120 b30 [H] [i] <|endoftext|>",
        .json: #"{"canvas":{"width":512,"height":512},"grid":128,"lines":[{"text":"Hi","box":[8,10,120,30]}]}"#,
    ]

    static var expectedJSON: String {
        #"{"canvas":{"width":512,"height":512},"grid":128,"lines":[{"text":"Hi","box":[8,10,120,30],"pixel_box":[32,40,480,120]}]}"# + "\n"
    }

    func testEveryFormatIsAcceptedAsText() throws {
        for format in LayoutFormat.allCases {
            let text = try XCTUnwrap(Self.spellings[format])
            let result = try Poster.run(["layout", text, "--json", "-"])
            assertSuccess(result)
            XCTAssertEqual(result.stdout, Self.expectedJSON, "read as \(format)")
        }
    }

    func testMultiLinePlannerAndEncoderLayouts() throws {
        let planner = try Poster.run(["layout", "Summer Sale 8,10,120,30\n50% OFF 20,40,100,60\n", "--to", "tokens"])
        assertSuccess(planner)
        XCTAssertEqual(planner.stdout, "[x8][y10][x120][y30][S][u][m][m][e][r][ ][S][a][l][e][x20][y40][x100][y60][5][0][%][ ][O][F][F]\n")
        let encoder = try Poster.run(["layout", "l8 t10 r120 b30 [H] [i] <|endoftext|> l1 t2 r3 b4 [!] <|endoftext|>", "--to", "planner"])
        assertSuccess(encoder)
        XCTAssertEqual(encoder.stdout, "Hi 8,10,120,30\n! 1,2,3,4\n")
    }

    func testLayoutFromAFile() throws {
        let dir = try TemporaryDirectory()
        for format in LayoutFormat.allCases {
            let path = try dir.write(try XCTUnwrap(Self.spellings[format]) + "\n", to: "layout-\(format).txt")
            let result = try Poster.run(["layout", path, "--json", "-"])
            assertSuccess(result)
            XCTAssertEqual(result.stdout, Self.expectedJSON, "file in \(format)")
        }
        // A byte-order mark and CRLF line ends (a file saved on Windows).
        let windows = try dir.write("\u{FEFF}Summer Sale 8,10,120,30\r\nOK 8,40,60,60\r\n", to: "windows.txt")
        let result = try Poster.run(["layout", windows, "--to", "planner"])
        assertSuccess(result)
        XCTAssertEqual(result.stdout, "Summer Sale 8,10,120,30\nOK 8,40,60,60\n")
    }

    func testLayoutFromStandardInput() throws {
        for format in LayoutFormat.allCases {
            let result = try Poster.run(["layout", "-", "--json", "-"], stdin: try XCTUnwrap(Self.spellings[format]))
            assertSuccess(result)
            XCTAssertEqual(result.stdout, Self.expectedJSON, "stdin in \(format)")
        }
        let dir = try TemporaryDirectory()
        let result = try Poster.run(["layout", "-", "--mask", dir.path("m.png")], stdin: "Hi 8,10,120,30\n")
        assertSuccess(result)
        let mask = try PNGCodec.readGray(from: dir.path("m.png"))
        XCTAssertNotNil(mask.litBounds(), "the mask from stdin has ink")
    }

    func testConvertingWithTo() throws {
        // Every input format to every output format: stdout is the codec's encoding and reads back to the same layout.
        let layout = try Layout.parse("Summer Sale 8,10,120,30\nA<B & C 20,60,100,90")
        for source in LayoutFormat.allCases {
            let input = source.encode(layout)
            for target in LayoutFormat.allCases {
                let result = try Poster.run(["layout", input, "--to", target.rawValue])
                assertSuccess(result)
                XCTAssertEqual(result.stdout, target.encode(layout) + "\n", "\(source) -> \(target)")
                XCTAssertEqual(try Layout.parse(result.stdout), layout, "\(source) -> \(target) does not read back")
            }
        }
    }

    func testToSpellings() throws {
        let text = "Hi 8,10,120,30"
        let expected: [String: String] = [
            "planner": "Hi 8,10,120,30\n",
            "encoder": "l8 t10 r120 b30 [H] [i] <|endoftext|>\n",
            "tokens": "[x8][y10][x120][y30][H][i]\n",
            "json": Self.expectedJSON,
        ]
        for (name, output) in expected {
            let result = try Poster.run(["layout", text, "--to", name])
            assertSuccess(result)
            XCTAssertEqual(result.stdout, output, "--to \(name)")
        }
    }

    func testFormatForcesTheReader() throws {
        // Detected as an encoder string (it starts "l8 t10"), which fails; as planner lines it is the keyword "l8 t10".
        let encoderLooking = "l8 t10 8,10,120,30"
        assertInputError(try Poster.run(["layout", encoderLooking]), ["encoder-string layout"])
        let planner = try Poster.run(["layout", encoderLooking, "--format", "planner", "--to", "json"])
        assertSuccess(planner)
        XCTAssertTrue(planner.stdout.contains(#""text":"l8 t10""#), planner.stdout)

        // Starts with '[': detected as tokens; forced planner keeps the brackets as text.
        let bracketed = "[sale] 8,10,120,30"
        assertInputError(try Poster.run(["layout", bracketed]), ["token layout"])
        let forced = try Poster.run(["layout", bracketed, "--format", "planner", "--to", "tokens"])
        assertSuccess(forced)
        XCTAssertEqual(forced.stdout, "[x8][y10][x120][y30][[][s][a][l][e][]]\n")

        // A valid planner line read as JSON or tokens is an error in that format.
        assertInputError(try Poster.run(["layout", "Hi 8,10,120,30", "--format", "json"]), ["JSON layout", "invalid JSON"])
        assertInputError(try Poster.run(["layout", "Hi 8,10,120,30", "--format", "tokens"]), ["token layout", "line 1, column 1"])
        let tokens = try Poster.run(["layout", "[x8][y10][x120][y30][H][i]", "--format", "tokens", "--to", "planner"])
        assertSuccess(tokens)
        XCTAssertEqual(tokens.stdout, "Hi 8,10,120,30\n")
    }
}
