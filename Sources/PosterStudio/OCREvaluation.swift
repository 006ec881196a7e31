import Foundation
import GlyphControl
import GlyphRender
import OCRData
import PosterCore

/// `poster eval ocr`: generates each prompt's posters and reads them back with
/// Tesseract. Reports (1) MARIO-Eval P/R/F/accuracy on the whole image,
/// (2) AnyText-style line accuracy and normalised edit distance on a crop of
/// each planned box, (3) both again on flat dark-on-light renders of the same
/// layouts (what Tesseract itself manages: the ceiling), and (4) colour
/// adherence for prompts that name colours.
///
/// OCR protocol (fixed, so numbers compare across models): every image
/// Tesseract reads is first made contrast-normalised grey (`OCRInput.contrast`;
/// `.color` reads the colours as reports before session 20 did); whole images
/// are upscaled 4x and read in sparse-text mode (psm 11); box crops get 4 px
/// of margin, a 4x upscale and single-line mode (psm 7).
public struct OCREvaluation {
    public var seeds = 4
    /// The first seed: posters use seeds firstSeed ..< firstSeed + seeds, so a later run can add seeds to an earlier one's.
    public var firstSeed: UInt64 = 0
    public var upscale = 4
    public var ocrInput = OCRInput.contrast
    /// Sampling settings every poster uses (prompt and seed are the evaluation's):
    /// steps, guidance, control scale, scheduler, negative prompt, colour prior; nil fields are the model's defaults.
    public var sampling = PosterRequest(prompt: "")
    public var colorPrior: Double { sampling.colorPrior }

    public init(seeds: Int = 4, colorPrior: Double = PosterRequest.defaultColorPrior) {
        self.seeds = seeds
        self.sampling.colorPrior = colorPrior
    }

    public struct LineResult: Codable, Sendable {
        public var text: String
        public var read: String
        public var exact: Bool
        public var ned: Double
    }

    public struct ImageResult: Codable, Sendable {
        public var prompt: String
        public var seed: UInt64
        public var image: String
        public var words: [String]
        public var mario: MARIOEval.ImageScore
        public var lines: [LineResult]
        public var flatWords: [String]
        public var flatMario: MARIOEval.ImageScore
        public var flatLines: [LineResult]
        public var colors: [ColorAdherence.Check]
        public var seconds: Double
    }

    public struct Report: Codable, Sendable {
        public var model: String
        public var prompts: Int
        public var seedsPerPrompt: Int
        /// Seeds firstSeed ..< firstSeed + seedsPerPrompt (nil in reports from before it existed: 0).
        public var firstSeed: UInt64?
        public var colorPrior: Double
        /// nil: the model's default.
        public var steps: Int?
        public var guidance: Float?
        public var controlScale: Float
        public var scheduler: String?
        public var negativePrompt: String
        /// What Tesseract read (nil in reports from before it existed: colour).
        public var ocrInput: OCRInput?
        public var mario: MARIOEval.Summary
        public var lineAccuracy: Double
        public var lineNED: Double
        public var flatMario: MARIOEval.Summary
        public var flatLineAccuracy: Double
        public var flatLineNED: Double
        public var colorChecks: Int
        public var colorAdherence: Double
        public var secondsPerImage: Double
        public var failures: [String]
        public var images: [ImageResult]
    }

