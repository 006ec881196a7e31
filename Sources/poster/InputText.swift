import Foundation

/// Reads the text a command was given: `-` is standard input, an existing file
/// is read, anything else is the text itself.
enum InputText {
    static func read(_ argument: String) throws(InputError) -> String {
        if argument == "-" {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            return try decode(data, from: "standard input")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) {
            if isDirectory.boolValue { throw InputError("\(argument) is a directory: expected a layout file or layout text") }
            guard let data = FileManager.default.contents(atPath: argument) else { throw InputError("cannot read \(argument)") }
            return try decode(data, from: argument)
        }
        return argument
    }

    private static func decode(_ data: Data, from source: String) throws(InputError) -> String {
        guard let text = String(data: data, encoding: .utf8) else { throw InputError("\(source) is not UTF-8 text") }
        return text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
    }

    /// Writes text to a file, or to standard output for `-`.
    static func write(_ text: String, to path: String) throws(InputError) {
        if path == "-" { print(text, terminator: text.hasSuffix("\n") ? "" : "\n"); return }
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw InputError("cannot write \(path): \(error.localizedDescription)")
        }
    }
}
