/// 2-D convolution, NCHW (torch.nn.functional.conv2d, groups = 1, dilation 1):
/// im2col + sgemm, a 1x1 kernel with stride 1 and no padding as a plain
/// matrix product; and nearest 2x upsampling (diffusers Upsample2D).
extension Tensor {
    public func conv2d(weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0) -> Tensor {
        precondition(rank == 4 && weight.rank == 4 && weight.shape[1] == shape[1],
                     "conv2d: input \(shape) does not match weight \(weight.shape) (NCHW, [out, in, kh, kw])")
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let (o, kh, kw) = (weight.shape[0], weight.shape[2], weight.shape[3])
        let ho = (h + 2 * padding - kh) / stride + 1, wo = (w + 2 * padding - kw) / stride + 1
        precondition(ho > 0 && wo > 0, "conv2d: kernel \(kh)x\(kw) larger than padded input \(h)x\(w)")
        let plain = kh == 1 && kw == 1 && stride == 1 && padding == 0
        if stride == 1 && kh == kw && !plain {
            return shiftedConv2d(weight: weight, bias: bias, padding: padding)
        }
        let geometry = ConvGeometry(c: c, h: h, w: w, kh: kh, kw: kw, stride: stride, padding: padding, ho: ho, wo: wo)
        let patch = c * kh * kw, positions = ho * wo
        var out = [Float](repeating: 0, count: n * o * positions)
        var cols = plain ? [] : [Float](repeating: 0, count: patch * positions)
        out.withUnsafeMutableBufferPointer { po in
            scalars.withUnsafeBufferPointer { px in
                weight.scalars.withUnsafeBufferPointer { pw in
                    for b in 0..<n {
                        let image = px.baseAddress! + b * c * h * w
                        if plain {
                            BLAS.gemm(pw.baseAddress!, image, po.baseAddress! + b * o * positions, m: o, n: positions, k: c)
                        } else {
                            cols.withUnsafeMutableBufferPointer { geometry.im2col(image, $0.baseAddress!) }
                            cols.withUnsafeBufferPointer { pc in
                                BLAS.gemm(pw.baseAddress!, pc.baseAddress!, po.baseAddress! + b * o * positions, m: o, n: positions, k: patch)
                            }
                        }
                    }
                }
            }
        }
        if let bias {
            precondition(bias.shape == [o], "conv2d: bias \(bias.shape) does not match \(o) output channels")
            ChannelBias.add(bias.scalars, to: &out, batch: n, positions: positions)
        }
        let x = self, wt = weight
        let inputs = bias.map { [self, weight, $0] } ?? [self, weight]
        return .result(shape: [n, o, ho, wo], scalars: out, inputs: inputs) { grad in
            var gx = x.node == nil ? [] : [Float](repeating: 0, count: x.count)
            var gw = wt.node == nil ? [] : [Float](repeating: 0, count: wt.count)
            var cols = [Float](repeating: 0, count: plain ? 0 : patch * positions)
            var gcols = [Float](repeating: 0, count: patch * positions)
            grad.withUnsafeBufferPointer { pg in
                x.scalars.withUnsafeBufferPointer { px in
                    wt.scalars.withUnsafeBufferPointer { pw in
                        for b in 0..<n {
                            let image = px.baseAddress! + b * c * h * w
                            let g = pg.baseAddress! + b * o * positions
                            if !gw.isEmpty {
                                if plain {
                                    gw.withUnsafeMutableBufferPointer { BLAS.gemm(g, image, $0.baseAddress!, m: o, n: c, k: positions, transposeB: true, beta: 1) }
                                } else {
                                    cols.withUnsafeMutableBufferPointer { geometry.im2col(image, $0.baseAddress!) }
                                    cols.withUnsafeBufferPointer { pc in
                                        gw.withUnsafeMutableBufferPointer { BLAS.gemm(g, pc.baseAddress!, $0.baseAddress!, m: o, n: patch, k: positions, transposeB: true, beta: 1) }
                                    }
                                }
                            }
                            if !gx.isEmpty {
                                if plain {
                                    gx.withUnsafeMutableBufferPointer { BLAS.gemm(pw.baseAddress!, g, $0.baseAddress! + b * c * h * w, m: c, n: positions, k: o, transposeA: true) }
                                } else {
                                    gcols.withUnsafeMutableBufferPointer { BLAS.gemm(pw.baseAddress!, g, $0.baseAddress!, m: patch, n: positions, k: o, transposeA: true) }
                                    gcols.withUnsafeBufferPointer { pc in
                                        gx.withUnsafeMutableBufferPointer { geometry.col2im(pc.baseAddress!, $0.baseAddress! + b * c * h * w) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            var grads: [[Float]?] = [gx.isEmpty ? nil : gx, gw.isEmpty ? nil : gw]
            if bias != nil {
                grads.append(ChannelBias.gradient(grad, channels: o, batch: n, positions: positions))
            }
            return grads
        }
    }

    /// Stride-1 square-kernel convolution through `ShiftedConvolution`.
    func shiftedConv2d(weight: Tensor, bias: Tensor?, padding: Int) -> Tensor {
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let geometry = ShiftedConvolution(c: c, h: h, w: w, o: weight.shape[0], k: weight.shape[2], padding: padding)
        let (o, ho, wo) = (geometry.o, geometry.ho, geometry.wo)
        if let bias { precondition(bias.shape == [o], "conv2d: bias \(bias.shape) does not match \(o) output channels") }
        let winograd = geometry.k == 3 && padding == 1 && WinogradConvolution.supports(channels: c, outputs: o, height: h, width: w)
        let winogradInput = geometry.k == 3 && padding == 1 && WinogradConvolution.supports(channels: o, outputs: c, height: h, width: w)
        // The per-tap weight matrices, for the direct forward or backward (Winograd transforms the kernels its own way).
        let taps = winograd && winogradInput ? [] : geometry.taps(weight.scalars)
        var out = winograd ? WinogradConvolution.convolve(scalars, shape: shape, weight: weight.scalars, outputs: o, cacheWeights: weight.node == nil)
            : [Float](repeating: 0, count: n * o * ho * wo)
        var padded = [Float](repeating: 0, count: winograd ? 0 : c * geometry.plane)
        var wide = [Float](repeating: 0, count: winograd ? 0 : o * geometry.columns)
        if !winograd { scalars.withUnsafeBufferPointer { px in
            taps.withUnsafeBufferPointer { pt in
                padded.withUnsafeMutableBufferPointer { pp in
                    wide.withUnsafeMutableBufferPointer { pw in
                        out.withUnsafeMutableBufferPointer { po in
                            for b in 0..<n {
                                geometry.pad(px.baseAddress! + b * c * h * w, into: pp.baseAddress!)
                                geometry.forward(padded: pp.baseAddress!, taps: pt.baseAddress!, wide: pw.baseAddress!, out: po.baseAddress! + b * o * ho * wo)
                            }
                        }
                    }
                }
            }
        } }
        if let bias {
            ChannelBias.add(bias.scalars, to: &out, batch: n, positions: ho * wo)
        }
        let x = self, wt = weight
        let inputs = bias.map { [self, weight, $0] } ?? [self, weight]
        return .result(shape: [n, o, ho, wo], scalars: out, inputs: inputs) { grad in
            // The input gradient is the output gradient convolved with the transposed, flipped kernels: Winograd too where it applies.
            var gx = x.node != nil && winogradInput ? WinogradConvolution.convolve(grad, shape: [n, o, h, w], weight: wt.scalars,
                                                                                               outputs: c, transposingFlipped: true)
                : [Float](repeating: 0, count: x.node == nil ? 0 : x.count)
            // The weight gradient in the Winograd domain where the forward ran there; per-tap products otherwise.
            let winogradWeight = winograd && wt.node != nil
            let directWeight = wt.node != nil && !winograd, directInput = x.node != nil && !winogradInput
            var tapGrads = [Float](repeating: 0, count: directWeight ? wt.count : 0)
            var padded = [Float](repeating: 0, count: directWeight ? c * geometry.plane : 0)
            var paddedGrad = [Float](repeating: 0, count: directInput ? c * geometry.plane : 0)
            var wide = [Float](repeating: 0, count: directWeight || directInput ? o * geometry.columns : 0)
            x.scalars.withUnsafeBufferPointer { px in
                grad.withUnsafeBufferPointer { pg in
                    taps.withUnsafeBufferPointer { pt in
                        padded.withUnsafeMutableBufferPointer { pp in
                            paddedGrad.withUnsafeMutableBufferPointer { ppg in
                                wide.withUnsafeMutableBufferPointer { pw in
                                    for b in 0..<n where directWeight || directInput {
                                        geometry.widen(pg.baseAddress! + b * o * ho * wo, into: pw.baseAddress!)
                                        if !tapGrads.isEmpty {
                                            geometry.pad(px.baseAddress! + b * c * h * w, into: pp.baseAddress!)
                                            tapGrads.withUnsafeMutableBufferPointer { geometry.weightGrad(padded: pp.baseAddress!, wide: pw.baseAddress!, tapGrads: $0.baseAddress!) }
                                        }
                                        if directInput {
                                            ppg.baseAddress!.initialize(repeating: 0, count: ppg.count)
                                            geometry.inputGrad(taps: pt.baseAddress!, wide: pw.baseAddress!, paddedGrad: ppg.baseAddress!)
                                            gx.withUnsafeMutableBufferPointer { geometry.unpad(ppg.baseAddress!, into: $0.baseAddress! + b * c * h * w) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            var grads: [[Float]?] = [gx.isEmpty ? nil : gx, nil]
            if winogradWeight {
                grads[1] = WinogradConvolution.weightGradient(x.scalars, shape: x.shape, outputGradient: grad, outputs: o)
            } else if !tapGrads.isEmpty {
                let k = geometry.k
                var gw = [Float](repeating: 0, count: wt.count)
                for oc in 0..<o { for ic in 0..<c { for t in 0..<(k * k) { gw[(oc * c + ic) * k * k + t] = tapGrads[(t * o + oc) * c + ic] } } }
                grads[1] = gw
            }
            if bias != nil {
                grads.append(ChannelBias.gradient(grad, channels: o, batch: n, positions: ho * wo))
            }
            return grads
        }
    }

    /// Nearest-neighbour 2x upsampling of [N, C, H, W] (torch's `interpolate(scale_factor=2, mode="nearest")`):
    /// each input row becomes two output rows of doubled pixels; the backward sums each 2x2 block.
    public func upsampleNearest2x() -> Tensor {
        precondition(rank == 4, "upsample needs NCHW, got \(shape)")
        let (rows, w) = (shape[0] * shape[1] * shape[2], shape[3])
        let perChunk = max(1, 16_384 / (4 * w))
        let out = [Float](unsafeUninitializedCapacity: 4 * count) { buffer, initialized in
            nonisolated(unsafe) let destination = buffer.baseAddress!
            scalars.withUnsafeBufferPointer { source in
                nonisolated(unsafe) let source = source.baseAddress!
                Parallel.chunks(rows, minimumPerChunk: perChunk) { range in
                    for row in range {
                        let input = source + row * w, top = destination + row * 4 * w, bottom = top + 2 * w
                        for x in 0..<w { top[2 * x] = input[x]; top[2 * x + 1] = input[x] }
                        bottom.update(from: top, count: 2 * w)
                    }
                }
            }
            initialized = 4 * count
        }
        let n = count
        return .result(shape: [shape[0], shape[1], 2 * shape[2], 2 * w], scalars: out, inputs: [self]) { grad in
            let g = [Float](unsafeUninitializedCapacity: n) { buffer, initialized in
                nonisolated(unsafe) let destination = buffer.baseAddress!
                grad.withUnsafeBufferPointer { source in
                    nonisolated(unsafe) let source = source.baseAddress!
                    Parallel.chunks(rows, minimumPerChunk: perChunk) { range in
                        for row in range {
                            let top = source + row * 4 * w, bottom = top + 2 * w, output = destination + row * w
                            for x in 0..<w { output[x] = (top[2 * x] + top[2 * x + 1]) + (bottom[2 * x] + bottom[2 * x + 1]) }
                        }
                    }
                }
                initialized = n
            }
            return [g]
        }
    }
}

/// Patch layout of a convolution: im2col writes rows (channel, ky, kx) by
/// columns (output y, x); col2im adds them back.
struct ConvGeometry {
    let c, h, w, kh, kw, stride, padding, ho, wo: Int

    func im2col(_ image: UnsafePointer<Float>, _ cols: UnsafeMutablePointer<Float>) {
        let rows = c * kh * kw
        Parallel.chunks(rows, minimumPerChunk: max(1, 16_384 / max(1, ho * wo))) { range in
            for row in range {
                let ch = row / (kh * kw), ky = (row / kw) % kh, kx = row % kw
                let dst = cols + row * ho * wo
                let plane = image + ch * h * w
                for oy in 0..<ho {
                    let iy = oy * stride - padding + ky
                    let line = dst + oy * wo
                    if iy < 0 || iy >= h { for ox in 0..<wo { line[ox] = 0 }; continue }
                    let srcRow = plane + iy * w
                    for ox in 0..<wo {
                        let ix = ox * stride - padding + kx
                        line[ox] = ix >= 0 && ix < w ? srcRow[ix] : 0
                    }
                }
            }
        }
    }

    func col2im(_ cols: UnsafePointer<Float>, _ image: UnsafeMutablePointer<Float>) {
        // Parallel over channels: each channel's rows write only its own plane.
        Parallel.chunks(c, minimumPerChunk: max(1, 16_384 / max(1, kh * kw * ho * wo))) { range in
            for ch in range {
                let plane = image + ch * h * w
                for ky in 0..<kh {
                    for kx in 0..<kw {
                        let src = cols + ((ch * kh + ky) * kw + kx) * ho * wo
                        for oy in 0..<ho {
                            let iy = oy * stride - padding + ky
                            if iy < 0 || iy >= h { continue }
                            for ox in 0..<wo {
                                let ix = ox * stride - padding + kx
                                if ix >= 0 && ix < w { plane[iy * w + ix] += src[oy * wo + ox] }
                            }
                        }
                    }
                }
            }
        }
    }
}
