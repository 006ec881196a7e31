import TensorCore

/// Space-to-depth and back, as `torch.nn.functional.pixel_unshuffle` and
/// `pixel_shuffle` lay channels out: channel `c·r² + i·r + j` of the
/// unshuffled tensor holds pixel `(y·r + i, x·r + j)` of channel `c`. A
/// pixel-space GlyphPoster model runs its UNet on the unshuffled image
/// (256x256x3 -> 64x64x48 for r = 4), a parameter-free stand-in for an
/// autoencoder that keeps every pixel (REFERENCE 10: working resolution).
/// Built from reshape and permute, so gradients flow through it.
public enum PixelShuffle {
    /// [B, C, H, W] -> [B, C·r², H/r, W/r].
    public static func unshuffle(_ x: Tensor, factor r: Int) -> Tensor {
        guard r > 1 else { return x }
        let (b, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        precondition(h % r == 0 && w % r == 0, "pixel unshuffle by \(r) needs sides divisible by \(r), got \(h)x\(w)")
        return x.reshaped([b, c, h / r, r, w / r, r]).permuted([0, 1, 3, 5, 2, 4]).reshaped([b, c * r * r, h / r, w / r])
    }

    /// [B, C·r², H, W] -> [B, C, H·r, W·r].
    public static func shuffle(_ x: Tensor, factor r: Int) -> Tensor {
        guard r > 1 else { return x }
        let (b, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        precondition(c % (r * r) == 0, "pixel shuffle by \(r) needs channels divisible by \(r * r), got \(c)")
        return x.reshaped([b, c / (r * r), r, r, h, w]).permuted([0, 1, 4, 2, 5, 3]).reshaped([b, c / (r * r), h * r, w * r])
    }
}
