import Foundation
@testable import GlyphRender
import PosterCore

/// Shared set-up: the project's font manifest and a renderer over it.
enum TestFonts {
    static let manifest: FontManifest = {
        do { return try FontManifest.standard() } catch { fatalError("font manifest: \(error)") }
    }()

    static func layout(_ lines: [(String, GridBox)], canvas: CanvasSize = .standard) throws -> Layout {
        try Layout(canvas: canvas, lines: lines.map { LayoutLine(box: $1, text: $0) })
    }
}
