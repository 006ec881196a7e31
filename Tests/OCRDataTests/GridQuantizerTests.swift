import OCRData
import PosterCore
import XCTest

/// Pixel boxes to the 128 grid, rounding outward.
final class GridQuantizerTests: XCTestCase {
    func grid(_ l: Double, _ t: Double, _ r: Double, _ b: Double, width: Int = 512, height: Int = 512) -> [Int] {
        GridQuantizer.box(left: l, top: t, right: r, bottom: b, width: width, height: height).values
    }

    func testExactMultiplesOfFourMapToPixelDivFour() {
        XCTAssertEqual(grid(40, 100, 200, 140), [10, 25, 50, 35])
        XCTAssertEqual(grid(4, 8, 12, 16), [1, 2, 3, 4])
    }

    func testRoundsOutwardSoTheGridBoxHoldsTheText() {
        XCTAssertEqual(grid(10, 11, 101, 103), [2, 2, 26, 26])
        XCTAssertEqual(grid(43.9, 7.99, 100.01, 120.5), [10, 1, 26, 31])
        for (l, t, r, b) in [(10.0, 11.0, 101.0, 103.0), (1.5, 2.5, 510.5, 33.3), (3, 3, 5, 5)] {
            let box = GridQuantizer.box(left: l, top: t, right: r, bottom: b, width: 512, height: 512)
            XCTAssertLessThanOrEqual(Double(box.left) * 4, l)
            XCTAssertLessThanOrEqual(Double(box.top) * 4, t)
            XCTAssertGreaterThanOrEqual(Double(box.right) * 4, r)
            XCTAssertGreaterThanOrEqual(Double(box.bottom) * 4, b)
        }
    }

    func testImageEdgesMapToZeroAndOneTwentyEight() {
        XCTAssertEqual(grid(0, 0, 512, 512), [0, 0, 128, 128])
        XCTAssertEqual(grid(0, 0, 511, 509), [0, 0, 128, 128])
        // Outside the image is clamped to the grid.
        XCTAssertEqual(grid(-9, -1, 530, 700), [0, 0, 128, 128])
    }

    func testDegenerateBoxesKeepAtLeastOneUnit() {
        XCTAssertEqual(grid(100, 200, 100, 200), [25, 50, 26, 51], "a point")
        XCTAssertEqual(grid(101, 201, 102, 202), [25, 50, 26, 51], "within one cell")
        XCTAssertEqual(grid(0, 0, 0, 0), [0, 0, 1, 1], "top-left corner")
        XCTAssertEqual(grid(512, 512, 512, 512), [127, 127, 128, 128], "bottom-right corner")
        XCTAssertEqual(grid(300, 40, 200, 20), [75, 10, 76, 11], "inverted box")
        XCTAssertEqual(grid(600, 700, -5, -9), [127, 127, 128, 128], "inverted across the whole image")
        XCTAssertEqual(grid(-20, -20, -10, -10), [0, 0, 1, 1], "left of and above the image")
        XCTAssertEqual(grid(520, 530, 540, 550), [127, 127, 128, 128], "right of and below the image")
    }

    func testNonSquareImagesScaleEachAxisOnItsOwn() {
        XCTAssertEqual(grid(100, 64, 900, 200, width: 1024, height: 256), [12, 32, 113, 100])
        XCTAssertEqual(grid(0, 0, 640, 320, width: 640, height: 320), [0, 0, 128, 128])
        XCTAssertEqual(grid(5, 5, 10, 10, width: 640, height: 320), [1, 2, 2, 4])
    }

    func testEveryResultIsAValidLayoutBox() {
        var rng = SeededRandom(seed: 7)
        for _ in 0..<2000 {
            let width = Int(rng.uniform(1...2000)), height = Int(rng.uniform(1...2000))
            let box = GridQuantizer.box(left: rng.uniform(-50...2050), top: rng.uniform(-50...2050),
                                        right: rng.uniform(-50...2050), bottom: rng.uniform(-50...2050),
                                        width: width, height: height)
            XCTAssertNil(box.problem, "\(box) for \(width)x\(height)")
        }
    }
}
