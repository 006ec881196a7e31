import Foundation

/// Transformed Winograd kernels (U = G g Gᵀ) of recently used weights, so a
/// model transforms each kernel once instead of on every call (a denoising
/// loop runs each convolution 40 times with the same weights; the transform
/// was 7% of generation time). Only weights that take no gradient are cached
/// (inference and frozen models): training replaces its weights every step.
///
/// Keyed by the weight array's storage, which the entry keeps alive. Tensor
/// values never change, and storage that is still referenced cannot be
/// reused for another array, so a hit always holds the same values. The
/// least recently used entries go once the transforms pass `capacity` floats.
final class WinogradWeightCache: @unchecked Sendable {
    static let shared = WinogradWeightCache(capacity: 32 << 20)

    private struct Entry {
        let weight: [Float]
        let transformed: [Float]
        var lastUse: Int
    }

    let capacity: Int
    private var entries: [Key: Entry] = [:]
    private var stored = 0, clock = 0
    private let lock = NSLock()

    struct Key: Hashable {
        let address: UInt, count: Int, outputs: Int
    }

    init(capacity: Int) { self.capacity = capacity }

    /// The transform of `weight` ([O, C, 3, 3] as `outputs` rows), computed by `make` on a miss.
    func transformed(_ weight: [Float], outputs: Int, make: () -> [Float]) -> [Float] {
        let address = weight.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        let key = Key(address: address, count: weight.count, outputs: outputs)
        lock.lock()
        clock += 1
        if var entry = entries[key] {
            entry.lastUse = clock
            entries[key] = entry
            lock.unlock()
            return entry.transformed
        }
        lock.unlock()
        let transformed = make()
        lock.lock()
        defer { lock.unlock() }
        if entries[key] == nil && transformed.count <= capacity {
            while stored + transformed.count > capacity, let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
                stored -= oldest.value.transformed.count
                entries[oldest.key] = nil
            }
            entries[key] = Entry(weight: weight, transformed: transformed, lastUse: clock)
            stored += transformed.count
        }
        return transformed
    }

    /// Floats held by the cached transforms.
    var storedFloats: Int { lock.withLock { stored } }
}