    /// Prompts from a file: one per line; blank lines and `#` comments skipped.
    public static func prompts(from url: URL) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8) else {
            throw StudioError("\(url.path): cannot read the prompts file (UTF-8 text, one prompt per line)")
        }
        let prompts = text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { _, line -> String? in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return trimmed.isEmpty || trimmed.hasPrefix("#") ? nil : trimmed
        }
        guard !prompts.isEmpty else { throw StudioError("\(url.path): no prompts (one per line; # starts a comment)") }
        for (i, prompt) in prompts.enumerated() where MARIOEval.groundTruth(prompt: prompt).isEmpty {
            throw StudioError("\(url.path): prompt \(i + 1) quotes no text to evaluate: \(prompt)")
        }
        return prompts
    }

    public func run(prompts: [String], generator: PosterGenerator, size: Int, out: URL,
                    progress: ProgressReporter? = nil) throws -> Report {
        let imageFolder = out.appendingPathComponent("images")
        try FileManager.default.createDirectory(at: imageFolder, withIntermediateDirectories: true)
        let ocr = try TesseractOCR()
        var results: [ImageResult] = []
        var failures: [String] = []
        var sheetRows: [ContactSheet.Row] = []
        for (p, prompt) in prompts.enumerated() {
            var request = sampling
            request.prompt = prompt
            request.size = size
            let layout: Layout
            do { layout = try generator.layout(for: request) } catch {
                failures.append("prompt \(p + 1): \(error)")
                progress?.advance(by: seeds)
                continue
            }
            let flat = flatReading(ocr, renderer: generator.renderer, layout: layout)
            for s in 0..<seeds {
                request.seed = firstSeed + UInt64(s)
                let start = Date()
                let result = try generator.generate(request, layout: layout)
                let name = String(format: "%03d-%d.png", p + 1, Int(request.seed))
                try PNGCodec.write(result.image, to: imageFolder.appendingPathComponent(name).path)
                let scored = read(ocr, poster: result.image, mask: result.mask.image, layout: layout, flat: flat, prompt: prompt,
                                  seed: request.seed, image: "images/\(name)", seconds: Date().timeIntervalSince(start))
                results.append(scored)
                if s == 0, sheetRows.count < 24 {
                    sheetRows.append(ContactSheet.Row(label: prompt + "  | read: " + scored.words.joined(separator: " "),
                                                      images: [RGBImage(gray: result.mask.image), result.image, flat.image]))
                }
                advance(progress, results)
            }
        }
        var report = Report(model: generator.modelDirectory.path, prompts: prompts.count, seedsPerPrompt: seeds, firstSeed: firstSeed,
                            colorPrior: colorPrior,
                            steps: sampling.steps, guidance: sampling.guidance, controlScale: sampling.controlScale,
                            scheduler: sampling.scheduler, negativePrompt: sampling.negativePrompt, ocrInput: ocrInput,
                            mario: MARIOEval.summarize([]), lineAccuracy: 0, lineNED: 0, flatMario: MARIOEval.summarize([]),
                            flatLineAccuracy: 0, flatLineNED: 0, colorChecks: 0, colorAdherence: 0, secondsPerImage: 0,
                            failures: failures, images: [])
        report.summarize(results)
        try write(report, to: out)
        if !sheetRows.isEmpty {
            let sheet = ContactSheet(cell: size).render(sheetRows, renderer: generator.renderer)
            try PNGCodec.write(sheet, to: out.appendingPathComponent("contact_sheet.png").path)
        }
        return report
    }

    /// The flat render of a layout and what the OCR reads on it, shared by the layout's posters.
    struct FlatReading {
        var image: RGBImage
        var words: [String]
        var lines: [LineResult]
    }

    func flatReading(_ ocr: TesseractOCR, renderer: GlyphRenderer, layout: Layout) -> FlatReading {
        let flat = flatRender(renderer, layout: layout)
        return FlatReading(image: flat, words: readWords(ocr, image: flat), lines: readLines(ocr, image: flat, layout: layout))
    }

    /// Everything measured on one poster.
    func read(_ ocr: TesseractOCR, poster: RGBImage, mask: GrayImage, layout: Layout, flat: FlatReading, prompt: String,
              seed: UInt64, image: String, seconds: Double) -> ImageResult {
        let words = readWords(ocr, image: poster)
        let truth = MARIOEval.groundTruth(prompt: prompt)
        return ImageResult(prompt: prompt, seed: seed, image: image, words: words,
                           mario: MARIOEval.score(predicted: words, truth: truth), lines: readLines(ocr, image: poster, layout: layout),
                           flatWords: flat.words, flatMario: MARIOEval.score(predicted: flat.words, truth: truth), flatLines: flat.lines,
                           colors: ColorAdherence.checks(prompt: prompt, image: poster, mask: mask), seconds: seconds)
    }

    func advance(_ progress: ProgressReporter?, _ results: [ImageResult]) {
        progress?.advance(status: String(format: "MARIO acc %.2f, line acc %.2f",
                                         results.map(\.mario.accuracy).reduce(0, +) / Double(results.count),
                                         Self.lineAccuracy(results.flatMap(\.lines))))
    }

    func write(_ report: Report, to out: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try (encoder.encode(report) + Data("\n".utf8)).write(to: out.appendingPathComponent("report.json"), options: .atomic)
    }

    /// The layout drawn flat: black text on white, what OCR reads best.
    func flatRender(_ renderer: GlyphRenderer, layout: Layout) -> RGBImage {
        var image = RGBImage(width: layout.canvas.width, height: layout.canvas.height, fill: .white)
        if let mask = try? renderer.render(layout) { image.composite(.black, coverage: mask.image) }
        return image
    }

    /// The image as Tesseract gets it: this evaluation's OCR input, upscaled.
    func prepared(_ image: RGBImage) -> RGBImage {
        (ocrInput == .contrast ? RGBImage(gray: ContrastNormalizer.normalize(image)) : image).upscaled(upscale)
    }

    func readWords(_ ocr: TesseractOCR, image: RGBImage) -> [String] {
        ocr.recognize(prepared(image), mode: .sparseText).map(\.text)
    }

    func readLines(_ ocr: TesseractOCR, image: RGBImage, layout: Layout) -> [LineResult] {
        layout.lines.map { line in
            let rect = layout.pixelRect(of: line.box)
            let crop = image.cropped(minX: Int(rect.minX) - 4, minY: Int(rect.minY) - 4, maxX: Int(rect.maxX.rounded(.up)) + 4,
                                     maxY: Int(rect.maxY.rounded(.up)) + 4)
            let read = ocr.recognize(prepared(crop), mode: .singleLine).map(\.text).joined(separator: " ")
            return LineResult(text: line.text, read: read, exact: LineMetrics.isExact(read, line.text),
                              ned: LineMetrics.normalizedEditDistance(read, line.text))
        }
    }

    static func rate(_ flags: [Bool]) -> Double { flags.isEmpty ? 0 : Double(flags.filter { $0 }.count) / Double(flags.count) }
    static func lineAccuracy(_ lines: [LineResult]) -> Double { rate(lines.map(\.exact)) }
    static func lineNED(_ lines: [LineResult]) -> Double { lines.isEmpty ? 0 : lines.map(\.ned).reduce(0, +) / Double(lines.count) }
}

