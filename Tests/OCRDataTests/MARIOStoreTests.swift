import Foundation
import OCRData
import PosterCore
import XCTest

/// Sample folders `{5-digit}/{9-digit}/`: written atomically, listed and read back.
final class MARIOStoreTests: XCTestCase {
    /// A 64x48 image with a gradient, so a JPEG round trip is close but not exact.
    func gradient(width: Int = 64, height: Int = 48) -> RGBImage {
        var pixels: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width { pixels += [UInt8(x * 255 / (width - 1)), UInt8(y * 255 / (height - 1)), 128] }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    func sample(id: String, png: Bool) -> MARIOSample {
        MARIOSample(id: id, image: gradient(), caption: "A poster with 'Grand Opening' on it",
                    words: [MARIOWord(text: "Grand", left: 2, top: 3, right: 30, bottom: 12, confidence: 0.913),
                            MARIOWord(text: "Opening", polygon: [32, 3, 60, 4, 61, 12, 31, 13], confidence: 0.5)],
                    charseg: NumpyArray(rows: 2, columns: 3, values: [0, 1, 95, 7, 8, 9]),
                    info: "{\"url\": \"https://example.com/a.jpg\",\n \"original_width\": 1024, \"original_height\": 768}\n",
                    imageIsPNG: png)
    }

    func testIdsAndRelativePaths() {
        XCTAssertEqual(MARIOSample.id(index: 0), "000000000")
        XCTAssertEqual(MARIOSample.id(index: 283305839), "283305839")
        XCTAssertEqual(MARIOSample.relativePath(id: "283305839"), "28330/283305839")
    }

    func testJPEGSampleRoundTrips() throws {
        let root = try makeScratchFolder(self)
        let original = sample(id: "000012345", png: false)
        try MARIOStore.write(original, to: root)
        let folder = root.appendingPathComponent("00001/000012345")
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: folder.path)),
                       ["image.jpg", "caption.txt", "ocr.txt", "info.json", "charseg.npy"])

        let entries = try MARIOStore.entries(in: root)
        XCTAssertEqual(entries.map(\.id), ["000012345"])
        XCTAssertEqual(entries[0].directory.standardizedFileURL.path, folder.standardizedFileURL.path)

        let (read, errors) = try MARIOStore.read(entries[0])
        XCTAssertEqual(errors, [])
        XCTAssertEqual(read.id, original.id)
        XCTAssertEqual(read.caption, original.caption)
        XCTAssertEqual(read.words, original.words)
        XCTAssertEqual(read.charseg, original.charseg)
        XCTAssertEqual(read.info, original.info)
        XCTAssertFalse(read.imageIsPNG)
        XCTAssertEqual([read.image.width, read.image.height], [64, 48])
        let worst = zip(read.image.pixels, original.image.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 999
        XCTAssertLessThanOrEqual(worst, 12, "JPEG at quality 95 stays close")

        // info.json is kept byte for byte, and charseg.npy is numpy's format.
        XCTAssertEqual(try Data(contentsOf: folder.appendingPathComponent("info.json")), Data(original.info.utf8))
        XCTAssertEqual([UInt8](try Data(contentsOf: folder.appendingPathComponent("charseg.npy"))), original.charseg!.encoded())
        XCTAssertEqual(try String(contentsOf: folder.appendingPathComponent("caption.txt"), encoding: .utf8), original.caption + "\n")
    }

    func testPNGSampleRoundTripsExactly() throws {
        let root = try makeScratchFolder(self)
        let original = sample(id: "000000007", png: true)
        try MARIOStore.write(original, to: root)
        XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent("00000/000000007/image.png").path))
        let (read, _) = try MARIOStore.read(try XCTUnwrap(try MARIOStore.entries(in: root).first))
        XCTAssertTrue(read.imageIsPNG)
        XCTAssertEqual(read.image, original.image)
        XCTAssertEqual(read.words, original.words)
        XCTAssertEqual(read.info, original.info)
    }

    func testSampleWithoutCharsegOrInfo() throws {
        let root = try makeScratchFolder(self)
        var original = sample(id: "000000001", png: true)
        original.charseg = nil
        try MARIOStore.write(original, to: root)
        let folder = root.appendingPathComponent("00000/000000001")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("charseg.npy").path))
        try FileManager.default.removeItem(at: folder.appendingPathComponent("info.json"))
        let (read, _) = try MARIOStore.read(try XCTUnwrap(try MARIOStore.entries(in: root).first))
        XCTAssertNil(read.charseg)
        XCTAssertEqual(read.info, "{}")
    }

    func testRewriteReplacesTheEarlierCopy() throws {
        let root = try makeScratchFolder(self)
        try MARIOStore.write(sample(id: "000000001", png: false), to: root)
        var second = sample(id: "000000001", png: true)
        second.caption = "replaced"
        second.words = []
        try MARIOStore.write(second, to: root)
        let folder = root.appendingPathComponent("00000/000000001")
        // The JPEG of the first copy is gone: the folder is replaced, not merged.
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("image.jpg").path))
        let (read, _) = try MARIOStore.read(try XCTUnwrap(try MARIOStore.entries(in: root).first))
        XCTAssertEqual(read.caption, "replaced")
        XCTAssertEqual(read.words, [])
        // No temporary folder is left behind.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("00000").path), ["000000001"])
    }

    func testEntriesAreSortedAndSkipHiddenTemporaryAndUnrelatedFolders() throws {
        let root = try makeScratchFolder(self)
        for id in ["100000002", "000000003", "000000001"] { try MARIOStore.write(sample(id: id, png: true), to: root) }
        let fm = FileManager.default
        // A stale temporary folder of an interrupted write, with files a sample would have.
        let stale = root.appendingPathComponent("00000/.000000009.tmp-4242")
        try fm.createDirectory(at: stale, withIntermediateDirectories: true)
        try Data("junk\n".utf8).write(to: stale.appendingPathComponent("caption.txt"))
        try Data("x 1,2 0.9\n".utf8).write(to: stale.appendingPathComponent("ocr.txt"))
        // A hidden top-level folder, an empty sample folder, a folder of other files, and a loose file.
        try fm.createDirectory(at: root.appendingPathComponent(".cache/000000005"), withIntermediateDirectories: true)
        try Data("a\n".utf8).write(to: root.appendingPathComponent(".cache/000000005/caption.txt"))
        try fm.createDirectory(at: root.appendingPathComponent("00000/000000006"), withIntermediateDirectories: true)
        try fm.createDirectory(at: root.appendingPathComponent("00000/000000008"), withIntermediateDirectories: true)
        try Data("notes".utf8).write(to: root.appendingPathComponent("00000/000000008/notes.md"))
        try Data("{}".utf8).write(to: root.appendingPathComponent("report.json"))

        XCTAssertEqual(try MARIOStore.entries(in: root).map(\.id), ["000000001", "000000003", "100000002"])
    }

    func testEntriesOfMissingRootIsAClearError() throws {
        let root = try makeScratchFolder(self).appendingPathComponent("absent")
        XCTAssertThrowsError(try MARIOStore.entries(in: root)) { error in
            XCTAssertEqual((error as? MARIOStore.ReadError)?.reason, "unreadable_root")
            XCTAssertTrue("\(error)".contains(root.path), "\(error)")
        }
    }

    func testReadErrorsCarryTheirReasons() throws {
        let root = try makeScratchFolder(self)
        let fm = FileManager.default
        func reason(_ mutate: (URL) throws -> Void) throws -> String? {
            try? fm.removeItem(at: root.appendingPathComponent("00000"))
            try MARIOStore.write(sample(id: "000000001", png: false), to: root)
            let entry = try XCTUnwrap(try MARIOStore.entries(in: root).first)
            try mutate(entry.directory)
            do { _ = try MARIOStore.read(entry); return nil } catch { return error.reason }
        }
        XCTAssertNil(try reason { _ in })
        XCTAssertEqual(try reason { try fm.removeItem(at: $0.appendingPathComponent("image.jpg")) }, "missing_image")
        XCTAssertEqual(try reason { try Data("not an image".utf8).write(to: $0.appendingPathComponent("image.jpg")) }, "unreadable_image")
        XCTAssertEqual(try reason { try Data([0xFF, 0xD8, 0xFF, 0x00]).write(to: $0.appendingPathComponent("image.jpg")) }, "unreadable_image")
        XCTAssertEqual(try reason { try fm.removeItem(at: $0.appendingPathComponent("caption.txt")) }, "missing_caption")
        XCTAssertEqual(try reason { try Data(" \n\n".utf8).write(to: $0.appendingPathComponent("caption.txt")) }, "missing_caption")
        XCTAssertEqual(try reason { try fm.removeItem(at: $0.appendingPathComponent("ocr.txt")) }, "missing_ocr")
        XCTAssertEqual(try reason { try Data("junk".utf8).write(to: $0.appendingPathComponent("charseg.npy")) }, "bad_charseg")
    }

    func testJPEGNamedFileHoldingAPNGIsReadByContent() throws {
        let root = try makeScratchFolder(self)
        let original = sample(id: "000000001", png: false)
        try MARIOStore.write(original, to: root)
        let folder = root.appendingPathComponent("00000/000000001")
        try PNGCodec.write(original.image, to: folder.appendingPathComponent("image.jpg").path)
        let (read, _) = try MARIOStore.read(try XCTUnwrap(try MARIOStore.entries(in: root).first))
        XCTAssertEqual(read.image, original.image)
    }
}
