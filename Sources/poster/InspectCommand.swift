import ArgumentParser
import Foundation
import TensorCore

/// `poster inspect`: what is in a checkpoint, before any model code touches it.
/// Names, dtypes and shapes show whether a file fits a model; the value
/// statistics show whether it was converted right (all-zero, NaN, or wildly
/// scaled tensors stand out).
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "List a checkpoint's tensors: name, dtype, shape, element count, mean/std/min/max.",
        discussion: """
        PATH is a .safetensors file, a sharded *.safetensors.index.json, a diffusers pipeline directory \
        (model_index.json with unet/, vae/, text_encoder/, controlnet/ ... subfolders) or a Hugging Face \
        model directory (config.json with model.safetensors or a sharded index). Statistics are computed \
        in Double over the values (floating dtypes converted to Float32 as a model would load them, integer \
        dtypes exactly); NaN and infinite values are counted and left out. Any malformed file is an error \
        naming the file and tensor (exit status 2).
        """)

    @Argument(help: "A .safetensors file, a *.safetensors.index.json, or a checkpoint directory.")
    var path: String

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Flag(name: .customLong("no-stats"), help: "Skip the value statistics (reads only the headers: instant on large checkpoints).")
    var noStats = false

    func run() throws {
        let report: InspectReport
        do { report = try InspectReport(path: path, statistics: !noStats) } catch { throw InputError(error) }
        if json {
            print(try report.jsonText())
        } else {
            print(report.table(), terminator: "")
        }
    }
}

/// Everything `poster inspect` prints, as one value (the JSON form is its encoding).
struct InspectReport: Encodable {
    /// "file", "sharded", "pipeline" or "model".
    var kind: String
    var path: String
    var className: String?
    var components: [Component]
    var tensorCount: Int
    var parameters: Int
    var bytes: Int

    struct Component: Encodable {
        var name: String
        var className: String?
        var library: String?
        var architectures: [String]?
        var config: String?
        /// The weights file or index; nil for weightless components.
        var weights: String?
        var shards: [String]?
        var unsupportedWeightFiles: [String]?
        var metadata: [String: String]
        var tensors: [TensorRow]
        var tensorCount: Int
        var parameters: Int
        var bytes: Int
    }

    struct TensorRow: Encodable {
        var name: String
        var dtype: String
        var shape: [Int]
        var elements: Int
        var bytes: Int
        var shard: String?
        var mean: Double?
        var std: Double?
        var min: Double?
        var max: Double?
        /// Present (and non-zero) only when the tensor holds NaN / infinite values.
        var nan: Int?
        var inf: Int?
    }

