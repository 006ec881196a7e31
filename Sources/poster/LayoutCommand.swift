import ArgumentParser
import Foundation
import GlyphRender
import PosterCore

/// `poster layout`: the layout-only preview export.
struct LayoutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layout",
        abstract: "Render a layout into a glyph mask, a preview (PNG/SVG) and normalised JSON.",
        discussion: """
        LAYOUT is layout text, a file holding it, or - for standard input, in any of the
        formats (detected): tokens  [x25][y89][x108][y96][W][I][L][D]
                           planner  WILD 25,89,108,96      (one line per text line)
                           encoder  l25 t89 r108 b96 [W] [I] [L] [D] <|endoftext|>
                           json     {"canvas":{...},"grid":128,"lines":[{"text":"WILD","box":[25,89,108,96]}]}
        With no output option the layout is printed as tokens with each line's fitted size.
        """
    )

    @Argument(help: "Layout text, a layout file, or - for standard input.")
    var layout: String

    @Option(help: "Canvas size in pixels: 512, or WIDTHxHEIGHT. Default: the JSON's canvas, else 512.")
    var size: CanvasSize?

    @Option(help: "Font family from the manifest (see `poster fonts`) or a font file.")
    var font: String?

    @Option(help: "How text fills its box: fit (keep proportions) or stretch (fill the box, like TextDiffuser's masks).")
    var fit: GlyphFit = .fit

    @Option(help: "Read the layout in this format instead of detecting it: tokens, planner, encoder, json.")
    var format: LayoutFormat?

    @Option(help: "Write the white-on-black glyph mask as an 8-bit grey PNG.")
    var mask: String?

    @Option(help: "Write an RGB preview PNG: boxes outlined in colour with their index, text inside.")
    var preview: String?

    @Option(help: "Write the preview as SVG.")
    var svg: String?

    @Option(help: "Write the normalised layout (grid and pixel boxes) as JSON; - for standard output.")
    var json: String?

    @Option(help: "Write MARIO's 256x256 character class map (charseg) as an 8-bit PNG of class indices.")
    var charseg: String?

    @Option(help: "Write every character's pixel box as JSON; - for standard output.")
    var boxes: String?

    @Option(name: .customLong("to"), help: "Print the layout in this format on standard output: tokens, planner, encoder, json.")
    var outputFormat: LayoutFormat?

    func run() throws {
        let text = try InputText.read(layout)
        var parsed: Layout
        do {
            if let format { parsed = try format.decode(text) } else { parsed = try Layout.parse(text) }
            if let size { parsed = try parsed.resized(to: size) }
        } catch {
            throw InputError(error)
        }
        let renderer: GlyphRenderer
        let glyphs: GlyphMask
        do {
            renderer = try GlyphRenderer()
            glyphs = try renderer.render(parsed, options: GlyphRenderOptions(font: font, fit: fit, classMap: charseg != nil))
        } catch {
            throw InputError(error)
        }
        if let mask { try write { () throws(ImageIOError) in try PNGCodec.write(glyphs.image, to: mask) } }
        if let preview {
            let image = LayoutPreview.render(parsed, mask: glyphs, renderer: renderer)
            try write { () throws(ImageIOError) in try PNGCodec.write(image, to: preview) }
        }
        if let svg {
            let family = try fontFamily(renderer)
            try InputText.write(LayoutSVG.render(parsed, mask: glyphs, fontFamily: family), to: svg)
        }
        if let json { try InputText.write(LayoutJSONCodec.encode(parsed) + "\n", to: json) }
        // Half the canvas, as MARIO's 256x256 for 512; at least 1 pixel (a 1-pixel side would give an empty image).
        if let charseg, let map = glyphs.charseg(width: max(1, parsed.canvas.width / 2), height: max(1, parsed.canvas.height / 2)) {
            try write { () throws(ImageIOError) in try PNGCodec.write(map, to: charseg) }
        }
        if let boxes { try InputText.write(CharacterBoxesJSON.encode(glyphs.characters) + "\n", to: boxes) }
        if let outputFormat { try InputText.write(outputFormat.encode(parsed), to: "-") }
        if [mask, preview, svg, json, charseg, boxes].allSatisfy({ $0 == nil }) && outputFormat == nil {
            print(LayoutTokenCodec.encode(parsed))
            for (index, line) in glyphs.lines.enumerated() {
                let size = line.sizeX == line.sizeY ? String(format: "%.1f px", line.sizeY) : String(format: "%.1fx%.1f px", line.sizeX, line.sizeY)
                print("line \(index): \"\(line.text)\" \(size), fonts: \(line.fonts.joined(separator: ", "))")
            }
        }
    }

    private func write(_ body: () throws(ImageIOError) -> Void) throws(InputError) {
        do { try body() } catch { throw InputError(error) }
    }

    private func fontFamily(_ renderer: GlyphRenderer) throws(InputError) -> String {
        guard let font else { return renderer.manifest.defaultFamily }
        return renderer.manifest.entry(family: font)?.family ?? URL(fileURLWithPath: font).deletingPathExtension().lastPathComponent
    }
}

/// Character boxes as JSON: `[{"line":0,"index":0,"char":"W","box":[x0,y0,x1,y1]},...]` in canvas pixels.
enum CharacterBoxesJSON {
    static func encode(_ boxes: [CharacterBox]) -> String {
        "[" + boxes.map { box in
            let r = box.rect
            let values = [r.minX, r.minY, r.maxX, r.maxY].map { String(format: "%.2f", $0) }.joined(separator: ",")
            return "{\"line\":\(box.line),\"index\":\(box.index),\"char\":\(LayoutJSONCodec.quoted(String(box.character))),\"box\":[\(values)]}"
        }.joined(separator: ",") + "]"
    }
}

extension GlyphFit: ExpressibleByArgument {}
