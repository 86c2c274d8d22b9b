/// Counters per second of the run (throughput and latency over time), indexed from the
/// first event's second. Bounded: seconds past `secondsMax` are dropped.
public struct PerSecondSeries: Codable, Hashable, Sendable {
    /// At most this many seconds are kept (a day).
    public static let secondsMax = 86_400

    /// `ts` of second 0.
    public var startUs: Int64
    /// Entries newly committed in the cluster, per second.
    public var commits: [Int] = []
    /// Requests acknowledged `ok`, per second.
    public var acknowledgements: [Int] = []
    /// Mean client latency of the requests acknowledged in that second (0 when none).
    public var latencyMeanUs: [Double] = []
    /// Largest client latency of the requests acknowledged in that second.
    public var latencyMaxUs: [Int64] = []
    private var latencySumUs: [Int64] = []

    init(startUs: Int64) { self.startUs = startUs }

    enum CodingKeys: String, CodingKey { case startUs, commits, acknowledgements, latencyMeanUs, latencyMaxUs }

    private mutating func second(_ timestampUs: Int64) -> Int? {
        let second = Int((timestampUs - startUs) / 1_000_000)
        guard second >= 0 && second < Self.secondsMax else { return nil }
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
