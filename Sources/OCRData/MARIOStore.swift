import Foundation
import PosterCore

/// Reads and writes MARIO sample folders under a dataset root.
public enum MARIOStore {
    /// A sample folder found under a root: its id and location.
    public struct Entry: Hashable, Sendable {
        public var id: String
        public var directory: URL
    }

    /// Why a sample could not be read; `reason` is the key counted in reports.
    public struct ReadError: Error, Hashable, Sendable, CustomStringConvertible {
        public var reason: String
        public var message: String
        public var description: String { message }
    }

    /// Every sample folder two levels below `root` (`NNNNN/ID/` holding
    /// caption.txt, ocr.txt or an image), sorted by id; `.tmp` folders of
    /// interrupted writes are ignored.
    public static func entries(in root: URL) throws(ReadError) -> [Entry] {
        let fm = FileManager.default
        guard let shards = try? fm.contentsOfDirectory(at: root, includingPropertiesForKeys: [.isDirectoryKey]) else {
            throw ReadError(reason: "unreadable_root", message: "cannot list \(root.path): not a readable directory")
        }
        var found: [Entry] = []
        for shard in shards where isDirectory(shard) && !shard.lastPathComponent.hasPrefix(".") {
            guard let samples = try? fm.contentsOfDirectory(at: shard, includingPropertiesForKeys: [.isDirectoryKey]) else { continue }
            for sample in samples where isDirectory(sample) && !sample.lastPathComponent.hasPrefix(".") {
                let names = Set((try? fm.contentsOfDirectory(atPath: sample.path)) ?? [])
                if !names.isDisjoint(with: ["caption.txt", "ocr.txt", "image.jpg", "image.png"]) {
                    found.append(Entry(id: sample.lastPathComponent, directory: sample))
                }
            }
        }
        return found.sorted { ($0.id, $0.directory.path) < ($1.id, $1.directory.path) }
    }

    private static func isDirectory(_ url: URL) -> Bool {
        (try? url.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true
    }

    /// Writes a sample's folder atomically: files go to a hidden temporary
    /// folder that is renamed into place, replacing an earlier copy.
    public static func write(_ sample: MARIOSample, to root: URL, jpegQuality: Int = 95) throws(ImageIOError) {
        let fm = FileManager.default
        let final = root.appendingPathComponent(MARIOSample.relativePath(id: sample.id))
        let parent = final.deletingLastPathComponent()
        let temporary = parent.appendingPathComponent(".\(sample.id).tmp-\(getpid())")
        do {
            try fm.createDirectory(at: parent, withIntermediateDirectories: true)
            if fm.fileExists(atPath: temporary.path) { try fm.removeItem(at: temporary) }
            try fm.createDirectory(at: temporary, withIntermediateDirectories: true)
        } catch {
            throw ImageIOError(path: temporary.path, message: "cannot create folder: \(error.localizedDescription)")
        }
        if sample.imageIsPNG {
            try PNGCodec.write(sample.image, to: temporary.appendingPathComponent("image.png").path)
        } else {
            try JPEGCodec.write(sample.image, to: temporary.appendingPathComponent("image.jpg").path, quality: jpegQuality)
        }
        var files: [(String, [UInt8])] = [
            ("caption.txt", Array((sample.caption + "\n").utf8)),
            ("ocr.txt", Array(OCRTextCodec.encode(sample.words).utf8)),
            ("info.json", Array(sample.info.utf8)),
        ]
        if let charseg = sample.charseg { files.append(("charseg.npy", charseg.encoded())) }
        for (name, bytes) in files {
            let path = temporary.appendingPathComponent(name).path
            guard fm.createFile(atPath: path, contents: Data(bytes)) else { throw ImageIOError(path: path, message: "cannot write file") }
        }
        do {
            if fm.fileExists(atPath: final.path) { try fm.removeItem(at: final) }
            try fm.moveItem(at: temporary, to: final)
        } catch {
            throw ImageIOError(path: final.path, message: "cannot move the finished sample into place: \(error.localizedDescription)")
        }
    }

    /// Reads one sample. Missing or unreadable image, caption or ocr.txt is an
    /// error; malformed ocr.txt lines are returned beside the sample so the
    /// caller can count (or refuse) them.
    public static func read(_ entry: Entry) throws(ReadError) -> (sample: MARIOSample, ocrErrors: [OCRTextCodec.LineError]) {
        let fm = FileManager.default
        let dir = entry.directory
        let jpg = dir.appendingPathComponent("image.jpg").path, png = dir.appendingPathComponent("image.png").path
        let image: RGBImage
        let isPNG: Bool
        do {
            if fm.fileExists(atPath: jpg) {
                // MARIO's image.jpg is sometimes a PNG in disguise: go by content, not name.
                image = try readAnyImage(jpg)
                isPNG = false
            } else if fm.fileExists(atPath: png) {
                image = try readAnyImage(png)
                isPNG = true
            } else {
                throw ReadError(reason: "missing_image", message: "\(dir.path): no image.jpg or image.png")
            }
        } catch let error as ReadError {
            throw error
        } catch {
            throw ReadError(reason: "unreadable_image", message: "\(error)")
        }
        guard let captionData = fm.contents(atPath: dir.appendingPathComponent("caption.txt").path) else {
            throw ReadError(reason: "missing_caption", message: "\(dir.path): no caption.txt")
        }
        guard let captionText = String(data: captionData, encoding: .utf8) else {
            throw ReadError(reason: "missing_caption", message: "\(dir.path)/caption.txt is not UTF-8")
        }
        let caption = captionText.trimmingCharacters(in: .whitespacesAndNewlines)
        if caption.isEmpty { throw ReadError(reason: "missing_caption", message: "\(dir.path)/caption.txt is empty") }
        guard let ocrData = fm.contents(atPath: dir.appendingPathComponent("ocr.txt").path) else {
            throw ReadError(reason: "missing_ocr", message: "\(dir.path): no ocr.txt")
        }
        let (words, errors) = OCRTextCodec.decode(String(decoding: ocrData, as: UTF8.self))
        var charseg: NumpyArray? = nil
        if let bytes = fm.contents(atPath: dir.appendingPathComponent("charseg.npy").path) {
            do { charseg = try NumpyArray.decode([UInt8](bytes)) } catch {
                throw ReadError(reason: "bad_charseg", message: "\(dir.path)/charseg.npy: \(error.message)")
            }
        }
        let info = fm.contents(atPath: dir.appendingPathComponent("info.json").path).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return (MARIOSample(id: entry.id, image: image, caption: caption, words: words, charseg: charseg, info: info, imageIsPNG: isPNG), errors)
    }

    /// Decodes a JPEG or PNG by its first bytes.
    public static func readAnyImage(_ path: String) throws(ImageIOError) -> RGBImage {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ImageIOError(path: path, message: "cannot read file") }
        let head = [UInt8](handle.readData(ofLength: 8))
        try? handle.close()
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return try PNGCodec.readRGB(from: path) }
        if head.starts(with: [0xFF, 0xD8]) { return try JPEGCodec.read(from: path) }
        throw ImageIOError(path: path, message: "not a JPEG or PNG image")
    }
}
