import XCTest
@testable import TensorCore

/// OpenBLAS's kernel choice: which fallbacks poster replaces, and with what.
final class BLASCoreTests: XCTestCase {
    let avx512: Set<String> = ["sse3", "avx", "avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]
    let avx2: Set<String> = ["sse3", "avx", "avx2", "fma"]

    func testGenericFallbackIsReplacedByTheBestCoreTheFlagsSupport() {
        XCTAssertEqual(BLASCore.kernelOverride(chosen: "Prescott", environment: [:], cpuFlags: avx512), "SkylakeX")
        XCTAssertEqual(BLASCore.kernelOverride(chosen: "Nehalem", environment: [:], cpuFlags: avx2), "Haswell")
        // AVX-512 foundation alone is not SkylakeX's instruction set (Knights Landing): Haswell.
        XCTAssertEqual(BLASCore.kernelOverride(chosen: "Prescott", environment: [:], cpuFlags: avx2.union(["avx512f", "avx512cd"])), "Haswell")
    }

    func testTheLibrarysOrTheUsersChoiceStands() {
        XCTAssertNil(BLASCore.kernelOverride(chosen: "Haswell", environment: [:], cpuFlags: avx512))
        XCTAssertNil(BLASCore.kernelOverride(chosen: "Zen", environment: [:], cpuFlags: avx2))
        XCTAssertNil(BLASCore.kernelOverride(chosen: "SkylakeX", environment: [:], cpuFlags: avx512))
        XCTAssertNil(BLASCore.kernelOverride(chosen: "Prescott", environment: ["OPENBLAS_CORETYPE": "Prescott"], cpuFlags: avx512))
        XCTAssertNil(BLASCore.kernelOverride(chosen: "Prescott", environment: [:], cpuFlags: ["sse3", "avx"]))
    }

    func testFlagsComeFromTheFirstProcessor() {
        let cpuinfo = """
        processor\t: 0
        model name\t: Intel(R) Xeon(R) Processor
        flags\t\t: fpu sse3 avx2 fma
        processor\t: 1
        flags\t\t: fpu avx512f
        """
        XCTAssertEqual(BLASCore.cpuFlags(cpuinfo: cpuinfo), ["fpu", "sse3", "avx2", "fma"])
        XCTAssertEqual(BLASCore.cpuFlags(cpuinfo: "processor : 0\n"), [])
    }

    func testTheLoadedLibraryNamesItsCore() {
        XCTAssertFalse(BLASCore.name.isEmpty)
        XCTAssertNotEqual(BLASCore.name, "unknown")
    }
}
