import Foundation

/// Progress of long work on standard error: a redrawn bar with rate and ETA on
/// a terminal, plain lines (at most one every few seconds) otherwise, so logs
/// of cluster jobs stay readable. Thread-safe.
public final class ProgressReporter: @unchecked Sendable {
    private let label: String
    private let total: Int
    private let unit: String
    private let isTerminal: Bool
    private let start = Date()
    private var done = 0
    private var startCount = 0
    private var lastDraw = Date.distantPast
    /// Extra text shown after the rate (loss, tokens/s...).
    private var status = ""
    private let lock = NSLock()
    private let quiet: Bool

    /// Work that resumes part-way starts its count (and its rate) at `done`.
    public init(_ label: String, total: Int, unit: String = "items", quiet: Bool = false, alreadyDone: Int = 0) {
        self.done = alreadyDone
        self.startCount = alreadyDone
        self.label = label
        self.total = max(0, total)
        self.unit = unit
        self.quiet = quiet
        self.isTerminal = isatty(STDERR_FILENO) == 1
    }

    public func advance(by count: Int = 1, status: String? = nil) {
        lock.lock()
        defer { lock.unlock() }
        done += count
        if let status { self.status = status }
        let now = Date()
        let interval = isTerminal ? 0.1 : 5.0
        if now.timeIntervalSince(lastDraw) >= interval || done >= total {
            lastDraw = now
            draw(final: false)
        }
    }

    /// Ends the bar with a summary line.
    public func finish() {
        lock.lock()
        defer { lock.unlock() }
        draw(final: true)
    }

    public var elapsed: Double { Date().timeIntervalSince(start) }

    private func draw(final: Bool) {
        guard !quiet else { return }
        let seconds = max(Date().timeIntervalSince(start), 1e-9)
        let rate = Double(done - startCount) / seconds
        let remaining = rate > 0 ? Double(total - done) / rate : 0
        let rateText = String(format: "%.1f %@/s", rate, unit)
        var line: String
        if isTerminal {
            let width = 30
            let filled = total > 0 ? min(width, done * width / total) : 0
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            line = "\r\(label) [\(bar)] \(done)/\(total) \(rateText)\(status.isEmpty ? "" : " " + status) ETA \(Self.clock(remaining))\u{1B}[K"
            if final { line += "\n" }
        } else {
            line = "\(label): \(done)/\(total) \(unit), \(rateText)\(status.isEmpty ? "" : ", " + status), elapsed \(Self.clock(seconds)), ETA \(Self.clock(final ? 0 : remaining))\n"
        }
        FileHandle.standardError.write(Data(line.utf8))
    }

    static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "--:--" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%02d:%02d", s / 60, s % 60)
    }
}
