import Histogram

/// Percentiles of one latency distribution, in microseconds (from an HdrHistogram with three
/// significant digits).
public struct LatencySummary: Codable, Hashable, Sendable {
    public var count: UInt64
    public var p50Us: UInt64
    public var p90Us: UInt64
    public var p99Us: UInt64
    public var p999Us: UInt64
    public var maxUs: UInt64
    public var meanUs: Double

    /// The summary of `histogram`, or `nil` when it is empty.
    init?(_ histogram: Histogram<UInt64>) {
        guard histogram.totalCount > 0 else { return nil }
        count = histogram.totalCount
        p50Us = histogram.valueAtPercentile(50)
        p90Us = histogram.valueAtPercentile(90)
        p99Us = histogram.valueAtPercentile(99)
        p999Us = histogram.valueAtPercentile(99.9)
        maxUs = histogram.max
        meanUs = histogram.mean
    }
}

/// One bar of a latency histogram picture: values up to `upperUs`, `count` of them.
public struct HistogramBucket: Codable, Hashable, Sendable {
    public var upperUs: UInt64
    public var count: UInt64
}

extension Histogram where Count == UInt64 {
    /// A histogram whose range grows as values arrive.
    static func latency() -> Histogram<UInt64> { Histogram<UInt64>(numberOfSignificantValueDigits: .three) }

    /// Logarithmic buckets, four per doubling, from the smallest to the largest value, for
    /// pictures. (Built from `count(within:)`: 0.2.0's logarithmic iterator overflows on
    /// some inputs.)
    func logBuckets() -> [HistogramBucket] {
        guard totalCount > 0 else { return [] }
        let ratio = 1.189_207_115 // 2^(1/4)
        var buckets: [HistogramBucket] = []
        var lower: UInt64 = 0
        var upper: UInt64 = 1
        while lower <= max && buckets.count < 256 {
            if upper >= min { buckets.append(HistogramBucket(upperUs: upper, count: count(within: lower...upper))) }
            guard upper < UInt64.max / 2 else { break }
            lower = upper + 1
            upper = Swift.max(lower, UInt64((Double(upper) * ratio).rounded(.up)))
        }
        return buckets
    }
}
