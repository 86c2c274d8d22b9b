/// Counters per interval of `intervalUs` (100 ms) over the run: throughput and latency over
/// time, indexed from the first event. Bounded: intervals past a day are dropped.
public struct PerSecondSeries: Codable, Hashable, Sendable {
    /// Length of one interval.
    public static let intervalUs: Int64 = 100_000
    /// At most this many intervals are kept (a day).
    public static let intervalsMax = 864_000

    /// `ts` of interval 0.
    public var startUs: Int64
    /// Length of each interval, in microseconds.
    public var intervalUs: Int64 = PerSecondSeries.intervalUs
    /// Entries newly committed in the cluster, per interval.
    public var commits: [Int] = []
    /// Requests acknowledged `ok`, per interval.
    public var acknowledgements: [Int] = []
    /// Mean client latency of the requests acknowledged in that interval (0 when none).
    public var latencyMeanUs: [Double] = []
    /// Largest client latency of the requests acknowledged in that interval.
    public var latencyMaxUs: [Int64] = []
    private var latencySumUs: [Int64] = []

    init(startUs: Int64) { self.startUs = startUs }

    enum CodingKeys: String, CodingKey { case startUs, intervalUs, commits, acknowledgements, latencyMeanUs, latencyMaxUs }

    /// Commits per second in the best interval.
    public var commitsPerSecondMax: Int { (commits.max() ?? 0) * Int(1_000_000 / intervalUs) }

    private mutating func second(_ timestampUs: Int64) -> Int? {
        let second = Int((timestampUs - startUs) / intervalUs)
        guard second >= 0 && second < Self.intervalsMax else { return nil }
        while commits.count <= second {
            commits.append(0)
            acknowledgements.append(0)
            latencyMeanUs.append(0)
            latencyMaxUs.append(0)
            latencySumUs.append(0)
        }
        return second
    }

    mutating func addCommits(_ count: Int, at timestampUs: Int64) {
        guard let second = second(timestampUs) else { return }
        commits[second] += count
    }

    mutating func addAcknowledgement(latencyUs: Int64, at timestampUs: Int64) {
        guard let second = second(timestampUs) else { return }
        acknowledgements[second] += 1
        latencySumUs[second] += latencyUs
        latencyMaxUs[second] = max(latencyMaxUs[second], latencyUs)
        latencyMeanUs[second] = Double(latencySumUs[second]) / Double(acknowledgements[second])
    }

    /// Makes the series cover up to `timestampUs`.
    mutating func extend(to timestampUs: Int64) { _ = second(timestampUs) }
}
