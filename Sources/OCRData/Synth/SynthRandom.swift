import PosterCore

/// The synthesizer's dice: a thin wrapper over `SeededRandom` with integer
/// ranges and picks written out here, because the standard library's
/// `random(in:using:)` algorithms are not promised to stay the same across
/// Swift releases and a sample must be the same bytes on every run.
struct SynthRandom {
    private var source: SeededRandom

    init(seed: UInt64, index: Int) {
        source = SeededRandom(seed: seed, index: UInt64(bitPattern: Int64(index)))
    }

    mutating func next() -> UInt64 { source.next() }

    mutating func unit() -> Double { source.unit() }

    mutating func chance(_ probability: Double) -> Bool { source.chance(probability) }

    mutating func uniform(_ range: ClosedRange<Double>) -> Double { source.uniform(range) }

    /// Uniform integer in `range` (multiply-shift; the bias is below 2^-32 for small ranges).
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        let count = UInt64(range.upperBound - range.lowerBound + 1)
        let high = source.next().multipliedFullWidth(by: count).high
        return range.lowerBound + Int(high)
    }

    mutating func pick<T>(_ items: [T]) -> T {
        precondition(!items.isEmpty, "cannot pick from an empty list")
        return items[int(0...(items.count - 1))]
    }

    /// An index drawn with the given (non-negative) weights.
    mutating func weightedIndex(_ weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        guard total > 0 else { return int(0...(weights.count - 1)) }
        var target = unit() * total
        for (index, weight) in weights.enumerated() {
            target -= weight
            if target < 0 { return index }
        }
        return weights.count - 1
    }

    mutating func pickWeighted<T>(_ items: [(T, Double)]) -> T {
        items[weightedIndex(items.map(\.1))].0
    }
}
