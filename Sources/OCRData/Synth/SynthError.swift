/// Why the poster synthesizer cannot start or cannot make a sample: a
/// background folder that is missing, unreadable or holds no images, an
/// unusable size, a font manifest without Latin fonts, or a photograph that
/// fails to decode. The message names the path and says what to do.
public struct SynthError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
