import RaftTrace

/// Everything `raftlab analyze` found: inputs, safety verdicts with evidence, statistics
/// and the series the pictures are drawn from. `--json` prints it as is.
public struct AnalysisReport: Codable, Sendable {
    /// Files read, in the order locations refer to them.
    public var inputs: [String]
    /// `run.json`, when the input was a run directory that has one.
    public var run: RunManifest?
    /// Events analysed (valid lines of known types).
    public var eventCount: Int
    /// `ts` of the first and last event.
    public var firstUs: Int64?
    public var lastUs: Int64?
    /// Malformed lines skipped.
    public var malformedLineCount: Int
    /// Lines of unknown event types skipped, by type.
    public var unknownTypes: [String: Int]
    /// What the readers recovered from (cut files, corrupt data, malformed lines).
    public var warnings: [String]
    /// Per node: events, incarnations, restarts, crashes.
    public var nodes: [NodeSummary]
    /// `seq` gaps and other stream anomalies (the first ones), and how many in all.
    public var streamGaps: [String]
    public var streamGapCount: Int
    /// One verdict per safety property.
    public var safety: [PropertyVerdict]
    /// Latency, throughput, elections, messages.
    public var statistics: Statistics
    /// Throughput and latency per 100 ms.
    public var series: PerSecondSeries?
    /// Roles and marks per node over time.
    public var lanes: ClusterLanes
    /// Client latency distribution in logarithmic buckets (four per doubling).
    public var clientLatencyHistogram: [HistogramBucket]

    /// Whether every safety property holds.
    public var isSafe: Bool { safety.allSatisfy(\.holds) }

    /// Duration covered by the events, in seconds.
    public var durationSeconds: Double {
        guard let firstUs, let lastUs else { return 0 }
        return Double(lastUs - firstUs) / 1e6
    }

    /// What one node did.
    public struct NodeSummary: Codable, Hashable, Sendable {
        public var node: Int
        public var events: Int
        public var incarnations: Int
        public var restarts: Int
        /// Incarnations that ended without `stop`.
        public var crashes: Int
    }

    /// The numbers.
    public struct Statistics: Codable, Hashable, Sendable {
        /// Client `invoke` → `ok`.
        public var clientLatency: LatencySummary?
        /// Leader `propose` → its `commit` covering the index.
        public var commitLatency: LatencySummary?
        /// `persist.us`.
        public var fsyncLatency: LatencySummary?
        /// From losing a leader (or the start) to the next `leader` event.
        public var electionTime: LatencySummary?
        /// Highest commit index reached in the cluster.
        public var committedEntries: Int
        /// Committed entries per second over the whole run, and the best rate over one
        /// `PerSecondSeries.intervalUs`.
        public var commitsPerSecond: Double
        public var commitsPerSecondMax: Int
        /// Client outcomes.
        public var acknowledged: Int
        public var failed: Int
        public var timedOut: Int
        /// Acknowledgements per second over the whole run.
        public var acknowledgedPerSecond: Double
        /// `leader` events, and how many of them changed the leading node.
        public var elections: Int
        public var leaderChanges: Int
        /// Time without a leader (including before the first one).
        public var leaderlessSeconds: Double
        /// `send` events, and per committed entry (when messages were traced).
        public var messagesSent: Int
        public var messagesPerCommit: Double?
        /// Events per type and per node.
        public var eventsByType: [String: Int]
        public var eventsByNode: [String: Int]
    }
}
