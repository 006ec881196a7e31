import Foundation
import GlyphRender
import OCRData
import PosterCore

extension OCREvaluation {
    /// An earlier run's report.json, with a clear error naming the file when it is missing or not a report.
    public static func report(in folder: URL) throws -> Report {
        let url = folder.appendingPathComponent("report.json")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw StudioError("\(url.path): no report (give the --out folder of a poster eval ocr run)")
        }
        do { return try JSONDecoder().decode(Report.self, from: data) } catch {
            throw StudioError("\(url.path): not a poster eval ocr report (\(error))")
        }
    }

    /// Reads an earlier run's posters again with this evaluation's OCR settings,
    /// without generating anything: the same posters scored under a changed
    /// protocol, so models evaluated before a protocol change compare with those
    /// after. Layouts are planned again (greedy planning is deterministic) and
    /// must spell the lines the run recorded; generation times are the run's.
    /// Writes OUT/report.json with the posters copied to OUT/images, so the
    /// folder stands alone as a run's does; OUT must not be the run's folder.
    public func reread(_ earlier: Report, from folder: URL, layouts: PosterLayoutSource, renderer: GlyphRenderer, out: URL,
                       progress: ProgressReporter? = nil) throws -> Report {
        guard folder.standardizedFileURL.resolvingSymlinksInPath() != out.standardizedFileURL.resolvingSymlinksInPath() else {
            throw StudioError("\(out.path): is the run's own folder; give another --out so its report.json is kept")
        }
        let fm = FileManager.default
        try fm.createDirectory(at: out.appendingPathComponent("images"), withIntermediateDirectories: true)
        let ocr = try TesseractOCR()
        var flats: [String: (layout: Layout, mask: GrayImage, flat: FlatReading)] = [:]
        var results: [ImageResult] = []
        for (i, old) in earlier.images.enumerated() {
            let path = folder.appendingPathComponent(old.image).path
            let poster: RGBImage
            do { poster = try PNGCodec.readRGB(from: path) } catch {
                throw StudioError("\(path): cannot read poster \(i + 1) of the report (\(error))")
            }
            if flats[old.prompt] == nil {
                var request = sampling
                request.prompt = old.prompt
                request.size = poster.width
                let layout = try layouts.layout(for: request)
                guard layout.lines.map(\.text) == old.lines.map(\.text) else {
                    throw StudioError("\(path): the planner now lays out \(layout.lines.map(\.text)) for \"\(old.prompt)\", "
                                      + "the run had \(old.lines.map(\.text)): reread with the planner the run used (--planner)")
                }
                flats[old.prompt] = (layout, try renderer.render(layout).image, flatReading(ocr, renderer: renderer, layout: layout))
            }
            let copy = out.appendingPathComponent(old.image)
            try fm.createDirectory(at: copy.deletingLastPathComponent(), withIntermediateDirectories: true)
            try PNGCodec.write(poster, to: copy.path)
            let (layout, mask, flat) = flats[old.prompt]!
            results.append(read(ocr, poster: poster, mask: mask, layout: layout, flat: flat, prompt: old.prompt, seed: old.seed,
                                image: old.image, seconds: old.seconds))
            advance(progress, results)
        }
        var report = earlier
        report.ocrInput = ocrInput
        report.summarize(results)
        try write(report, to: out)
        return report
    }
}
