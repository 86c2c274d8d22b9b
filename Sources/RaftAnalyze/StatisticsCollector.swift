import Histogram
import RaftTrace

/// Latency, throughput, elections and counts, streaming. Memory: the histograms, requests
/// in flight, proposals a leader has not committed yet, and one counter set per second.
struct StatisticsCollector {
    var clientLatency = Histogram<UInt64>.latency()
    var commitLatency = Histogram<UInt64>.latency()
    var fsyncLatency = Histogram<UInt64>.latency()
    var electionTime = Histogram<UInt64>.latency()
    var series: PerSecondSeries?

    private var invoked: [UInt64: Int64] = [:]
    private var proposals: [Int: (indexes: [Int], timestamps: [Int64], head: Int)] = [:]
    private(set) var clusterCommit = 0
    private(set) var sends = 0
    private(set) var elections = 0
    private(set) var leaderChanges = 0
    private(set) var acknowledgements = 0
    private(set) var failures = 0
    private(set) var timeouts = 0
    private(set) var leaderlessUs: Int64 = 0
    private(set) var firstUs: Int64?
    private(set) var lastUs: Int64 = 0
    private(set) var countsByType = [Int](repeating: 0, count: TraceEventType.allCases.count)
    private(set) var countsByNode: [Int] = []
    private var currentLeader: (node: Int, term: UInt64)?
    private var previousLeaderNode: Int?
    private var leaderlessSinceUs: Int64?

    mutating func consume(_ record: TraceRecord) {
        let timestampUs = record.timestampUs
        if firstUs == nil {
            firstUs = timestampUs
            leaderlessSinceUs = timestampUs
            series = PerSecondSeries(startUs: timestampUs)
        }
        lastUs = max(lastUs, timestampUs)
        countsByType[record.type.ordinal] += 1
        if record.type.source == .node && record.node >= 0 && record.node <= LogChecker.nodeIDMax {
            while countsByNode.count <= record.node { countsByNode.append(0) }
            countsByNode[record.node] += 1
        }

        switch record.body {
        case .invoke(_, let request):
            invoked[request] = timestampUs
        case .ok(_, let request, _):
            acknowledgements += 1
            if let start = invoked.removeValue(forKey: request) {
                let latency = max(0, timestampUs - start)
                _ = clientLatency.record(UInt64(latency))
                series?.addAcknowledgement(latencyUs: latency, at: timestampUs)
            }
        case .fail(_, let request, _):
            failures += 1
            invoked[request] = nil
        case .timeout(_, let request):
            timeouts += 1
            invoked[request] = nil
        case .propose, .append(_, _, _, _?):
            // A leader's proposals: `propose` lines, or the `reqs` of its `append`. Appended in
            // place: a copy out of the dictionary would copy both arrays per event.
            record.body.forEachProposal { _, index in
                proposals[record.node, default: ([], [], 0)].indexes.append(index)
                proposals[record.node, default: ([], [], 0)].timestamps.append(timestampUs)
            }
        case .commit(let index):
            commitProposals(at: record.node, upTo: index, timestampUs)
            if index > clusterCommit {
                series?.addCommits(index - clusterCommit, at: timestampUs)
                clusterCommit = index
            }
        case .persist(_, let durationUs):
            _ = fsyncLatency.record(UInt64(max(0, durationUs)))
        case .send:
            sends += 1
        case .leader:
            elections += 1
            if let since = leaderlessSinceUs {
                let duration = max(0, timestampUs - since)
                _ = electionTime.record(UInt64(duration))
                leaderlessUs += duration
                leaderlessSinceUs = nil
            }
            if previousLeaderNode != nil && previousLeaderNode != record.node { leaderChanges += 1 }
            previousLeaderNode = record.node
            currentLeader = (record.node, record.term)
        case .role(let role, _) where role != .leader:
            lostLeader(record.node, timestampUs)
            proposals[record.node] = nil
        case .start, .stop, .lostQuorum:
            lostLeader(record.node, timestampUs)
            proposals[record.node] = nil
        case .nemesis(let action, let targets, _) where action == .kill || action == .pause || action == .partition:
            for target in targets { lostLeader(target, timestampUs) }
        default:
            break
        }
    }

    private mutating func lostLeader(_ node: Int, _ timestampUs: Int64) {
        guard let leader = currentLeader, leader.node == node else { return }
        currentLeader = nil
        leaderlessSinceUs = timestampUs
    }

    private mutating func commitProposals(at node: Int, upTo index: Int, _ timestampUs: Int64) {
        // Taken out of the dictionary so the arrays are uniquely referenced (no copy).
        guard var queue = proposals.removeValue(forKey: node) else { return }
        while queue.head < queue.indexes.count && queue.indexes[queue.head] <= index {
            _ = commitLatency.record(UInt64(max(0, timestampUs - queue.timestamps[queue.head])))
            queue.head += 1
        }
        if queue.head == queue.indexes.count {
            queue = ([], [], 0)
        } else if queue.head > 1_024 {
            queue.indexes.removeSubrange(..<queue.head)
            queue.timestamps.removeSubrange(..<queue.head)
            queue.head = 0
        }
        proposals[node] = queue
    }

    /// Events per type name (types that occurred).
    var eventsByType: [String: Int] {
        var counts: [String: Int] = [:]
        for type in TraceEventType.allCases where countsByType[type.ordinal] > 0 { counts[type.rawValue] = countsByType[type.ordinal] }
        return counts
    }

    /// Node events per node id (nodes that wrote any).
    var eventsByNode: [String: Int] {
        var counts: [String: Int] = [:]
        for (node, count) in countsByNode.enumerated() where count > 0 { counts["\(node)"] = count }
        return counts
    }

    /// Time without a leader including a leaderless stretch still open at the end.
    var leaderlessTotalUs: Int64 { leaderlessUs + (leaderlessSinceUs.map { max(0, lastUs - $0) } ?? 0) }
}
