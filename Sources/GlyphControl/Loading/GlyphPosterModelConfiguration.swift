import Foundation

/// `glyphposter.json` beside a pipeline's model_index.json: what a diffusers
/// folder cannot say about a GlyphPoster model. diffusers ignores the file;
/// a folder without it (any diffusers ControlNet pipeline) gets the defaults.
public struct GlyphPosterModelConfiguration: Codable, Sendable, Equatable {
    /// Space-to-depth factor of a pixel-space model (1: none). The UNet sees
    /// `pixel_unshuffle(image, r)`; see `PixelShuffle`.
    public var pixelUnshuffle: Int = 1
    /// The image side the model was trained at, the default output size.
    public var sampleSize: Int? = nil
    /// Defaults the model was tuned for.
    public var guidanceScale: Float? = nil
    public var steps: Int? = nil

    public static let fileName = "glyphposter.json"

    public init(pixelUnshuffle: Int = 1, sampleSize: Int? = nil, guidanceScale: Float? = nil, steps: Int? = nil) {
        self.pixelUnshuffle = pixelUnshuffle
        self.sampleSize = sampleSize
        self.guidanceScale = guidanceScale
        self.steps = steps
    }

    enum CodingKeys: String, CodingKey {
        case pixelUnshuffle = "pixel_unshuffle", sampleSize = "sample_size", guidanceScale = "guidance_scale", steps
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        pixelUnshuffle = try c.decodeIfPresent(Int.self, forKey: .pixelUnshuffle) ?? 1
        sampleSize = try c.decodeIfPresent(Int.self, forKey: .sampleSize)
        guidanceScale = try c.decodeIfPresent(Float.self, forKey: .guidanceScale)
        steps = try c.decodeIfPresent(Int.self, forKey: .steps)
    }

    /// The folder's file, or the defaults when it has none.
    public static func load(pipeline url: URL) throws(ComponentLoadError) -> GlyphPosterModelConfiguration {
        let path = url.appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: path.path) else { return GlyphPosterModelConfiguration() }
        let value: GlyphPosterModelConfiguration
        do { value = try JSONDecoder().decode(Self.self, from: data) } catch {
            throw .invalidConfiguration("\(path.path): \(error)")
        }
        guard (1...16).contains(value.pixelUnshuffle) else {
            throw .invalidConfiguration("\(path.path): pixel_unshuffle \(value.pixelUnshuffle) is not in 1...16")
        }
        return value
    }

    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try (encoder.encode(self) + Data("\n".utf8)).write(to: url.appendingPathComponent(Self.fileName), options: .atomic)
    }
}
