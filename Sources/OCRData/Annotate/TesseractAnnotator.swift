import Dispatch
import Foundation
import PosterCore

/// `poster data annotate`: real OCR over real images, as MARIO was built.
/// Each image is resized to 512x512, read by Tesseract at word level, and
/// written as a MARIO sample: ocr.txt with the words at or above the minimum
/// confidence (axis-aligned 4-point polygons in 512-px coordinates),
/// charseg.npy from Tesseract's symbol boxes (each box filled with its
/// character's class at 256x256), the caption, and info.json with the source.
public struct TesseractAnnotator: Sendable {
    public var minimumConfidence: Double
    public var captions: CaptionSource
    public var size: Int
    public var workers: Int
    public var strict: Bool

    public init(minimumConfidence: Double = 0.6, captions: CaptionSource = CaptionSource(), size: Int = 512,
                workers: Int = ProcessInfo.processInfo.activeProcessorCount, strict: Bool = false) {
        self.minimumConfidence = minimumConfidence
        self.captions = captions
        self.size = size
        self.workers = max(1, workers)
        self.strict = strict
    }

    public struct Failure: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// The images directly in `directory` (and below), by path, JPEG and PNG only.
    public static func images(in directory: URL) throws(Failure) -> [URL] {
        // Checked first: on Linux the enumerator of a missing folder is not nil, just empty.
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue,
              let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else {
            throw Failure(message: "cannot list \(directory.path): not a readable directory")
        }
        var found: [URL] = []
        for case let url as URL in walker where ["jpg", "jpeg", "png"].contains(url.pathExtension.lowercased()) {
            found.append(url)
        }
        return found.sorted { $0.path < $1.path }
    }

    /// Annotates every image under `input` into the MARIO tree `output`; image
    /// number i (sorted by path) becomes sample id i. Returns the report.
    public func run(input: URL, output: URL, quiet: Bool = false) throws(Failure) -> PrepareReport {
        let images = try Self.images(in: input)
        do { try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true) } catch {
            throw Failure(message: "cannot create \(output.path): \(error.localizedDescription)")
        }
        let progress = ProgressReporter("annotate", total: images.count, unit: "images", quiet: quiet)
        let reports = UnsafeMutableBufferPointer<PrepareReport>.allocate(capacity: workers)
        reports.initialize(repeating: PrepareReport())
        defer { reports.deinitialize(); reports.deallocate() }
        nonisolated(unsafe) let shared = reports
        let failures = LockedList()
        let workerCount = min(workers, max(1, images.count))
        DispatchQueue.concurrentPerform(iterations: workerCount) { worker in
            let ocr: TesseractOCR
            do { ocr = try TesseractOCR() } catch {
                failures.append("\(error)", fatal: true)
                return
            }
            var index = worker
            while index < images.count {
                if strict && failures.hasFatal { break }
                let problem = annotate(images[index], index: index, ocr: ocr, output: output, report: &shared[worker])
                if let problem, strict { failures.append(problem, fatal: true) }
                progress.advance()
                index += workerCount
            }
        }
        progress.finish()
        if let fatal = failures.firstFatal { throw Failure(message: fatal) }
        var report = PrepareReport()
        for r in reports { report.merge(r) }
        let path = output.appendingPathComponent("report.json").path
        guard FileManager.default.createFile(atPath: path, contents: Data(report.json().utf8)) else {
            throw Failure(message: "cannot write \(path)")
        }
        return report
    }

    /// Annotates one image; returns what went wrong, if anything (already counted).
    private func annotate(_ url: URL, index: Int, ocr: TesseractOCR, output: URL, report: inout PrepareReport) -> String? {
        report.count("images.seen")
        let original: RGBImage
        do { original = try MARIOStore.readAnyImage(url.path) } catch {
            report.count("dropped.unreadable_image", example: "\(error)")
            return "\(error)"
        }
        guard let caption = captions.caption(for: url) else {
            let message = "\(url.path): no caption (no sidecar .txt and not in the captions file)"
            report.count("dropped.missing_caption", example: message)
            return message
        }
        let image = original.width == size && original.height == size ? original : original.resized(width: size, height: size)
        let found = ocr.recognize(image.luma(), mode: .sparseText)
        var words: [MARIOWord] = []
        let half = size / 2
        var classes = [UInt8](repeating: 0, count: half * half)
        for word in found {
            let text = word.text.filter { !$0.isWhitespace }
            guard !text.isEmpty else { continue }
            if word.confidence < minimumConfidence {
                report.count("skipped_words.low_confidence")
                continue
            }
            words.append(MARIOWord(text: text, left: word.box.left, top: word.box.top, right: word.box.right, bottom: word.box.bottom,
                                   confidence: word.confidence))
            for symbol in word.symbols {
                guard symbol.text.count == 1, let cls = MARIOAlphabet.classIndex(of: symbol.text.first!) else { continue }
                let b = symbol.box
                for y in max(0, b.top / 2)..<max(max(0, b.top / 2), min(half, (b.bottom + 1) / 2)) {
                    for x in max(0, b.left / 2)..<max(max(0, b.left / 2), min(half, (b.right + 1) / 2)) { classes[y * half + x] = cls }
                }
            }
        }
        report.count("words.kept", by: words.count)
        let info = "{\"source\":\"annotate\",\"source_file\":\(LayoutJSONCodec.quoted(url.lastPathComponent)),"
            + "\"original_width\":\(original.width),\"original_height\":\(original.height),\"ocr\":\"tesseract\",\"min_confidence\":\(minimumConfidence)}"
        let sample = MARIOSample(id: MARIOSample.id(index: index), image: image, caption: caption, words: words,
                                 charseg: NumpyArray(rows: half, columns: half, values: classes), info: info)
        do { try MARIOStore.write(sample, to: output) } catch {
            report.count("dropped.unwritable_sample", example: "\(error)")
            return "\(error)"
        }
        report.count("samples.written")
        return nil
    }
}
