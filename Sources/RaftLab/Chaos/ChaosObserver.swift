import RaftAnalyze
import RaftTrace

/// Watches the analyzer's pass over a chaos run's merged trace and measures what the chaos
/// verdict adds to the analyzer's: lost and duplicated writes, availability, failover times
/// and throughput under faults against calm periods.
final class ChaosObserver: TraceObserver {
    private(set) var ledger = WriteLedger()
    private(set) var leadership: LeadershipMeter
    private(set) var throughput: ThroughputSplit

    /// Measures over the chaos period `window` (µs since the Unix epoch).
    init(window: ClosedRange<Int64>) {
        leadership = LeadershipMeter(window: window)
        throughput = ThroughputSplit(window: window)
    }

    func consume(_ record: TraceRecord, at location: EventLocation) throws {
        ledger.consume(record)
        leadership.consume(record)
        throughput.consume(record)
    }

    func finish() throws {
        leadership.finish()
        throughput.finish()
    }

    /// Failover summaries per fault action, in a fixed order.
    var failoverSummaries: [FailoverSummary] {
        let actions = Set(leadership.failovers.map(\.action)).union(leadership.unresolved.keys).union(leadership.outlived.keys)
        return ["kill", "pause", "partition"].filter(actions.contains).map { action in
            FailoverSummary(action: action, samplesMs: leadership.failovers.filter { $0.action == action }.map(\.milliseconds),
                            unresolved: leadership.unresolved[action] ?? 0, outlived: leadership.outlived[action] ?? 0)
        }
    }
}
