import ArgumentParser
import Foundation
import TensorCore

/// `poster`: every GlyphPoster tool as a subcommand. This target only parses
/// arguments and calls the libraries.
@main
struct Poster: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "poster",
        abstract: "GlyphPoster: posters with legible text, on a CPU.",
        subcommands: [GenerateCommand.self, LayoutCommand.self, PlanCommand.self, DataCommand.self, TrainCommand.self, FontsCommand.self, InspectCommand.self, DebugCommand.self, BenchCommand.self, EvalCommand.self]
    )

    /// Bad input of any kind (arguments, files, layouts) exits with status 2
    /// and one clear message; help and version exit 0.
    static func main() {
        // OpenBLAS may have fallen back to a generic kernel on a processor newer than it (4-8x slower sgemm).
        BLASCore.reexecutingForBestKernel()
        HeapRetention.enable()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as InputError {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            Foundation.exit(2)
        } catch {
            if exitCode(for: error) == .success || error is ExitCode {
                exit(withError: error)
            }
            // Argument errors: one line, like every other bad input.
            let message = self.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            FileHandle.standardError.write(Data("error: \(message) (see poster --help)\n".utf8))
            Foundation.exit(2)
        }
    }
}

/// Input the user got wrong: printed as `error: <message>`, exit status 2.
struct InputError: Error {
    var message: String
    init(_ message: String) { self.message = message }
    init(_ error: any Error) { self.message = String(describing: error) }
}