    init(path: String, statistics: Bool) throws {
        var path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw SafetensorsError(.io, file: path, "no such file or directory")
        }
        // model_index.json or config.json given: inspect the checkpoint directory holding it.
        let fileName = URL(fileURLWithPath: path).lastPathComponent
        if !isDirectory.boolValue && (fileName == "model_index.json" || fileName == "config.json") {
            path = URL(fileURLWithPath: path).deletingLastPathComponent().path
            isDirectory = true
        }
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        self.path = path
        if isDirectory.boolValue {
            let directory = try CheckpointDirectory(path: path)
            kind = directory.kind.rawValue
            className = directory.className
            components = try directory.components.map { component in
                let source = try component.weights?.open()
                return try Self.component(
                    name: component.name, source: source, statistics: statistics, relativeTo: path,
                    className: component.className, library: component.library,
                    architectures: component.architectures.isEmpty ? nil : component.architectures,
                    config: component.configPath.map { Self.relative($0, to: path) },
                    unsupported: component.unsupportedWeightFiles.isEmpty ? nil : component.unsupportedWeightFiles)
            }
        } else {
            let weights = CheckpointWeights.at(path)
            if case .sharded = weights { kind = "sharded" } else { kind = "file" }
            className = nil
            let name = URL(fileURLWithPath: path).lastPathComponent
            components = [try Self.component(name: name, source: try weights.open(), statistics: statistics, relativeTo: nil,
                                             className: nil, library: nil, architectures: nil, config: nil, unsupported: nil)]
        }
        tensorCount = components.reduce(0) { $0 + $1.tensorCount }
        parameters = components.reduce(0) { $0 + $1.parameters }
        bytes = components.reduce(0) { $0 + $1.bytes }
    }

    private static func component(name: String, source: (any TensorSource)?, statistics: Bool, relativeTo root: String?,
                                  className: String?, library: String?, architectures: [String]?, config: String?,
                                  unsupported: [String]?) throws -> Component {
        let sharded = source as? ShardedCheckpoint
        var tensors: [TensorRow] = []
        for info in source?.tensors ?? [] {
            var tensor = TensorRow(name: info.name, dtype: info.dtype.rawValue, shape: info.shape,
                                elements: info.elementCount, bytes: info.byteCount,
                                shard: try sharded?.shardName(for: info.name))
            if statistics, let source {
                let stats = info.dtype.isFloatingPoint
                    ? TensorStatistics(try source.floats(info.name))
                    : TensorStatistics(try source.int64s(info.name))
                tensor.mean = stats.mean
                tensor.std = stats.std
                tensor.min = stats.min
                tensor.max = stats.max
                tensor.nan = stats.nanCount > 0 ? stats.nanCount : nil
                tensor.inf = stats.infinityCount > 0 ? stats.infinityCount : nil
            }
            tensors.append(tensor)
        }
        var weights = source?.path
        if let root, let path = weights { weights = relative(path, to: root) }
        return Component(
            name: name, className: className, library: library, architectures: architectures, config: config,
            weights: weights, shards: sharded?.shardNames, unsupportedWeightFiles: unsupported,
            metadata: source?.metadata ?? [:], tensors: tensors, tensorCount: tensors.count,
            parameters: source?.parameterCount ?? 0, bytes: source?.byteCount ?? 0)
    }

    /// `path` relative to the inspected directory, for shorter output.
    private static func relative(_ path: String, to root: String) -> String {
        let prefix = root.hasSuffix("/") ? root : root + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }

    func jsonText() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    // MARK: - Table

    func table() -> String {
        var out = ""
        let description: String
        switch kind {
        case "pipeline": description = "diffusers pipeline" + (className.map { " \($0)" } ?? "")
        case "model": description = "model directory" + (className.map { " \($0)" } ?? "")
        case "sharded": description = "sharded safetensors checkpoint"
        default: description = "safetensors file"
        }
        out += "\(path): \(description)\n"
        let showComponents = kind == "pipeline" || kind == "model"
        for component in components {
            if showComponents {
                var line = "\n[\(component.name)]"
                if let className = component.className { line += " \(className)" }
                if let weights = component.weights { line += "  \(weights)" }
                out += line + "\n"
                if component.weights == nil {
                    if let unsupported = component.unsupportedWeightFiles {
                        out += "  no safetensors weights (unsupported format: \(unsupported.joined(separator: ", ")))\n"
                    } else {
                        out += "  no weights\n"
                    }
                    continue
                }
            }
            if let shards = component.shards { out += "  shards: \(shards.joined(separator: ", "))\n" }
            if !component.metadata.isEmpty {
                let pairs = component.metadata.keys.sorted().map { "\($0)=\(component.metadata[$0]!)" }
                out += "  metadata: \(pairs.joined(separator: ", "))\n"
            }
            out += Self.tensorTable(component.tensors)
            out += "  \(component.tensorCount) tensors, \(Self.grouped(component.parameters)) parameters, \(Self.grouped(component.bytes)) bytes\n"
        }
        if components.count > 1 {
            out += "\ntotal: \(tensorCount) tensors, \(Self.grouped(parameters)) parameters, \(Self.grouped(bytes)) bytes\n"
        }
        return out
    }

    private static func tensorTable(_ tensors: [TensorRow]) -> String {
        guard !tensors.isEmpty else { return "" }
        let header = ["name", "dtype", "shape", "elements", "mean", "std", "min", "max"]
        var rows: [[String]] = [header]
        for t in tensors {
            var stats = [t.mean, t.std, t.min, t.max].map { $0.map(number) ?? "-" }
            var flags: [String] = []
            if let nan = t.nan { flags.append("\(nan) NaN") }
            if let inf = t.inf { flags.append("\(inf) inf") }
            if !flags.isEmpty { stats[3] += "  (" + flags.joined(separator: ", ") + ")" }
            rows.append([t.name, t.dtype, "[" + t.shape.map(String.init).joined(separator: ",") + "]", grouped(t.elements)] + stats)
        }
        let columns = header.count
        var widths = [Int](repeating: 0, count: columns)
        for row in rows { for (i, cell) in row.enumerated() where i < columns - 1 { widths[i] = max(widths[i], cell.count) } }
        let rightAligned: Set<Int> = [3, 4, 5, 6]
        var out = ""
        for row in rows {
            var cells: [String] = []
            for (i, cell) in row.enumerated() {
                if i == columns - 1 { cells.append(cell); continue }
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                cells.append(rightAligned.contains(i) ? pad + cell : cell + pad)
            }
            out += "  " + cells.joined(separator: "  ").trimmingTrailingSpaces() + "\n"
        }
        return out
    }

    /// Six significant digits, like `%g`.
    private static func number(_ value: Double) -> String { String(format: "%.6g", value) }

    /// 1234567 -> "1,234,567".
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (value < 0 ? "-" : "") + out
    }
}

private extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
