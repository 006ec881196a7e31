import Foundation

/// Where an image's caption comes from: a sidecar text file beside it
/// (`photo.jpg` -> `photo.txt`), or a captions file with one
/// `FILENAME<TAB>CAPTION` per line (the file name as found in the images folder).
public struct CaptionSource: Sendable {
    private var table: [String: String]

    public init() { table = [:] }

    public struct ReadError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Reads a captions file; a line without a tab is an error naming the line.
    public init(file: URL) throws(ReadError) {
        guard let data = FileManager.default.contents(atPath: file.path), let text = String(data: data, encoding: .utf8) else {
            throw ReadError(message: "cannot read captions file \(file.path) as UTF-8 text")
        }
        var table: [String: String] = [:]
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            if line.allSatisfy(\.isWhitespace) { continue }
            guard let tab = line.firstIndex(of: "\t") else {
                throw ReadError(message: "\(file.path) line \(index + 1): expected FILENAME<TAB>CAPTION, found no tab")
            }
            let caption = line[line.index(after: tab)...].trimmingCharacters(in: .whitespacesAndNewlines)
            table[String(line[..<tab])] = caption
        }
        self.table = table
    }

    /// The caption for an image, or nil when there is none.
    public func caption(for image: URL) -> String? {
        if let caption = table[image.lastPathComponent], !caption.isEmpty { return caption }
        let sidecar = image.deletingPathExtension().appendingPathExtension("txt")
        guard let data = FileManager.default.contents(atPath: sidecar.path), let text = String(data: data, encoding: .utf8) else { return nil }
        let caption = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return caption.isEmpty ? nil : caption
    }
}
