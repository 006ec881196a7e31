import Foundation

/// A training run's JSONL log (`train_log.jsonl`): one object per step.
public enum TrainingLog {
    /// Appends one line (a JSON object, without the newline), creating the file if needed.
    public static func append(_ line: String, to url: URL) {
        let data = Data((line + "\n").utf8)
        if let handle = try? FileHandle(forWritingTo: url) {
            handle.seekToEndOfFile()
            handle.write(data)
            try? handle.close()
        } else {
            FileManager.default.createFile(atPath: url.path, contents: data)
        }
    }

    /// Drops lines whose `step` is past `step`: a run killed after its last
    /// checkpoint repeats those steps when it resumes.
    public static func truncate(_ url: URL, after step: Int) {
        guard let data = FileManager.default.contents(atPath: url.path) else { return }
        let kept = data.split(separator: UInt8(ascii: "\n")).filter { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any], let s = object["step"] as? Int else { return true }
            return s <= step
        }
        try? Data(kept.map { String(decoding: $0, as: UTF8.self) + "\n" }.joined().utf8).write(to: url, options: .atomic)
    }
}

/// The order an epoch visits `count` examples: a Fisher-Yates shuffle drawn
/// from (seed, epoch) only, so a resumed run sees the same batches.
public enum EpochOrder {
    public static func shuffled(count: Int, seed: UInt64, epoch: Int) -> [Int] {
        var random = TensorRandom(seed: seed &+ 1000 &+ UInt64(epoch))
        var order = Array(0..<count)
        for i in stride(from: count - 1, to: 0, by: -1) { order.swapAt(i, Int(random.next() % UInt64(i + 1))) }
        return order
    }
}