extension RGBImage {
    /// The pixels inside the rectangle (clamped to the image), as a new image.
    func cropped(minX: Int, minY: Int, maxX: Int, maxY: Int) -> RGBImage {
        let x0 = max(0, min(width - 1, minX)), y0 = max(0, min(height - 1, minY))
        let x1 = max(x0 + 1, min(width, maxX)), y1 = max(y0 + 1, min(height, maxY))
        var pixels: [UInt8] = []
        pixels.reserveCapacity((x1 - x0) * (y1 - y0) * 3)
        for y in y0..<y1 { pixels += self.pixels[((y * width + x0) * 3)..<((y * width + x1) * 3)] }
        return RGBImage(width: x1 - x0, height: y1 - y0, pixels: pixels)
    }

    func upscaled(_ factor: Int) -> RGBImage { factor <= 1 ? self : resized(width: width * factor, height: height * factor) }
}

extension OCREvaluation.Report {
    /// Fills the summary numbers from the per-poster results (flat renders: the first seed's, one per layout).
    mutating func summarize(_ results: [OCREvaluation.ImageResult]) {
        let firstSeed = self.firstSeed ?? 0
        let flat = results.filter { $0.seed == firstSeed }
        images = results
        mario = MARIOEval.summarize(results.map(\.mario))
        lineAccuracy = OCREvaluation.lineAccuracy(results.flatMap(\.lines))
        lineNED = OCREvaluation.lineNED(results.flatMap(\.lines))
        flatMario = MARIOEval.summarize(flat.map(\.flatMario))
        flatLineAccuracy = OCREvaluation.lineAccuracy(flat.flatMap(\.flatLines))
        flatLineNED = OCREvaluation.lineNED(flat.flatMap(\.flatLines))
        colorChecks = results.flatMap(\.colors).count
        colorAdherence = OCREvaluation.rate(results.flatMap(\.colors).map(\.matched))
        secondsPerImage = results.map(\.seconds).reduce(0, +) / Double(max(1, results.count))
    }
}
