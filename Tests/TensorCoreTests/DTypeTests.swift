import XCTest
import TensorCore

final class DTypeTests: XCTestCase {
    func testSizesMatchSafetensors() {
        XCTAssertEqual(DType.f32.size, 4)
        XCTAssertEqual(DType.bf16.size, 2)
        XCTAssertEqual(DType.i64.size, 8)
        XCTAssertEqual(DType(rawValue: "BOOL"), .bool)
        XCTAssertNil(DType(rawValue: "F8_E4M3"))
    }
}
