import Dispatch
import Foundation
import TensorCore

/// The `poster bench unet` job: one denoising step (ControlNet, then UNet with
/// its residuals, batch 2 as classifier-free guidance runs it) for the
/// diffusers test-size config and a mid-size one, with random weights.
/// bench/unet_diffusers.py times diffusers on the same configs.
public enum UNetBenchmark {
    public struct Case: Sendable {
        public var name: String
        public var configuration: UNetConfiguration
        public var size: Int
    }

    public static var cases: [Case] {
        var small = UNetConfiguration()
        small.blockOutChannels = [32, 64]
        small.layersPerBlock = 2
        small.crossAttentionDim = 32
        small.attentionHeadDim = .single(8)
        small.downBlockTypes = ["DownBlock2D", "CrossAttnDownBlock2D"]
        small.upBlockTypes = ["CrossAttnUpBlock2D", "UpBlock2D"]
        small.conditioningEmbeddingOutChannels = [16, 32]
        var mid = UNetConfiguration()
        mid.blockOutChannels = [64, 128, 256]
        mid.layersPerBlock = 2
        mid.crossAttentionDim = 64
        mid.attentionHeadDim = .single(8)
        mid.downBlockTypes = ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"]
        mid.upBlockTypes = ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"]
        mid.conditioningEmbeddingOutChannels = [16, 32, 96]
        return [Case(name: "test-size (32,64) 32x32", configuration: small, size: 32),
                Case(name: "mid-size (64,128,256) 64x64", configuration: mid, size: 64)]
    }

    public struct Row: Sendable {
        public var name: String
        public var seconds: Double
        public var peakMemoryMiB: Double
    }

    public static func run(minimumSeconds: Double) throws -> [Row] {
        try cases.map { c in
            let unet = try UNet2DConditionModel(configuration: c.configuration, seed: 1)
            let controlnet = try ControlNetModel(configuration: c.configuration, seed: 2)
            unet.setTrainable(false)
            controlnet.setTrainable(false)
            var random = TensorRandom(seed: 3)
            let factor = 1 << (c.configuration.conditioningEmbeddingOutChannels!.count - 1)
            let sample = random.normal(shape: [2, 4, c.size, c.size])
            let context = random.normal(shape: [2, 77, c.configuration.crossAttentionDim])
            let condition = random.uniform(shape: [2, 3, c.size * factor, c.size * factor], in: 0...1)
            let step = {
                _ = withoutGradients {
                    let residuals = controlnet(sample, timesteps: [500, 500], context: context, condition: condition)
                    return unet(sample, timesteps: [500, 500], context: context, controlnet: residuals)
                }
            }
            step()
            var samples: [Double] = []
            let start = DispatchTime.now().uptimeNanoseconds
            repeat {
                let t0 = DispatchTime.now().uptimeNanoseconds
                step()
                samples.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            } while samples.count < 3 || Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 < minimumSeconds
            return Row(name: c.name, seconds: samples.sorted()[samples.count / 2], peakMemoryMiB: peakResidentMiB())
        }
    }

    /// The process's peak resident memory (VmHWM), in MiB.
    public static func peakResidentMiB() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kib = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kib / 1024
    }
}
