import ArgumentParser
import Foundation
import LayoutLM
import PosterCore
import TensorCore

/// `poster bench lm`: the layout planner's prompt and decode speed.
struct LMBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lm",
        abstract: "Prompt and decode tokens/s of the layout LLM, batch 1 (bench/lm_transformers.py runs the same models in transformers).",
        discussion: """
        Rows: (a) the model in --model (default: models/layout; skipped when absent) and (b) a random 8-layer, 512-wide \
        Llama (8 heads, MLP 1376, vocabulary 518). Prompt: one forward over --prompt-tokens tokens into an empty KV cache. \
        Decode: --new-tokens tokens generated greedily with the KV cache (unconstrained); tokens/s counts the steps after \
        the first new token (the prefill is timed separately). Medians of --repeats runs after one warm-up.
        """)

    @Option(help: "A LlamaForCausalLM folder (config.json + model.safetensors); default models/layout, skipped when absent.")
    var model: String?

    @Option(help: "Prompt length for the prefill (cut to fit the model's positions).")
    var promptTokens: Int = 200

    @Option(help: "Tokens to generate.")
    var newTokens: Int = 128

    @Option(help: "Timed runs per model (after one warm-up).")
    var repeats: Int = 3

    @Flag(help: "Skip the random 8x512 model (b).")
    var skipRandom = false

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        guard (1...4096).contains(promptTokens) else { throw ValidationError("--prompt-tokens must be in 1...4096") }
        guard (2...4096).contains(newTokens) else { throw ValidationError("--new-tokens must be in 2...4096") }
        guard (1...100).contains(repeats) else { throw ValidationError("--repeats must be in 1...100") }
    }

    func run() throws {
        var rows: [LlamaBenchmark.Result] = []
        var skipped: String?
        let directory: URL? = model.map { URL(fileURLWithPath: $0) } ?? LayoutPlanner.defaultDirectory()
        if let directory {
            do {
                let llama = try LlamaForCausalLM.load(from: directory)
                guard llama.configuration.maxPositionEmbeddings > newTokens else {
                    throw InputError("\(directory.path): max_position_embeddings \(llama.configuration.maxPositionEmbeddings) leaves no room for \(newTokens) new tokens")
                }
                rows.append(LlamaBenchmark.run(llama, name: directory.path, promptLength: promptTokens,
                                               newTokens: newTokens, repeats: repeats))
            } catch let error as InputError { throw error } catch { throw InputError(error) }
        } else {
            skipped = "no --model and no models/layout: row (a) skipped"
        }
        if !skipRandom {
            do {
                let llama = try LlamaForCausalLM(configuration: LlamaBenchmark.largerConfiguration(), seed: 0)
                rows.append(LlamaBenchmark.run(llama, name: "random 8x512", promptLength: promptTokens,
                                               newTokens: newTokens, repeats: repeats))
            } catch { throw InputError(error) }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.outputFormatting = [.sortedKeys]
            let items = try rows.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
            print("{\"bench\":\"lm\",\"threads\":\(Parallel.workers),\"rows\":[\(items.joined(separator: ","))]\(skipped.map { ",\"note\":\(LayoutJSONCodec.quoted($0))" } ?? "")}")
            return
        }
        print("layout LLM, batch 1, \(Parallel.workers) threads\(skipped.map { " (\($0))" } ?? "")")
        for r in rows {
            print(String(format: "  %-22@ %d layers x %d (%.1fM params)", r.name as NSString, r.layers, r.hiddenSize, Double(r.parameters) / 1e6))
            print(String(format: "    prompt  %4d tokens: %8.2f ms   %9.0f tokens/s", r.promptTokens, r.promptSeconds * 1000, r.promptTokensPerSecond))
            print(String(format: "    decode  %4d tokens: %8.2f ms   %9.1f tokens/s  (%.2f ms/token; whole generate %.1f tokens/s)",
                         r.newTokens, r.decodeSeconds * 1000, r.decodeTokensPerSecond, 1000 / r.decodeTokensPerSecond, r.generateTokensPerSecond))
        }
    }
}
