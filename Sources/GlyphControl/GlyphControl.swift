/// GlyphControl: the diffusers-compatible UNet, glyph ControlNet, CLIP text
/// encoder, VAE and schedulers that turn a glyph mask into a poster. The
/// architecture lands with the GlyphControl issue; this module exists now so
/// the dependency graph is fixed from the start.
public enum GlyphControl {
    /// Glyph masks are white text on black (the AnyText convention, REFERENCE 1).
    public static let maskConvention: String = "white-on-black"
}
