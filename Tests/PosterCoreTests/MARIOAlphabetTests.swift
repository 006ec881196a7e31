import XCTest
@testable import PosterCore

/// MARIO-10M's 95 character classes (0 is background).
final class MARIOAlphabetTests: XCTestCase {
    func testKnownClasses() {
        XCTAssertEqual(MARIOAlphabet.classIndex(of: "0"), 1)
        XCTAssertEqual(MARIOAlphabet.classIndex(of: "9"), 10)
        XCTAssertEqual(MARIOAlphabet.classIndex(of: "a"), 11)
        XCTAssertEqual(MARIOAlphabet.classIndex(of: "z"), 36)
        XCTAssertEqual(MARIOAlphabet.classIndex(of: "A"), 37)
        XCTAssertEqual(MARIOAlphabet.classIndex(of: "Z"), 62)
        XCTAssertEqual(MARIOAlphabet.classIndex(of: "!"), 63)
        XCTAssertEqual(MARIOAlphabet.classIndex(of: "~"), 94)
        XCTAssertEqual(MARIOAlphabet.classIndex(of: " "), 95)
    }

    func testCharactersOutsideTheAlphabetHaveNoClass() {
        for character: Character in ["é", "e\u{301}", "\t", "\n", "漢", "😀", "ß", "€"] {
            XCTAssertNil(MARIOAlphabet.classIndex(of: character), "\(character)")
        }
    }

    func testAlphabetIsPrintableASCIIInTextDiffusersOrder() {
        XCTAssertEqual(MARIOAlphabet.characters.count, 95)
        XCTAssertEqual(Set(MARIOAlphabet.characters).count, 95)
        let printable = (0x20...0x7E).map { Character(UnicodeScalar(UInt8($0))) }
        XCTAssertEqual(Set(MARIOAlphabet.characters), Set(printable))
        XCTAssertEqual(String(MARIOAlphabet.characters.prefix(36)), "0123456789abcdefghijklmnopqrstuvwxyz")
    }

    func testClassAndCharacterAreInverse() {
        for index in UInt8(1)...95 {
            let character = try! XCTUnwrap(MARIOAlphabet.character(ofClass: index))
            XCTAssertEqual(MARIOAlphabet.classIndex(of: character), index)
        }
        XCTAssertNil(MARIOAlphabet.character(ofClass: 0))
        XCTAssertNil(MARIOAlphabet.character(ofClass: 96))
        XCTAssertNil(MARIOAlphabet.character(ofClass: 255))
    }
}
