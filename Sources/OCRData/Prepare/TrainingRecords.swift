import PosterCore

/// The records `poster data prepare` writes, one JSON object per line.
///
/// `layout.{train,val}.jsonl` (the layout LLM: caption in, layout tokens out):
/// `{"id":"000000012","prompt":"... 'Summer Sale'","caption":"...","keywords":["Summer Sale"],
///   "layout":"[x10][y8][x118][y34][S]...","canvas":[512,512]}`
///
/// `glyph.{train,val}.jsonl` (the glyph ControlNet: image, caption, mask):
/// `{"id":"000000012","caption":"...","image":"images/000000012.jpg","mask":"masks/000000012.png",
///   "layout":"[x10]..."}` with paths relative to the shard folder; masks are
/// white-on-black 8-bit PNGs drawn by GlyphRender from the layout.
public struct TrainingRecord: Sendable {
    public var id: String
    public var caption: String
    public var prompt: String
    public var keywords: [String]
    public var layout: Layout

    public var layoutLine: String {
        "{\"id\":\(q(id)),\"prompt\":\(q(prompt)),\"caption\":\(q(caption)),\"keywords\":[\(keywords.map(q).joined(separator: ","))],"
            + "\"layout\":\(q(LayoutTokenCodec.encode(layout))),\"canvas\":[\(layout.canvas.width),\(layout.canvas.height)]}"
    }

    public var glyphLine: String {
        "{\"id\":\(q(id)),\"caption\":\(q(caption)),\"image\":\(q("images/\(id).jpg")),\"mask\":\(q("masks/\(id).png")),"
            + "\"layout\":\(q(LayoutTokenCodec.encode(layout)))}"
    }

    /// The caption with every keyword quoted, as TextDiffuser's prompts quote
    /// the text to draw: kept as is when it already quotes them all.
    public static func prompt(caption: String, keywords: [String]) -> String {
        let quotedAlready = keywords.allSatisfy { caption.contains("'\($0)'") || caption.contains("\"\($0)\"") }
        if quotedAlready { return caption }
        return caption + " with the text " + keywords.map { "'\($0)'" }.joined(separator: " and ")
    }

    private func q(_ text: String) -> String { LayoutJSONCodec.quoted(text) }
}
