import Foundation
import PosterCore

/// The photographs a `backgrounds` folder offers: every JPEG or PNG below it,
/// found recursively and sorted by relative path so that picking one by index
/// is the same on every run and machine (directory listing order is not).
struct SynthPhotoLibrary: Sendable {
    var root: URL
    /// Relative paths, sorted.
    var files: [String]

    static let extensions: [String] = ["jpg", "jpeg", "png"]

    init(root: URL) throws(SynthError) {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: root.path, isDirectory: &isDirectory) else {
            throw SynthError("backgrounds folder \(root.path) does not exist")
        }
        guard isDirectory.boolValue else {
            throw SynthError("backgrounds path \(root.path) is a file, not a folder of JPEG/PNG images")
        }
        guard fm.isReadableFile(atPath: root.path), (try? fm.contentsOfDirectory(atPath: root.path)) != nil else {
            throw SynthError("backgrounds folder \(root.path) is not readable")
        }
        var found: [String] = []
        if let walker = fm.enumerator(atPath: root.path) {
            while let relative = walker.nextObject() as? String {
                let ext = (relative as NSString).pathExtension.lowercased()
                // Hidden files (macOS "._name.jpg" forks, editor droppings) are not photographs.
                guard Self.extensions.contains(ext), !relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) else { continue }
                var isDir: ObjCBool = false
                let full = root.appendingPathComponent(relative).path
                if fm.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue { found.append(relative) }
            }
        }
        guard !found.isEmpty else {
            throw SynthError("backgrounds folder \(root.path) has no images: expected .jpg, .jpeg or .png files (searched recursively)")
        }
        self.root = root
        files = found.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    /// Photograph `relative`, centre-cropped to a square and resized to `size` x `size`.
    func load(_ relative: String, size: Int) throws(SynthError) -> RGBImage {
        let path = root.appendingPathComponent(relative).path
        let photo: RGBImage
        do { photo = try MARIOStore.readAnyImage(path) } catch {
            throw SynthError("background photograph \(path) cannot be read: \(error.message)")
        }
        return Self.centreCropped(photo).resized(width: size, height: size)
    }

    /// The largest centred square of `image`.
    static func centreCropped(_ image: RGBImage) -> RGBImage {
        let side = min(image.width, image.height)
        if image.width == side && image.height == side { return image }
        let x0 = (image.width - side) / 2, y0 = (image.height - side) / 2
        var pixels = [UInt8]()
        pixels.reserveCapacity(side * side * 3)
        for y in y0..<(y0 + side) {
            let start = (y * image.width + x0) * 3
            pixels += image.pixels[start..<(start + side * 3)]
        }
        return RGBImage(width: side, height: side, pixels: pixels)
    }
}

extension SynthBackground {
    /// A photograph from the library as the background, named by its average tone.
    static func photo(_ library: SynthPhotoLibrary, size: Int, random r: inout SynthRandom) throws(SynthError) -> SynthBackground {
        let file = r.pick(library.files)
        var canvas = SynthCanvas(image: try library.load(file, size: size))
        // Now and then a photograph is dimmed or washed out, as posters do to carry text.
        var background = SynthBackground(kind: .photo, colors: [], photo: file, image: canvas.image)
        if r.chance(0.25) {
            let dim = r.chance(0.6)
            let veil = dim ? SynthPalette.black : SynthPalette.white
            canvas.rect(minX: 0, minY: 0, maxX: size, maxY: size, color: veil.rgb, opacity: r.uniform(0.25...0.5))
            background.veil = dim ? "dimmed" : "faded"
        }
        background.image = canvas.image
        background.colors = dominantColors(canvas.image)
        return background
    }

    /// The one or two palette colours most of a photograph's pixels are
    /// nearest to (the second when it covers a quarter of the picture): an
    /// average would call most colourful photographs gray.
    static func dominantColors(_ image: RGBImage) -> [NamedColor] {
        var counts = [Int](repeating: 0, count: SynthPalette.all.count)
        let step = max(1, image.width / 64)
        for y in stride(from: step / 2, to: image.height, by: step) {
            for x in stride(from: step / 2, to: image.width, by: step) {
                let nearest = SynthPalette.nearest(to: image[x, y])
                counts[SynthPalette.all.firstIndex(of: nearest)!] += 1
            }
        }
        let total = counts.reduce(0, +)
        // Highest count first; palette order breaks ties.
        let ranked = counts.indices.sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : $0 < $1 }
        var colors = [SynthPalette.all[ranked[0]]]
        if ranked.count > 1, counts[ranked[1]] * 4 >= total { colors.append(SynthPalette.all[ranked[1]]) }
        return colors
    }

    static func meanColor(_ image: RGBImage) -> RGBColor {
        var sums = [0, 0, 0]
        let count = image.width * image.height
        image.pixels.withUnsafeBufferPointer { p in
            for i in 0..<count { sums[0] += Int(p[3 * i]); sums[1] += Int(p[3 * i + 1]); sums[2] += Int(p[3 * i + 2]) }
        }
        return RGBColor(red: UInt8(sums[0] / count), green: UInt8(sums[1] / count), blue: UInt8(sums[2] / count))
    }
}
