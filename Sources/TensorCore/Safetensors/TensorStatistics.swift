/// Summary statistics of a tensor's values, computed in Double so sums over
/// millions of Float32 values stay accurate: what `poster inspect` prints to
/// spot a broken or mis-converted checkpoint (all zeros, NaNs, wrong scale).
///
/// NaN and infinite values are counted and left out of mean, std, min and
/// max, so one bad element does not hide the scale of the rest. `std` is the
/// population standard deviation (numpy's default, ddof 0), by two passes.
public struct TensorStatistics: Equatable, Sendable {
    public var count: Int
    public var nanCount: Int
    public var infinityCount: Int
    /// nil when there are no finite values.
    public var mean: Double?
    public var std: Double?
    public var min: Double?
    public var max: Double?

    public init(_ values: [Float]) {
        self.init(count: values.count) { body in for v in values { body(Double(v)) } }
    }

    public init(_ values: [Int64]) {
        self.init(count: values.count) { body in for v in values { body(Double(v)) } }
    }

    private init(count: Int, each: ((Double) -> Void) -> Void) {
        self.count = count
        var nan = 0, inf = 0, finite = 0
        var sum = 0.0
        var low = Double.infinity, high = -Double.infinity
        each { v in
            if v.isNaN { nan += 1 } else if v.isInfinite { inf += 1 } else {
                finite += 1
                sum += v
                if v < low { low = v }
                if v > high { high = v }
            }
        }
        nanCount = nan
        infinityCount = inf
        guard finite > 0 else { return }
        let mean = sum / Double(finite)
        var squares = 0.0
        each { v in if v.isFinite { squares += (v - mean) * (v - mean) } }
        self.mean = mean
        self.std = (squares / Double(finite)).squareRoot()
        self.min = low
        self.max = high
    }
}
