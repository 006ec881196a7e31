import Foundation

/// `tokenizer.json`, saved beside the model weights: a small self-describing
/// description of the fixed vocabulary, checked on load so weights are never
/// paired with a tokenizer they were not trained with.
///
///     {"format":"glyphposter-layout-tokenizer","version":1,"vocabularySize":518,
///      "specials":{"<pad>":0,"<bos>":1,"<eos>":2,"<sep>":3},
///      "byteOffset":4,"byteCount":256,"coordinates":{"x":260,"y":389},"grid":128}
struct LayoutTokenizerFile: Codable, Equatable {
    var format: String
    var version: Int
    var vocabularySize: Int
    var specials: [String: Int]
    var byteOffset: Int
    var byteCount: Int
    var coordinates: [String: Int]
    var grid: Int

    static let standard = LayoutTokenizerFile(
        format: LayoutTokenizer.formatName, version: LayoutTokenizer.version,
        vocabularySize: LayoutTokenizer.vocabularySize,
        specials: Dictionary(uniqueKeysWithValues: LayoutTokenizer.specialNames.enumerated().map { ($1, $0) }),
        byteOffset: LayoutTokenizer.byteOffset, byteCount: LayoutTokenizer.byteCount,
        coordinates: ["x": LayoutTokenizer.xOffset, "y": LayoutTokenizer.yOffset],
        grid: LayoutTokenizer.grid)
}

extension LayoutTokenizer {
    /// The `tokenizer.json` bytes (stable key order, pretty-printed).
    public func jsonData() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // Encoding a fixed value of plain fields cannot fail.
        return try! encoder.encode(LayoutTokenizerFile.standard)
    }

    /// Reads and checks `tokenizer.json` bytes: every field must describe this vocabulary.
    public init(jsonData data: Data) throws(LayoutTokenizerError) {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw LayoutTokenizerError(position: nil, "tokenizer.json is not valid JSON")
        }
        guard let dictionary = object as? [String: Any] else {
            throw LayoutTokenizerError(position: nil, "tokenizer.json must be a JSON object")
        }
        if let format = dictionary["format"] as? String, format != LayoutTokenizer.formatName {
            throw LayoutTokenizerError(position: nil, "tokenizer.json format is \"\(format)\": expected \"\(LayoutTokenizer.formatName)\"")
        }
        let file: LayoutTokenizerFile
        do {
            file = try JSONDecoder().decode(LayoutTokenizerFile.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            let path = (context.codingPath + [key]).map(\.stringValue).joined(separator: ".")
            throw LayoutTokenizerError(position: nil, "tokenizer.json is missing \"\(path)\"")
        } catch let DecodingError.typeMismatch(_, context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw LayoutTokenizerError(position: nil, "tokenizer.json field \"\(path)\" has the wrong type")
        } catch {
            throw LayoutTokenizerError(position: nil, "tokenizer.json could not be read: \(error)")
        }
        let expected = LayoutTokenizerFile.standard
        if file.version != expected.version {
            throw LayoutTokenizerError(position: nil, "tokenizer.json version \(file.version) is not supported: expected \(expected.version)")
        }
        if file.grid != expected.grid {
            throw LayoutTokenizerError(position: nil, "tokenizer.json grid \(file.grid) does not match this build's grid \(expected.grid)")
        }
        if file.specials != expected.specials {
            throw LayoutTokenizerError(position: nil, "tokenizer.json specials \(file.specials.sorted { $0.value < $1.value }) do not match the expected <pad>=0 <bos>=1 <eos>=2 <sep>=3")
        }
        if file.byteOffset != expected.byteOffset || file.byteCount != expected.byteCount {
            throw LayoutTokenizerError(position: nil, "tokenizer.json byte tokens \(file.byteOffset)..<\(file.byteOffset + file.byteCount) do not match the expected \(expected.byteOffset)..<\(expected.byteOffset + expected.byteCount)")
        }
        if file.coordinates != expected.coordinates {
            throw LayoutTokenizerError(position: nil, "tokenizer.json coordinate offsets \(file.coordinates.sorted { $0.key < $1.key }) do not match the expected x=\(LayoutTokenizer.xOffset) y=\(LayoutTokenizer.yOffset)")
        }
        if file.vocabularySize != expected.vocabularySize {
            throw LayoutTokenizerError(position: nil, "tokenizer.json vocabularySize \(file.vocabularySize) does not match the expected \(expected.vocabularySize)")
        }
        self.init()
    }

    /// Writes `tokenizer.json`; a directory URL gets `<directory>/tokenizer.json`.
    public func save(to url: URL) throws {
        try jsonData().write(to: Self.fileURL(url), options: .atomic)
    }

    /// Loads and checks `tokenizer.json`; a directory URL reads `<directory>/tokenizer.json`.
    public static func load(from url: URL) throws(LayoutTokenizerError) -> LayoutTokenizer {
        let file = fileURL(url)
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            throw LayoutTokenizerError(position: nil, "cannot read \(file.path): \(error.localizedDescription)")
        }
        do {
            return try LayoutTokenizer(jsonData: data)
        } catch {
            throw LayoutTokenizerError(position: nil, "\(file.path): \(error.message)")
        }
    }

    static func fileURL(_ url: URL) -> URL {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            return url.appendingPathComponent(fileName)
        }
        return url
    }
}
