// swift-tools-version:6.0
// GlyphPoster: prompt -> layout LLM -> glyph mask -> glyph ControlNet -> poster, on a plain Linux CPU.
import Foundation
import PackageDescription

/// The build machine's AVX-512 (F, CD, BW, DQ, VL: SkylakeX's set), read from
/// /proc/cpuinfo. Like llama.cpp's native builds, a release build then uses it:
/// the attention kernel's 12x32 tile of 512-bit registers instead of 6x16 of
/// 256-bit ones. `GLYPHPOSTER_TARGET_CPU=haswell` builds for any AVX2 machine.
let avx512: Bool = {
    if let cpu = ProcessInfo.processInfo.environment["GLYPHPOSTER_TARGET_CPU"] { return cpu == "skylake-avx512" }
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
    let present = Set(flags.split(separator: " ").map(String.init))
    return ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(present.contains)
}()

/// Release builds set a target CPU so Swift loops vectorise (REFERENCE 9);
/// exclusivity checks are dropped from hot loops in release only. The
/// AVX-512 kernel shapes are compiled in debug builds too, so the tests check them.
let optimised: [SwiftSetting] = [
    .unsafeFlags(["-target-cpu", avx512 ? "skylake-avx512" : "haswell", "-enforce-exclusivity=unchecked"], .when(configuration: .release)),
] + (avx512 ? [.define("GLYPHPOSTER_AVX512")] : [])

let package = Package(
    name: "GlyphPoster",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "poster", targets: ["poster"]),
        .library(name: "PosterCore", targets: ["PosterCore"]),
        .library(name: "GlyphRender", targets: ["GlyphRender"]),
        .library(name: "OCRData", targets: ["OCRData"]),
        .library(name: "TensorCore", targets: ["TensorCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // Thin C system-library shims.
        .systemLibrary(name: "CFreeType", pkgConfig: "freetype2", providers: [.apt(["libfreetype-dev"])]),
        .systemLibrary(name: "CHarfBuzz", pkgConfig: "harfbuzz", providers: [.apt(["libharfbuzz-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CTesseract", pkgConfig: "tesseract", providers: [.apt(["libtesseract-dev"])]),
        .systemLibrary(name: "CMalloc"),

        // Shared value types: Layout and its codecs, raster images, PNG/JPEG I/O.
        .target(name: "PosterCore", dependencies: ["CPNG", "CJPEG"], swiftSettings: optimised),
        // The numeric core: tensors, autograd, safetensors, on OpenBLAS.
        .target(name: "TensorCore", dependencies: ["COpenBLAS", "CMalloc"], swiftSettings: optimised),
        // Pipeline modules.
        .target(name: "GlyphRender", dependencies: ["PosterCore", "CFreeType", "CHarfBuzz"], swiftSettings: optimised),
        .target(name: "OCRData", dependencies: ["PosterCore", "GlyphRender", "CTesseract"], swiftSettings: optimised),
        .target(name: "LayoutLM", dependencies: ["PosterCore", "TensorCore"], swiftSettings: optimised),
        .target(name: "GlyphControl", dependencies: ["PosterCore", "TensorCore"], swiftSettings: optimised),
        // Composition: prompt -> planner -> glyph mask -> diffusion, MARIO training pairs, OCR evaluation.
        .target(name: "PosterStudio", dependencies: ["PosterCore", "GlyphRender", "OCRData", "LayoutLM", "GlyphControl", "TensorCore"],
                swiftSettings: optimised),

        // The one executable: argument parsing only, everything else lives in the libraries.
        .executableTarget(
            name: "poster",
            dependencies: [
                "PosterCore", "GlyphRender", "OCRData", "TensorCore", "GlyphControl", "LayoutLM", "PosterStudio",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: optimised
        ),

        .testTarget(name: "PosterCoreTests", dependencies: ["PosterCore"]),
        .testTarget(name: "GlyphRenderTests", dependencies: ["GlyphRender", "PosterCore"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "OCRDataTests", dependencies: ["OCRData", "GlyphRender", "PosterCore"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "GlyphControlTests", dependencies: ["GlyphControl", "TensorCore"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "LayoutLMTests", dependencies: ["LayoutLM", "TensorCore", "PosterCore"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "PosterStudioTests", dependencies: ["PosterStudio", "GlyphControl", "GlyphRender", "OCRData", "PosterCore"]),
        .testTarget(name: "PosterCLITests", dependencies: ["poster", "PosterCore", "TensorCore", "GlyphControl", "LayoutLM"]),
    ]
)
