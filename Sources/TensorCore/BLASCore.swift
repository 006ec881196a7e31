import COpenBLAS
import Foundation

/// Which sgemm kernel OpenBLAS runs. Its dynamic build picks the kernel from
/// cpuid's family and model when the library loads; a processor newer than the
/// library falls back to a generic kernel. Measured on an Emerald Rapids Xeon
/// (family 6, model 207) with Debian 12's OpenBLAS 0.3.21, 2048³ sgemm on 2
/// cores: Prescott (SSE3, its fallback) 34 GFLOP/s, Haswell 147, SkylakeX 273.
/// `OPENBLAS_CORETYPE` overrides the choice, but only before the library
/// loads, so `poster` re-executes itself once with the core the processor's
/// feature flags support (`reexecutingForBestKernel`).
public enum BLASCore {
    /// The core OpenBLAS chose, as it names it ("SkylakeX", "Haswell", "Prescott").
    public static var name: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// OpenBLAS's x86-64 cores whose sgemm kernels use AVX2 and FMA or better: a choice among these stands.
    static let modernCores: Set<String> = ["haswell", "zen", "skylakex", "cooperlake", "sapphirerapids"]

    /// The core to ask for when OpenBLAS chose one older than the processor:
    /// SkylakeX with AVX-512 (F, CD, BW, DQ, VL), Haswell with AVX2 and FMA.
    /// Nil when the choice stands: the user set `OPENBLAS_CORETYPE`, the chosen
    /// core is already modern, or the processor has neither feature set.
    public static func kernelOverride(chosen: String, environment: [String: String], cpuFlags: Set<String>) -> String? {
        guard environment["OPENBLAS_CORETYPE"] == nil, !modernCores.contains(chosen.lowercased()) else { return nil }
        if ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(cpuFlags.contains) { return "SkylakeX" }
        if cpuFlags.contains("avx2") && cpuFlags.contains("fma") { return "Haswell" }
        return nil
    }

    /// The feature flags of the first processor in a /proc/cpuinfo text (empty when it lists none).
    public static func cpuFlags(cpuinfo: String) -> Set<String> {
        for line in cpuinfo.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == "flags" else { continue }
            return Set(parts[1].split(separator: " ").map(String.init))
        }
        return []
    }

    /// Replaces the running program with itself, same arguments, with
    /// `OPENBLAS_CORETYPE` set to `kernelOverride`'s core, when there is one.
    /// Returns (doing nothing) when the library's choice stands, off Linux, or if exec fails.
    public static func reexecutingForBestKernel() {
        #if os(Linux)
        guard let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let core = kernelOverride(chosen: name, environment: ProcessInfo.processInfo.environment,
                                        cpuFlags: cpuFlags(cpuinfo: cpuinfo)) else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        setenv(fallbackVariable, name, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // exec failed: carry on with the library's own choice.
        unsetenv("OPENBLAS_CORETYPE")
        unsetenv(fallbackVariable)
        #endif
    }

    /// Set by `reexecutingForBestKernel` to the core the library had chosen, so reports can tell a user's
    /// `OPENBLAS_CORETYPE` from poster's own.
    static let fallbackVariable = "GLYPHPOSTER_OPENBLAS_FALLBACK"

    /// The generic core this process replaced, when `reexecutingForBestKernel` did.
    public static var replacedFallback: String? { ProcessInfo.processInfo.environment[fallbackVariable] }

    /// `OPENBLAS_CORETYPE` as the user set it ("unset" when poster chose the core itself).
    public static var userCoreType: String {
        replacedFallback == nil ? ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "unset" : "unset"
    }

    /// One line for benchmark headers: the user's setting and the kernel that runs.
    public static var summary: String {
        let chosen = replacedFallback.map { " (chosen by poster: the library fell back to \($0))" } ?? ""
        return "OPENBLAS_CORETYPE=\(userCoreType), OpenBLAS core \(name)\(chosen), sgemm kernel \(sgemmKernel)"
    }

    /// The kernel that runs matrix products: OpenBLAS's, or `PackedGemm` where OpenBLAS's core lacks AVX-512.
    public static var sgemmKernel: String { PackedGemm.kernelName }
}
