import Dispatch

/// The `poster bench ops` job: timings of the operations the UNet and the
/// layout LLM spend their time in, at UNet-like shapes, with GFLOP/s next to
/// this machine's measured sgemm peak. bench/ops_torch.py times the same rows
/// in PyTorch (same thread count) and prints the ratio per row.
public enum OpsBenchmark {
    public struct Row: Sendable {
        public var name: String
        /// Floating-point operations of one run (0 where counting them means little).
        public var flops: Double
        /// Median seconds per run.
        public var seconds: Double
        public var gflops: Double { flops > 0 ? flops / seconds / 1e9 : 0 }
    }

    /// Median of `repeats` timed runs after one warm-up; at least `minimumSeconds` in all.
    static func time(_ minimumSeconds: Double, _ body: () -> Void) -> Double {
        body()
        var samples: [Double] = []
        let start = DispatchTime.now().uptimeNanoseconds
        repeat {
            let t0 = DispatchTime.now().uptimeNanoseconds
            body()
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        } while samples.count < 3 || (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 < minimumSeconds && samples.count < 50)
        return samples.sorted()[samples.count / 2]
    }

    /// Runs the rows whose names contain `filter` (all when nil); the sgemm row always runs, as the reference.
    public static func run(minimumSeconds: Double = 1, filter: String? = nil) -> [Row] {
        var random = TensorRandom(seed: 1)
        var rows: [Row] = []
        func add(_ name: String, _ flops: Double, _ body: () -> Void) {
            if let filter, !rows.isEmpty, !name.contains(filter) { return }
            rows.append(Row(name: name, flops: flops, seconds: time(minimumSeconds, body)))
        }
        // sgemm peak on this machine.
        let a = random.normal(shape: [2048, 2048]), b = random.normal(shape: [2048, 2048])
        add("sgemm 2048x2048x2048", 2 * 2048 * 2048 * 2048) { _ = a.matmul(b) }
        let x1 = random.normal(shape: [4096, 320]), w1 = random.normal(shape: [1280, 320])
        add("linear 4096x320 -> 1280", 2 * 4096 * 320 * 1280) { _ = x1.linear(weight: w1) }
        for (c, s) in [(64, 64), (128, 32)] {
            let x = random.normal(shape: [1, c, s, s]), w = random.normal(shape: [c, c, 3, 3])
            add("conv2d 3x3 1x\(c)x\(s)x\(s) -> \(c)", 2 * Double(c * c * 9 * s * s)) { _ = x.conv2d(weight: w, padding: 1) }
        }
        let q = random.normal(shape: [1, 8, 4096, 64]), k = random.normal(shape: [1, 8, 4096, 64]), v = random.normal(shape: [1, 8, 4096, 64])
        add("attention self 8x4096x64", 4 * 8 * 4096 * 4096 * 64) { _ = Tensor.attention(query: q, key: k, value: v) }
        let kc = random.normal(shape: [1, 8, 77, 64]), vc = random.normal(shape: [1, 8, 77, 64])
        add("attention cross 8x4096x77x64", 4 * 8 * 4096 * 77 * 64) { _ = Tensor.attention(query: q, key: kc, value: vc) }
        let g = random.normal(shape: [1, 128, 64, 64])
        add("group norm 1x128x64x64 /32", 0) { _ = g.groupNorm(groups: 32, weight: nil, bias: nil) }
        let stack = BenchBlockStack(random: &random)
        let input = random.normal(shape: [1, 64, 32, 32])
        add("block stack forward", stack.flops) { _ = withoutGradients { stack(input) } }
        add("block stack forward+backward", 3 * stack.flops) {
            let out = stack(input)
            out.mean().backward()
            stack.zeroGrad()
        }
        return rows
    }
}

/// A small UNet-shaped stack: ResNet block (GroupNorm, SiLU, 3x3 conv, twice,
/// plus skip) at 64 channels 32x32, a stride-2 conv to 128 channels, a ResNet
/// block, self-attention over the 16x16 tokens, nearest upsampling and a 3x3
/// conv back to 64 channels.
final class BenchBlockStack: Module, @unchecked Sendable {
    let norm1: GroupNorm, conv1: Conv2d, norm2: GroupNorm, conv2: Conv2d
    let down: Conv2d
    let norm3: GroupNorm, conv3: Conv2d, norm4: GroupNorm, conv4: Conv2d
    let attentionNorm: GroupNorm, toQKV: Linear, toOut: Linear
    let up: Conv2d

    init(random: inout TensorRandom) {
        norm1 = GroupNorm(groups: 32, channels: 64); conv1 = Conv2d(64, 64, kernel: 3, padding: 1, random: &random)
        norm2 = GroupNorm(groups: 32, channels: 64); conv2 = Conv2d(64, 64, kernel: 3, padding: 1, random: &random)
        down = Conv2d(64, 128, kernel: 3, stride: 2, padding: 1, random: &random)
        norm3 = GroupNorm(groups: 32, channels: 128); conv3 = Conv2d(128, 128, kernel: 3, padding: 1, random: &random)
        norm4 = GroupNorm(groups: 32, channels: 128); conv4 = Conv2d(128, 128, kernel: 3, padding: 1, random: &random)
        attentionNorm = GroupNorm(groups: 32, channels: 128)
        toQKV = Linear(128, 384, random: &random); toOut = Linear(128, 128, random: &random)
        up = Conv2d(128, 64, kernel: 3, padding: 1, random: &random)
    }

    var flops: Double {
        let resnet64: Double = 2 * 64 * 64 * 9 * 1024
        let downsample: Double = 128 * 64 * 9 * 256
        let resnet128: Double = 2 * 128 * 128 * 9 * 256
        let upConv: Double = 64 * 128 * 9 * 1024
        let projections: Double = 256 * 128 * 512
        let scores: Double = 2 * 4 * 256 * 256 * 32
        return 2 * (resnet64 + downsample + resnet128 + upConv + projections + scores)
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        var h = conv2(norm2(conv1(norm1(x).silu())).silu()) + x
        h = down(h)
        h = conv4(norm4(conv3(norm3(h).silu())).silu()) + h
        // Self-attention over the 16x16 positions, 4 heads of 32.
        let tokens = attentionNorm(h).reshaped([1, 128, 256]).transposed(1, 2)
        let qkv = toQKV(tokens).reshaped([1, 256, 3, 4, 32]).permuted([2, 0, 3, 1, 4])
        let parts = qkv.chunked(3, axis: 0).map { $0.reshaped([1, 4, 256, 32]) }
        let attended = Tensor.attention(query: parts[0], key: parts[1], value: parts[2]).permuted([0, 2, 1, 3]).reshaped([1, 256, 128])
        h = toOut(attended).transposed(1, 2).reshaped([1, 128, 16, 16]) + h
        return up(h.upsampleNearest2x())
    }
}
