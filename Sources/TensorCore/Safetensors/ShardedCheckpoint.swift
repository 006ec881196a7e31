#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A checkpoint split over several safetensors files, as Hugging Face saves
/// large models: `model.safetensors.index.json` (or
/// `diffusion_pytorch_model.safetensors.index.json`) holding
/// `{"metadata": {...}, "weight_map": {"tensor name": "shard file", ...}}`.
///
/// Every shard is opened (mapped and validated) up front, and every name in
/// the weight map is checked to exist in its shard, so a broken download
/// fails at open with the offending file and tensor named, not halfway
/// through loading. The tensors served are exactly those of the weight map,
/// in its order; extra tensors inside shard files are ignored, as
/// transformers and diffusers ignore them.
public final class ShardedCheckpoint: TensorSource {
    /// The index file.
    public let path: String
    /// The directory the shard names are relative to.
    public let directory: String
    public let tensors: [TensorInfo]
    /// The index's `metadata` object; non-string values (HF writes
    /// `"total_size": 123`) are given as their JSON text.
    public let metadata: [String: String]
    /// Distinct shard file names, sorted (HF names them model-0000i-of-0000n).
    public let shardNames: [String]

    private let shards: [String: SafetensorsFile]
    private let shardOf: [String: String]
    private let index: [String: Int]

    public init(indexPath: String) throws(SafetensorsError) {
        func fail(_ message: String, tensor: String? = nil) -> SafetensorsError {
            SafetensorsError(.invalidIndex, file: indexPath, tensor: tensor, message)
        }
        let storage = try MappedFile(path: indexPath)
        guard storage.count <= SafetensorsHeader.maximumHeaderLength else {
            throw fail("index file is \(storage.count) bytes, over the \(SafetensorsHeader.maximumHeaderLength)-byte limit")
        }
        let json: JSONValue
        do { json = try JSONText.parse(storage.buffer) } catch {
            throw fail("not valid JSON: \(error.message) at byte \(error.offset)")
        }
        guard case .object = json else { throw fail("top level must be a JSON object, found \(json.typeName)") }

        var metadata: [String: String] = [:]
        if let value = json["metadata"], value != .null {
            guard case .object(let entries) = value else { throw fail("'metadata' must be an object, found \(value.typeName)") }
            for entry in entries { metadata[entry.key] = entry.value.stringValue ?? entry.value.compactText }
        }
        guard let weightMap = json["weight_map"] else { throw fail("no 'weight_map' object") }
        guard case .object(let entries) = weightMap else { throw fail("'weight_map' must be an object, found \(weightMap.typeName)") }

        let directory = AtomicFile.directoryName(of: indexPath)
        var shardNames: [String] = []
        var shardOf: [String: String] = [:]
        var order: [String] = []
        for entry in entries {
            guard case .string(let file) = entry.value else {
                throw fail("weight_map value must be a shard file name, found \(entry.value.typeName)", tensor: entry.key)
            }
            let components = file.split(separator: "/", omittingEmptySubsequences: false)
            guard !file.isEmpty, !file.hasPrefix("/"), !components.contains(".."), !file.utf8.contains(0) else {
                throw fail("shard name '\(file)' must be a relative path inside the checkpoint directory", tensor: entry.key)
            }
            guard shardOf.updateValue(file, forKey: entry.key) == nil else {
                throw fail("name appears twice in weight_map", tensor: entry.key)
            }
            if !shardNames.contains(file) { shardNames.append(file) }
            order.append(entry.key)
        }

        var shards: [String: SafetensorsFile] = [:]
        for file in shardNames {
            let shardPath = directory + "/" + file
            var info = stat()
            guard stat(shardPath, &info) == 0 else {
                let first = order.first { shardOf[$0] == file } ?? ""
                throw SafetensorsError(.missingShard, file: shardPath, tensor: first,
                                       "shard named by \(indexPath) does not exist (\(String(cString: strerror(errno))))")
            }
            shards[file] = try SafetensorsFile(path: shardPath)
        }

        var tensors: [TensorInfo] = []
        tensors.reserveCapacity(order.count)
        var index: [String: Int] = [:]
        for name in order {
            let file = shardOf[name]!
            let shard = shards[file]!
            guard let info = try? shard.info(name) else {
                throw SafetensorsError(.tensorNotFound, file: shard.path, tensor: name,
                                       "the index maps this tensor to '\(file)' but that file has no such tensor")
            }
            index[name] = tensors.count
            tensors.append(info)
        }
        self.path = indexPath
        self.directory = directory
        self.tensors = tensors
        self.metadata = metadata
        self.shardNames = shardNames.sorted()
        self.shards = shards
        self.shardOf = shardOf
        self.index = index
    }

    /// The opened shard file with this name (as written in the weight map).
    public func shard(named file: String) -> SafetensorsFile? { shards[file] }

    /// The shard file name holding `name`.
    public func shardName(for name: String) throws(SafetensorsError) -> String {
        guard let file = shardOf[name] else { throw notFound(name) }
        return file
    }

    public func info(_ name: String) throws(SafetensorsError) -> TensorInfo {
        guard let i = index[name] else { throw notFound(name) }
        return tensors[i]
    }

    public func floats(_ name: String) throws(SafetensorsError) -> [Float] { try shardFile(name).floats(name) }
    public func int64s(_ name: String) throws(SafetensorsError) -> [Int64] { try shardFile(name).int64s(name) }
    public func bytes(_ name: String) throws(SafetensorsError) -> [UInt8] { try shardFile(name).bytes(name) }

    private func shardFile(_ name: String) throws(SafetensorsError) -> SafetensorsFile {
        guard let file = shardOf[name], let shard = shards[file] else { throw notFound(name) }
        return shard
    }

    private func notFound(_ name: String) -> SafetensorsError {
        SafetensorsError(.tensorNotFound, file: path, tensor: name, "no such tensor in the weight map")
    }
}
