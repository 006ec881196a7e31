import Foundation

/// Transformed Winograd kernels (U = G g Gᵀ) of recently used weights, so a
/// model transforms each kernel once instead of on every call (a denoising
/// loop runs each convolution 40 times with the same weights; the transform
/// was 7% of generation time). Only weights that take no gradient are cached
/// (inference and frozen models): training replaces its weights every step.
///
/// Keyed by the weight array's storage, which the entry keeps alive. Tensor
/// values never change, and storage that is still referenced cannot be
/// reused for another array, so a hit always holds the same values.
///
/// At capacity a miss evicts only stale entries (unused for `staleAfter`
/// lookups: another model's weights), least recently used first, and is not
/// cached when that frees too little. A denoising loop whose transforms
/// exceed the capacity then keeps a fixed part of them cached; least-recently-
/// used eviction drops, on every call, the transform the loop needs next (this
/// model's 33.5M floats against the former 32M capacity missed on every call:
/// 5% of generation time in weight transforms).
final class WinogradWeightCache: @unchecked Sendable {
    static let shared = WinogradWeightCache(capacity: 64 << 20)

    private struct Entry {
        let weight: [Float]
        let transformed: [Float]
        var lastUse: Int
    }

    let capacity: Int
    /// Lookups after which an unused entry may be evicted.
    let staleAfter: Int
    private var entries: [Key: Entry] = [:]
    private var stored = 0, clock = 0
    private let lock = NSLock()

    struct Key: Hashable {
        let address: UInt, count: Int, outputs: Int
    }

    init(capacity: Int, staleAfter: Int = 1024) {
        self.capacity = capacity
        self.staleAfter = staleAfter
    }

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
        guard entries[key] == nil, transformed.count <= capacity else { return transformed }
        if stored + transformed.count > capacity {
            let stale = entries.filter { clock - $0.value.lastUse > staleAfter }.sorted { $0.value.lastUse < $1.value.lastUse }
            let freeable = stale.reduce(0) { $0 + $1.value.transformed.count }
            guard stored - freeable + transformed.count <= capacity else { return transformed }
            for (oldKey, entry) in stale where stored + transformed.count > capacity {
                stored -= entry.transformed.count
                entries[oldKey] = nil
            }
        }
        entries[key] = Entry(weight: weight, transformed: transformed, lastUse: clock)
        stored += transformed.count
        return transformed
    }

    /// Floats held by the cached transforms.
    var storedFloats: Int { lock.withLock { stored } }
}
