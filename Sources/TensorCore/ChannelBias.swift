/// A convolution's per-channel bias over NCHW planes and its gradient, the
/// planes split over the cores (a serial loop here showed up as idle cores
/// in every UNet convolution).
enum ChannelBias {
    /// out[b, ch, :] += bias[ch].
    static func add(_ bias: [Float], to out: inout [Float], batch: Int, positions: Int) {
        let channels = bias.count
        out.withUnsafeMutableBufferPointer { po in
            bias.withUnsafeBufferPointer { pb in
                nonisolated(unsafe) let (po, pb) = (po.baseAddress!, pb.baseAddress!)
                Parallel.chunks(batch * channels, minimumPerChunk: max(1, 16_384 / max(1, positions))) { planes in
                    for plane in planes {
                        let v = pb[plane % channels], row = po + plane * positions
                        for i in 0..<positions { row[i] += v }
                    }
                }
            }
        }
    }

    /// gradient[ch] = Σ over batch and positions of grad[b, ch, :].
    static func gradient(_ grad: [Float], channels: Int, batch: Int, positions: Int) -> [Float] {
        var out = [Float](repeating: 0, count: channels)
        grad.withUnsafeBufferPointer { pg in
            for plane in 0..<(batch * channels) { out[plane % channels] += FastMath.sum(pg.baseAddress! + plane * positions, positions) }
        }
        return out
    }
}
