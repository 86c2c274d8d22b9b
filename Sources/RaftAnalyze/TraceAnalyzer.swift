import Histogram
import RaftTrace

/// The analysis itself: give it every event in `ts` order with its location, then ask for
/// the report. Streaming: memory grows with the statistics' needs (requests, committed
/// entries, per-second counters), never with the number of events.
public final class TraceAnalyzer {
    /// Extra work while streaming.
    public struct Options {
        /// `--timeline`: each timeline line goes here.
        public var timelineSink: ((String) -> Void)?
        /// `--from` / `--to`: timeline window in seconds since the first event.
        public var fromSeconds: Double?
        public var toSeconds: Double?

        public init(timelineSink: ((String) -> Void)? = nil, fromSeconds: Double? = nil, toSeconds: Double? = nil) {
            self.timelineSink = timelineSink
            self.fromSeconds = fromSeconds
            self.toSeconds = toSeconds
        }
    }

    /// Files locations refer to.
    public let files: [String]
    private var streams = StreamTracker()
    private var elections = ElectionChecker()
    private let logs: LogChecker
    private var statistics = StatisticsCollector()
    private var lanes = ClusterLanes()
    private var timeline: TimelinePrinter?
    private(set) var eventCount = 0

    /// An analyzer of events read from `files`.
    public init(files: [String], options: Options = Options()) {
        self.files = files
        logs = LogChecker(files: files)
        if let sink = options.timelineSink {
            timeline = TimelinePrinter(fromSeconds: options.fromSeconds, toSeconds: options.toSeconds, files: files, sink: sink)
        }
    }

    /// Takes the next event (in `ts` order across nodes; each stream in its own order).
    public func consume(_ record: TraceRecord, at location: EventLocation) {
        eventCount += 1
        let change = streams.consume(record, at: location, files: files)
        let restarted = change.isRestart
        elections.consume(record, at: location, into: &logs.violations)
        logs.consume(record, at: location, afterCrash: change == .restartedAfterCrash)
        statistics.consume(record)
        lanes.consume(record, restarted: restarted)
        timeline?.consume(record, at: location, restarted: restarted)
    }

    /// The report, after the last event. `warnings`, `malformedLineCount` and `unknownTypes`
    /// come from the readers.
    public func finish(warnings: [TraceWarning], malformedLineCount: Int, unknownTypes: [String: Int],
                       run: RunManifest? = nil) -> AnalysisReport {
        logs.finishDurability(everyNodeStopped: streams.everyNodeStopped)
        if elections.quorumsUnknown > 0 {
            logs.violations.note(.electionQuorum, "\(elections.quorumsUnknown) of \(elections.quorumsUnknown + elections.quorumsChecked) leaders not checked: their node wrote no `member` event (a trace older than membership change)")
        }
        lanes.finish()
        let lastUs = statistics.lastUs
        statistics.series?.extend(to: lastUs)
        let durationSeconds = statistics.firstUs.map { Double(statistics.lastUs - $0) / 1e6 } ?? 0
        let series = statistics.series
        let nodeIDs = Set(statistics.eventsByNode.keys.compactMap(Int.init)).union(streams.lastIncarnation.keys).sorted()
        let nodes = nodeIDs.map { node in
            AnalysisReport.NodeSummary(node: node, events: statistics.eventsByNode["\(node)"] ?? 0,
                                       incarnations: (streams.restarts[node] ?? 0) + 1, restarts: streams.restarts[node] ?? 0,
                                       crashes: (streams.crashes[node] ?? 0) + (streams.unfinishedNodes.contains(node) ? 1 : 0))
        }
        let stats = AnalysisReport.Statistics(
            clientLatency: LatencySummary(statistics.clientLatency),
            commitLatency: LatencySummary(statistics.commitLatency),
            fsyncLatency: LatencySummary(statistics.fsyncLatency),
            electionTime: LatencySummary(statistics.electionTime),
            committedEntries: statistics.clusterCommit,
            commitsPerSecond: durationSeconds > 0 ? Double(statistics.clusterCommit) / durationSeconds : 0,
            commitsPerSecondMax: series?.commitsPerSecondMax ?? 0,
            acknowledged: statistics.acknowledgements, failed: statistics.failures, timedOut: statistics.timeouts,
            acknowledgedPerSecond: durationSeconds > 0 ? Double(statistics.acknowledgements) / durationSeconds : 0,
            elections: statistics.elections, leaderChanges: statistics.leaderChanges,
            leaderlessSeconds: Double(statistics.leaderlessTotalUs) / 1e6,
            messagesSent: statistics.sends,
            messagesPerCommit: statistics.sends > 0 && statistics.clusterCommit > 0 ? Double(statistics.sends) / Double(statistics.clusterCommit) : nil,
            eventsByType: statistics.eventsByType, eventsByNode: statistics.eventsByNode)
        return AnalysisReport(inputs: files, run: run, eventCount: eventCount, firstUs: statistics.firstUs,
                              lastUs: statistics.firstUs == nil ? nil : statistics.lastUs,
                              malformedLineCount: malformedLineCount, unknownTypes: unknownTypes,
                              warnings: warnings.map(\.description), nodes: nodes,
                              streamGaps: streams.gaps, streamGapCount: streams.gapCount,
                              safety: logs.violations.results(), statistics: stats, series: series, lanes: lanes,
                              clientLatencyHistogram: statistics.clientLatency.logBuckets())
    }
}
