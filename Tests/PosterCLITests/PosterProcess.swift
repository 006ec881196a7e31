import Foundation
import TensorCore
import XCTest

/// What one run of the `poster` binary did.
struct PosterResult {
    var arguments: [String]
    var stdout: String
    var stderr: String
    /// Exit status, or the signal number when `terminatedBySignal`.
    var status: Int32
    var terminatedBySignal: Bool

    /// The last non-empty stderr line (where `error: ...` ends up).
    var errorLine: String {
        stderr.split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
    }

    var summary: String {
        "poster \(arguments.map { "'\($0)'" }.joined(separator: " ")) -> "
            + (terminatedBySignal ? "signal \(status)" : "status \(status)")
            + "\n--- stdout ---\n\(stdout.prefix(2000))\n--- stderr ---\n\(stderr.prefix(2000))"
    }
}

enum PosterBinaryError: Error, CustomStringConvertible {
    case notFound([String])
    var description: String {
        if case .notFound(let looked) = self { return "poster binary not found; looked in \(looked.joined(separator: ", "))" }
        return ""
    }
}

/// Locates the `poster` executable SwiftPM built beside this test bundle and runs it.
enum Poster {
    /// The products directory holding `poster`: on Linux the directory of the running
    /// `.xctest` bundle, else the bundle's own directory or its parent (macOS).
    static let executable: Result<URL, PosterBinaryError> = {
        var candidates: [URL] = []
        let argv0 = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath()
        candidates.append(argv0.deletingLastPathComponent())
        let bundle = Bundle.main.bundleURL
        candidates.append(bundle)
        candidates.append(bundle.deletingLastPathComponent())
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            candidates.append(bundle.bundleURL.deletingLastPathComponent())
        }
        for directory in candidates {
            let binary = directory.appendingPathComponent("poster")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: binary.path, isDirectory: &isDirectory), !isDirectory.boolValue,
               FileManager.default.isExecutableFile(atPath: binary.path) {
                return .success(binary)
            }
        }
        return .failure(.notFound(candidates.map(\.path)))
    }()

    /// Writing to a child that already exited must fail with EPIPE, not kill the test runner.
    private static let ignoreSIGPIPE: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    /// The repository root (for `fonts/`), from this file's path: Tests/PosterCLITests/ -> root.
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// This process's environment with OpenBLAS held to the kernel this process runs: `poster` would otherwise
    /// pick a better one than a generic fallback (`BLASCore`), and its numbers would differ from the library's
    /// in this process in the last bits.
    static let sameKernelEnvironment: [String: String] = {
        var environment = ProcessInfo.processInfo.environment
        if environment["OPENBLAS_CORETYPE"] == nil { environment["OPENBLAS_CORETYPE"] = BLASCore.name }
        return environment
    }()

    /// Runs `poster` with `arguments`, feeding `stdin` (or an empty standard input),
    /// in `directory` (default: the repository root, where `fonts/` is found), with
    /// `environment` (default: this process's, with `sameKernelEnvironment`'s OpenBLAS kernel).
    static func run(_ arguments: [String], stdin: String? = nil, stdinData: Data? = nil,
                    in directory: URL? = nil, environment: [String: String]? = nil,
                    file: StaticString = #filePath, line: UInt = #line) throws -> PosterResult {
        _ = ignoreSIGPIPE
        let binary: URL
        switch executable {
        case .success(let url): binary = url
        case .failure(let error):
            XCTFail("\(error)", file: file, line: line)
            throw error
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = directory ?? repositoryRoot
        process.environment = environment ?? sameKernelEnvironment

        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()

        // Drain both pipes concurrently so a large output never blocks the child.
        let group = DispatchGroup()
        let collected = CollectedOutput()
        DispatchQueue.global().async(group: group) {
            collected.setStdout(output.fileHandleForReading.readDataToEndOfFile())
        }
        DispatchQueue.global().async(group: group) {
            collected.setStderr(errors.fileHandleForReading.readDataToEndOfFile())
        }
        // Feed standard input from another thread too (a child that exits early gets EPIPE, not us a SIGPIPE).
        let inputData = stdinData ?? stdin.map { Data($0.utf8) } ?? Data()
        let writer = input.fileHandleForWriting
        DispatchQueue.global().async(group: group) {
            if !inputData.isEmpty { try? writer.write(contentsOf: inputData) }
            try? writer.close()
        }
        process.waitUntilExit()
        group.wait()

        return PosterResult(
            arguments: arguments,
            stdout: String(decoding: collected.stdout, as: UTF8.self),
            stderr: String(decoding: collected.stderr, as: UTF8.self),
            status: process.terminationStatus,
            terminatedBySignal: process.terminationReason == .uncaughtSignal)
    }
}

/// Output gathered from two reader threads.
final class CollectedOutput: @unchecked Sendable {
    private let lock = NSLock()
    private var out = Data(), err = Data()
    func setStdout(_ data: Data) { lock.lock(); out = data; lock.unlock() }
    func setStderr(_ data: Data) { lock.lock(); err = data; lock.unlock() }
    var stdout: Data { lock.lock(); defer { lock.unlock() }; return out }
    var stderr: Data { lock.lock(); defer { lock.unlock() }; return err }
}

/// A fresh temporary directory per test, removed afterwards.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("poster-cli-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func write(_ text: String, to name: String) throws -> String {
        let path = path(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func read(_ name: String) throws -> String {
        try String(contentsOfFile: path(name), encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Assertions every CLI test makes.
extension XCTestCase {
    /// The run exited normally with status 0.
    func assertSuccess(_ result: PosterResult, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(result.terminatedBySignal, "crashed: \(result.summary)", file: file, line: line)
        XCTAssertEqual(result.status, 0, result.summary, file: file, line: line)
    }

    /// The run exited with status 2 (never a crash or another status) and one
    /// `error: ...` line on stderr that contains every one of `fragments`.
    func assertInputError(_ result: PosterResult, _ fragments: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(result.terminatedBySignal, "crashed: \(result.summary)", file: file, line: line)
        XCTAssertEqual(result.status, 2, "expected exit status 2: \(result.summary)", file: file, line: line)
        let lines = result.stderr.split(whereSeparator: \.isNewline)
        XCTAssertEqual(lines.count, 1, "expected one stderr line: \(result.summary)", file: file, line: line)
        XCTAssertTrue(result.errorLine.hasPrefix("error: "), "expected 'error: ...': \(result.summary)", file: file, line: line)
        for fragment in fragments {
            XCTAssertTrue(result.errorLine.contains(fragment), "stderr lacks '\(fragment)': \(result.summary)", file: file, line: line)
        }
    }
}
