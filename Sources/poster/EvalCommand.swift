import ArgumentParser
import Foundation
import GlyphRender
import LayoutLM
import PosterCore

/// `poster eval ...`: quality measurements of trained models.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Measure the quality of trained GlyphPoster models.", subcommands: [EvalLayout.self, EvalOCR.self, EvalReread.self])
}

/// `poster eval layout`: the planner against the validation records' layouts.
struct EvalLayout: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layout",
        abstract: "Plan the validation records' prompts and score the layouts against the records' own.",
        discussion: """
        Reads layout.val.jsonl of every shard-* folder of --records (in name order; the first --limit records in file \
        order) and plans each prompt with the record's keywords. Metrics (see LayoutEvaluation): parse rate; keyword \
        recall and precision (lines joined with spaces where a keyword is split); mean IoU of the boxes of keywords \
        spelled by both (and with misses as 0); the rate of layouts whose boxes overlap; the rate of illegible lines \
        (box under 12 px high at 512x512, or under 5 px wide per character). The records' layouts get the same \
        overlap and legibility figures as a baseline.
        """)

    @Option(help: "Model folder (config.json, model.safetensors, tokenizer.json); default models/layout.")
    var model: String?

    @Option(help: "Records folder from `poster data prepare` (shard-*/layout.val.jsonl).")
    var records: String

    @Option(help: "Evaluate the first N validation records.")
    var limit: Int = 200

    @Option(help: "Sampling seed (only used with --temperature above 0).")
    var seed: UInt64 = 0

    @Option(help: "0 (the default) decodes greedily; above 0 samples.")
    var temperature: Float = 0

    @Option(help: "Most lines per layout (raised to the record's keyword count where that is more).")
    var maxLines: Int = 8

    @Option(help: "Write a contact sheet PNG here: the first 16 predictions (grey dashes: the record's boxes).")
    var contactSheet: String?

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1") }
        guard temperature >= 0, temperature <= 10 else { throw ValidationError("--temperature must be in 0...10") }
        guard (1...32).contains(maxLines) else { throw ValidationError("--max-lines must be in 1...32") }
    }

    struct Record {
        var id: String
        var prompt: String
        var keywords: [String]
        var layout: Layout
    }

    func run() throws {
        let planner: LayoutPlanner
        let records: [Record]
        do {
            records = try Self.readRecords(URL(fileURLWithPath: self.records), limit: limit)
            guard let directory = model.map({ URL(fileURLWithPath: $0) }) ?? LayoutPlanner.defaultDirectory() else {
                throw InputError("no layout model: pass --model DIR (a folder with config.json, model.safetensors, tokenizer.json)")
            }
            planner = try LayoutPlanner(directory: directory)
        } catch let error as InputError { throw error } catch { throw InputError(error) }

        var samples: [LayoutEvaluation.Sample] = []
        var failures: [String: Int] = [:]
        var summary = LayoutEvaluation.Summary()
        var planSeconds = 0.0
        let progress = ProgressReporter("eval layout", total: records.count, unit: "layouts", quiet: false)
        for record in records {
            var options = LayoutDecodingOptions(temperature: temperature, seed: seed,
                                                maximumLines: max(maxLines, record.keywords.count),
                                                canvas: record.layout.canvas)
            options.maximumLines = min(options.maximumLines, 64)
            let start = Date()
            let sample: LayoutEvaluation.Sample
            do {
                let layout = try planner.plan(prompt: record.prompt, keywords: record.keywords, options: options)
                sample = LayoutEvaluation.Sample(reference: record.layout, predicted: layout, keywords: record.keywords)
            } catch {
                let reason = String(describing: error)
                failures[Self.failureKind(error), default: 0] += 1
                sample = LayoutEvaluation.Sample(reference: record.layout, predicted: nil, keywords: record.keywords, failure: reason)
            }
            planSeconds += Date().timeIntervalSince(start)
            samples.append(sample)
            summary.add(LayoutEvaluation.evaluate(sample))
            progress.advance(status: String(format: "recall %.3f, IoU %.3f", summary.keywordRecall, summary.meanIoU))
        }
        progress.finish()

        if let contactSheet {
            do {
                let renderer = try GlyphRenderer()
                let sheet = Self.contactSheet(Array(zip(records, samples).prefix(16)), renderer: renderer)
                try PNGCodec.write(sheet, to: contactSheet)
            } catch { throw InputError(error) }
        }

        let secondsPerLayout = planSeconds / Double(max(1, records.count))
        if json {
            printJSON(summary, failures: failures, secondsPerLayout: secondsPerLayout, model: planner.directory.path)
        } else {
            printTable(summary, failures: failures, secondsPerLayout: secondsPerLayout, model: planner.directory.path)
        }
    }

    // MARK: - Records

    static func readRecords(_ folder: URL, limit: Int) throws -> [Record] {
        let fm = FileManager.default
        guard let shards = try? fm.contentsOfDirectory(atPath: folder.path).filter({ $0.hasPrefix("shard-") }).sorted(), !shards.isEmpty else {
            throw InputError("\(folder.path): no shard-* folders (run `poster data prepare` first)")
        }
        var records: [Record] = []
        for shard in shards where records.count < limit {
            let path = folder.appendingPathComponent(shard).appendingPathComponent("layout.val.jsonl").path
            guard let data = fm.contents(atPath: path) else { continue }
            for (index, line) in data.split(separator: UInt8(ascii: "\n")).enumerated() where !line.isEmpty {
                guard records.count < limit else { break }
                guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                      let prompt = object["prompt"] as? String, let tokens = object["layout"] as? String else {
                    throw InputError("\(path):\(index + 1): not a layout record (need prompt and layout)")
                }
                var canvas = CanvasSize.standard
                if let size = object["canvas"] as? [Int], size.count == 2 { canvas = CanvasSize(width: size[0], height: size[1]) }
                let layout: Layout
                do { layout = try LayoutTokenCodec.decode(tokens, canvas: canvas) } catch {
                    throw InputError("\(path):\(index + 1): unreadable layout: \(error)")
                }
                let keywords = (object["keywords"] as? [String]) ?? layout.lines.map(\.text)
                records.append(Record(id: object["id"] as? String ?? "\(shard):\(index + 1)", prompt: prompt,
                                      keywords: keywords, layout: layout))
            }
        }
        guard !records.isEmpty else { throw InputError("\(folder.path): no validation records (shard-*/layout.val.jsonl)") }
        return records
    }

    /// The failure's class for the tally: its type and message with every number as N.
    static func failureKind(_ error: any Error) -> String {
        var kind = "", inNumber = false
        for character in String(describing: error) {
            if character.isNumber {
                if !inNumber { kind.append("N") }
                inNumber = true
            } else {
                kind.append(character)
                inNumber = false
            }
        }
        return "\(type(of: error)): \(kind)"
    }

    // MARK: - Output

    func printTable(_ s: LayoutEvaluation.Summary, failures: [String: Int], secondsPerLayout: Double, model: String) {
        func pct(_ value: Double) -> String { String(format: "%6.1f%%", 100 * value) }
        print("layout planner \(model) on \(s.samples) validation records (\(temperature == 0 ? "greedy" : "temperature \(temperature), seed \(seed)"))")
        print("  parse rate             \(pct(s.parseRate))   (\(s.parsed)/\(s.samples))")
        print("  keyword recall         \(pct(s.keywordRecall))   (\(s.keywordsSpelled)/\(s.keywords) keywords spelled)")
        print("  keyword precision      \(pct(s.keywordPrecision))   (\(s.keywordsSpelled)/\(s.textsSpelled) texts spelled)")
        print("  mean IoU (matched)     \(String(format: "%7.3f", s.meanIoU))   (\(s.matchedPairs) keyword boxes)")
        print("  mean IoU (misses 0)    \(String(format: "%7.3f", s.meanIoUWithMisses))   (\(s.referenceKeywords) reference keywords)")
        print("  overlapping layouts    \(pct(s.overlapRate))   (records: \(pct(s.referenceOverlapRate).trimmingCharacters(in: .whitespaces)))")
        print("  illegible lines        \(pct(s.illegibleLineRate))   (\(s.illegibleLines)/\(s.lines); records: \(pct(s.referenceIllegibleLineRate).trimmingCharacters(in: .whitespaces)))")
        print(String(format: "  planning time          %7.3f s/layout", secondsPerLayout))
        for (kind, count) in failures.sorted(by: { $0.value > $1.value }) { print("  failed: \(count)x \(kind)") }
        if let contactSheet { print("  contact sheet: \(contactSheet)") }
    }

    func printJSON(_ s: LayoutEvaluation.Summary, failures: [String: Int], secondsPerLayout: Double, model: String) {
        func f(_ v: Double) -> String { String(format: "%.6f", v) }
        let failureItems = failures.sorted { $0.key < $1.key }.map { "\(LayoutJSONCodec.quoted($0.key)):\($0.value)" }
        let fields: [String] = [
            "\"eval\":\"layout\"", "\"model\":\(LayoutJSONCodec.quoted(model))", "\"samples\":\(s.samples)", "\"parsed\":\(s.parsed)", "\"parse_rate\":\(f(s.parseRate))",
            "\"keywords\":\(s.keywords)", "\"keywords_spelled\":\(s.keywordsSpelled)", "\"texts_spelled\":\(s.textsSpelled)",
            "\"keyword_recall\":\(f(s.keywordRecall))", "\"keyword_precision\":\(f(s.keywordPrecision))",
            "\"matched_boxes\":\(s.matchedPairs)", "\"mean_iou\":\(f(s.meanIoU))", "\"mean_iou_with_misses\":\(f(s.meanIoUWithMisses))",
            "\"overlap_rate\":\(f(s.overlapRate))", "\"lines\":\(s.lines)", "\"illegible_lines\":\(s.illegibleLines)",
            "\"illegible_line_rate\":\(f(s.illegibleLineRate))", "\"reference_overlap_rate\":\(f(s.referenceOverlapRate))",
            "\"reference_illegible_line_rate\":\(f(s.referenceIllegibleLineRate))",
            "\"seconds_per_layout\":\(f(secondsPerLayout))", "\"temperature\":\(temperature)", "\"seed\":\(seed)",
            "\"failures\":{\(failureItems.joined(separator: ","))}",
            "\"contact_sheet\":\(contactSheet.map(LayoutJSONCodec.quoted) ?? "null")",
        ]
        print("{\(fields.joined(separator: ","))}")
    }

    // MARK: - Contact sheet

    static let thumbnail = 256
    static let captionHeight = 34
    static let gap = 6

    /// Up to 16 cells, 4 per row: the predicted layout's preview at 256x256
    /// with the record's boxes as dark grey dashes, and under it the record id,
    /// keyword recall and IoU, and the prompt's first words.
    static func contactSheet(_ items: [(Record, LayoutEvaluation.Sample)], renderer: GlyphRenderer) -> RGBImage {
        let columns = min(4, max(1, items.count))
        let rows = (items.count + columns - 1) / columns
        let cellHeight = thumbnail + captionHeight
        let width = columns * thumbnail + (columns + 1) * gap
        let height = rows * cellHeight + (rows + 1) * gap
        var sheet = RGBImage(width: width, height: height, fill: RGBColor(red: 210, green: 210, blue: 205))
        for (index, item) in items.enumerated() {
            let x0 = gap + (index % columns) * (thumbnail + gap)
            let y0 = gap + (index / columns) * (cellHeight + gap)
            let cell = self.cell(record: item.0, sample: item.1, renderer: renderer)
            blit(cell, into: &sheet, x: x0, y: y0)
        }
        return sheet
    }

    static func cell(record: Record, sample: LayoutEvaluation.Sample, renderer: GlyphRenderer) -> RGBImage {
        let side = thumbnail
        var cell = RGBImage(width: side, height: side + captionHeight, fill: .white)
        var preview: RGBImage
        if let predicted = sample.predicted {
            let square = (try? predicted.resized(to: .standard)) ?? predicted
            if let mask = try? renderer.render(square) {
                preview = LayoutPreview.render(square, mask: mask, renderer: renderer).resized(width: side, height: side)
            } else {
                preview = RGBImage(width: side, height: side, fill: LayoutPreview.background)
                for (i, line) in square.lines.enumerated() {
                    let r = scaled(line.box, side)
                    preview.strokeRect(minX: r[0], minY: r[1], maxX: r[2], maxY: r[3], thickness: 1, color: LayoutPreview.color(ofLine: i))
                }
            }
        } else {
            preview = RGBImage(width: side, height: side, fill: RGBColor(red: 250, green: 222, blue: 222))
            var text = GrayImage(width: side, height: side)
            _ = try? renderer.drawText("no layout", in: PixelRect(minX: 40, minY: 110, maxX: 216, maxY: 146), into: &text)
            preview.composite(RGBColor(red: 160, green: 30, blue: 30), coverage: text)
        }
        for line in record.layout.lines { dashedRect(scaled(line.box, side), into: &preview) }
        blit(preview, into: &cell, x: 0, y: 0)

        let metrics = LayoutEvaluation.evaluate(sample)
        let iou = metrics.meanIoU.map { String(format: "IoU %.2f", $0) } ?? "IoU -"
        let header = "\(record.id)  kw \(metrics.keywordsSpelled)/\(metrics.keywords)  \(iou)\(metrics.overlaps ? "  overlap" : "")"
        let words = record.prompt.split(separator: " ")
        var prompt = words.prefix(9).joined(separator: " ")
        if words.count > 9 { prompt += " ..." }
        var caption = GrayImage(width: side, height: captionHeight)
        var options = GlyphRenderOptions()
        options.fit = .fit
        _ = try? renderer.drawText(header, in: PixelRect(minX: 3, minY: 2, maxX: Double(side - 3), maxY: 16), into: &caption, options: options)
        _ = try? renderer.drawText(prompt, in: PixelRect(minX: 3, minY: 18, maxX: Double(side - 3), maxY: Double(captionHeight - 3)), into: &caption, options: options)
        var strip = RGBImage(width: side, height: captionHeight, fill: .white)
        strip.composite(LayoutPreview.ink, coverage: caption)
        blit(strip, into: &cell, x: 0, y: side)
        return cell
    }

    static func scaled(_ box: GridBox, _ side: Int) -> [Int] {
        let s = Double(side) / Double(GridBox.gridSize)
        return [Int((Double(box.left) * s).rounded()), Int((Double(box.top) * s).rounded()),
                Int((Double(box.right) * s).rounded()), Int((Double(box.bottom) * s).rounded())]
    }

    /// A 1 px dark grey dashed outline (3 on, 3 off).
    static func dashedRect(_ r: [Int], into image: inout RGBImage) {
        let grey: [UInt8] = [70, 70, 70]
        func put(_ x: Int, _ y: Int) {
            guard x >= 0, y >= 0, x < image.width, y < image.height else { return }
            let i = (y * image.width + x) * 3
            image.pixels[i] = grey[0]; image.pixels[i + 1] = grey[1]; image.pixels[i + 2] = grey[2]
        }
        let maxX = r[2] - 1, maxY = r[3] - 1
        for x in r[0]...max(r[0], maxX) where (x - r[0]) % 6 < 3 { put(x, r[1]); put(x, maxY) }
        for y in r[1]...max(r[1], maxY) where (y - r[1]) % 6 < 3 { put(r[0], y); put(maxX, y) }
    }

    static func blit(_ source: RGBImage, into target: inout RGBImage, x: Int, y: Int) {
        for row in 0..<source.height {
            let ty = y + row
            guard ty >= 0, ty < target.height else { continue }
            let columns = min(source.width, target.width - x)
            guard columns > 0, x >= 0 else { continue }
            let s = row * source.width * 3, t = (ty * target.width + x) * 3
            target.pixels.replaceSubrange(t..<(t + columns * 3), with: source.pixels[s..<(s + columns * 3)])
        }
    }
}
