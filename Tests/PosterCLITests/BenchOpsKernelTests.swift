import Foundation
import XCTest
@testable import TensorCore

/// `poster` replaces OpenBLAS's generic fallback kernel by re-executing itself, and leaves a user's choice alone.
final class BenchOpsKernelTests: XCTestCase {
    func benchHeader(coreType: String?) throws -> [String: Any] {
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_CORETYPE"] = coreType
        environment["GLYPHPOSTER_OPENBLAS_FALLBACK"] = nil
        let result = try Poster.run(["bench", "ops", "--only", "no-such-row", "--seconds", "0.05", "--json"], environment: environment)
        XCTAssertEqual(result.status, 0, result.stderr)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    func testUnsetCoreTypeRunsAKernelForThisProcessor() throws {
        let header = try benchHeader(coreType: nil)
        XCTAssertEqual(header["openblas_coretype"] as? String, "unset")
        let core = try XCTUnwrap(header["openblas_core"] as? String)
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let flags = BLASCore.cpuFlags(cpuinfo: cpuinfo)
        if flags.contains("avx2") && flags.contains("fma") {
            XCTAssertTrue(BLASCore.modernCores.contains(core.lowercased()), "an AVX2 processor ran OpenBLAS's \(core) kernel")
        }
    }

    func testTheUsersCoreTypeStands() throws {
        let header = try benchHeader(coreType: "Prescott")
        XCTAssertEqual(header["openblas_coretype"] as? String, "Prescott")
        XCTAssertEqual(header["openblas_core"] as? String, "Prescott")
    }
}
