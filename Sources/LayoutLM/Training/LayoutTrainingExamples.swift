import Foundation
import PosterCore

/// Training examples for the planner from `poster data prepare` output: every
/// shard's `layout.train.jsonl` / `layout.val.jsonl` records, as token
/// sequences `<bos> prompt <sep> layout <eos>` with the loss on the layout.
public struct LayoutTrainingExamples: Sendable {
    public struct Example: Sendable {
        public var ids: [Int]
        public var targetMask: [Bool]
    }

    public var train: [Example] = []
    public var validation: [Example] = []
    /// Records skipped, by reason (too long, unreadable layout).
    public var skipped: [String: Int] = [:]

    public struct LoadError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public static func load(records: URL, tokenizer: LayoutTokenizer, maximumLength: Int) throws(LoadError) -> LayoutTrainingExamples {
        let fm = FileManager.default
        guard let shards = try? fm.contentsOfDirectory(atPath: records.path).filter({ $0.hasPrefix("shard-") }).sorted(), !shards.isEmpty else {
            throw LoadError(message: "\(records.path): no shard-* folders (run `poster data prepare` first)")
        }
        var examples = LayoutTrainingExamples()
        for shard in shards {
            for split in ["train", "val"] {
                let path = records.appendingPathComponent(shard).appendingPathComponent("layout.\(split).jsonl").path
                guard let data = fm.contents(atPath: path) else { continue }
                for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
                    guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                          let prompt = object["prompt"] as? String, let tokens = object["layout"] as? String,
                          let layout = try? LayoutTokenCodec.decode(tokens) else {
                        examples.skipped["unreadable_record", default: 0] += 1
                        continue
                    }
                    let sequence = tokenizer.trainingSequence(prompt: prompt, layout: layout)
                    guard sequence.ids.count <= maximumLength else {
                        examples.skipped["longer_than_\(maximumLength)_tokens", default: 0] += 1
                        continue
                    }
                    let example = Example(ids: sequence.ids, targetMask: sequence.targetMask)
                    if split == "train" { examples.train.append(example) } else { examples.validation.append(example) }
                }
            }
        }
        guard !examples.train.isEmpty else { throw LoadError(message: "\(records.path): no training records") }
        return examples
    }

    /// A batch: sequences right-padded to the longest; next-token targets
    /// (-100 where no loss is taken) for positions 0..<T-1.
    public static func batch(_ examples: [Example], padID: Int) -> (inputs: [[Int]], targets: [Int], tokens: Int) {
        let length = examples.map(\.ids.count).max()! - 1
        var inputs: [[Int]] = [], targets: [Int] = []
        var counted = 0
        for example in examples {
            var row = Array(example.ids.dropLast())
            var target = (1..<example.ids.count).map { example.targetMask[$0] ? example.ids[$0] : -100 }
            counted += target.filter { $0 != -100 }.count
            row += [Int](repeating: padID, count: length - row.count)
            target += [Int](repeating: -100, count: length - target.count)
            inputs.append(row)
            targets += target
        }
        return (inputs, targets, counted)
    }
}
