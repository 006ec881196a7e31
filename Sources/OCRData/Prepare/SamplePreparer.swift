import Foundation
import GlyphRender
import PosterCore

/// One MARIO sample to one training record: OCR polygons to axis-aligned
/// boxes, words merged into lines, boxes quantised to the 128 grid, filters
/// applied; bad input is counted with its reason (or thrown under --strict).
struct SamplePreparer {
    let options: PrepareOptions

    /// What became of one sample: a record (with the resized image and drawn
    /// mask) or the reason it was dropped, plus counts of what was skipped in it.
    struct Outcome {
        var record: TrainingRecord?
        var image: RGBImage?
        var imageBytes: [UInt8]?
        var mask: GrayImage?
        var report = PrepareReport()
        /// Set under --strict: the bad input that stops the run.
        var fatal: String?
    }

    func prepare(_ entry: MARIOStore.Entry, renderer: GlyphRenderer) -> Outcome {
        var outcome = Outcome()
        let path = entry.directory.path
        func bad(_ reason: String, _ message: String) -> Outcome {
            outcome.report.count("dropped.\(reason)", example: message)
            if options.strict { outcome.fatal = message }
            return outcome
        }
        func filtered(_ reason: String) -> Outcome {
            outcome.report.count("filtered.\(reason)", example: path)
            return outcome
        }
        let sample: MARIOSample
        let ocrErrors: [OCRTextCodec.LineError]
        do { (sample, ocrErrors) = try MARIOStore.read(entry) } catch { return bad(error.reason, error.message) }
        for error in ocrErrors {
            outcome.report.count("skipped_ocr_lines.malformed", example: "\(path)/ocr.txt \(error)")
            if options.strict { outcome.fatal = "\(path)/ocr.txt \(error)"; return outcome }
        }

        // Words: confident, inside the image.
        let width = Double(sample.image.width), height = Double(sample.image.height)
        var items: [LineMerger.Item] = []
        for word in sample.words {
            let box = word.boundingBox
            if Double(box.left) < -1 || Double(box.top) < -1 || Double(box.right) > width + 1 || Double(box.bottom) > height + 1 || box.right <= box.left || box.bottom <= box.top {
                let message = "\(path)/ocr.txt word '\(word.text)' polygon \(word.polygon) is outside the \(sample.image.width)x\(sample.image.height) image"
                outcome.report.count("skipped_words.polygon_outside_image", example: message)
                if options.strict { outcome.fatal = message; return outcome }
                continue
            }
            if word.confidence < options.minimumConfidence {
                outcome.report.count("skipped_words.low_confidence")
                continue
            }
            items.append(LineMerger.Item(text: word.text, left: Double(max(0, box.left)), top: Double(max(0, box.top)),
                                         right: min(width, Double(box.right)), bottom: min(height, Double(box.bottom))))
        }

        // Filters.
        if min(originalSize(sample).width, originalSize(sample).height) < options.minimumImageSide { return filtered("image_too_small") }
        let lines = options.merger.merge(items)
        if lines.isEmpty { return filtered("no_text") }
        if lines.count > options.maximumLines { return filtered("too_many_lines") }
        let area = lines.reduce(0.0) { $0 + ($1.right - $1.left) * ($1.bottom - $1.top) } / (width * height)
        if area < options.minimumTextArea { return filtered("text_too_small") }
        let keywords = lines.map(\.text)
        if options.requireKeywordsInCaption {
            let caption = sample.caption.lowercased()
            if !keywords.allSatisfy({ caption.contains($0.lowercased()) }) { return filtered("keywords_not_in_caption") }
        }

        let canvas = CanvasSize(width: options.canvas, height: options.canvas)
        let layoutLines = lines.map { line in
            LayoutLine(box: GridQuantizer.box(left: line.left, top: line.top, right: line.right, bottom: line.bottom,
                                              width: sample.image.width, height: sample.image.height), text: line.text)
        }
        let layout: Layout
        do { layout = try Layout(canvas: canvas, lines: layoutLines) } catch { return bad("invalid_layout", "\(path): \(error)") }
        do {
            outcome.mask = try renderer.render(layout).image
        } catch {
            return bad("unrenderable_text", "\(path): \(error)")
        }
        // Keep the original JPEG bytes when they are already the record's size.
        let jpg = entry.directory.appendingPathComponent("image.jpg").path
        if sample.image.width == options.canvas, sample.image.height == options.canvas, !sample.imageIsPNG,
           let data = FileManager.default.contents(atPath: jpg), data.starts(with: [0xFF, 0xD8]) {
            outcome.imageBytes = [UInt8](data)
        } else {
            outcome.image = sample.image.width == options.canvas && sample.image.height == options.canvas
                ? sample.image : sample.image.resized(width: options.canvas, height: options.canvas)
        }
        outcome.record = TrainingRecord(id: sample.id, caption: sample.caption,
                                        prompt: TrainingRecord.prompt(caption: sample.caption, keywords: keywords),
                                        keywords: keywords, layout: layout)
        return outcome
    }

    /// The source image's size before MARIO resized it, from info.json where it says.
    private func originalSize(_ sample: MARIOSample) -> (width: Int, height: Int) {
        if let object = try? JSONSerialization.jsonObject(with: Data(sample.info.utf8)) as? [String: Any] {
            for (w, h) in [("original_width", "original_height"), ("width", "height")] {
                if let width = object[w] as? Int, let height = object[h] as? Int { return (width, height) }
            }
        }
        return (sample.image.width, sample.image.height)
    }
}
