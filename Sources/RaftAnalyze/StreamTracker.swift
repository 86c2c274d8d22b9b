import RaftTrace

/// Follows each writer's stream: `seq` must count up from 0 with no gap within an
/// incarnation; a new `inc` is a restart, and an incarnation that ended without `stop`
/// ended by a crash.
struct StreamTracker {
    /// One stream: a node's, or the client's / chaos's (keyed by source).
    private struct Key: Hashable {
        var source: TraceEventType.Source
        var node: Int
    }

    private struct State {
        var incarnation: Int
        var nextSequence: UInt64
        var stopped: Bool
        var incarnations: Int
    }

    /// What an event means for its writer's incarnations.
    enum IncarnationChange: Equatable {
        /// The event continues an incarnation, or begins the first one seen of its stream.
        case continues
        /// The event begins a new incarnation; the previous one ended with `stop`.
        case restartedAfterStop
        /// The event begins a new incarnation; the previous one ended without `stop` (a
        /// crash, so its last unflushed events may be missing from the trace).
        case restartedAfterCrash

        /// Whether the event begins a new incarnation of a stream already seen.
        var isRestart: Bool { self != .continues }
    }

    static let gapsKeptMax = 20
    /// Node streams by node id; the client's and chaos's streams apart (no hashing per event).
    private var nodeStreams: [State?] = []
    private var otherStreams: [TraceEventType.Source: State] = [:]

    private func state(_ key: Key) -> State? {
        if key.source == .node { return key.node < nodeStreams.count ? nodeStreams[key.node] : nil }
        return otherStreams[key.source]
    }

    private mutating func setState(_ state: State, _ key: Key) {
        if key.source == .node {
            while nodeStreams.count <= key.node { nodeStreams.append(nil) }
            nodeStreams[key.node] = state
        } else {
            otherStreams[key.source] = state
        }
    }
    private(set) var gaps: [String] = []
    private(set) var gapCount = 0
    /// Restarts seen per node (new incarnations after the first one seen).
    private(set) var restarts: [Int: Int] = [:]
    /// Incarnations that ended without `stop`, per node.
    private(set) var crashes: [Int: Int] = [:]
    /// Highest incarnation seen per node.
    private(set) var lastIncarnation: [Int: Int] = [:]

    /// Follows `record`; says whether it begins a new incarnation of a stream already seen,
    /// and how the previous one ended.
    mutating func consume(_ record: TraceRecord, at location: EventLocation, files: [String]) -> IncarnationChange {
        let key = Key(source: record.type.source, node: record.type.source == .node ? record.node : 0)
        if key.source == .client && record.node >= 0 && record.node <= LogChecker.nodeIDMax {
            if record.node >= nodesClientsTalkedTo.count {
                nodesClientsTalkedTo.append(contentsOf: repeatElement(false, count: record.node + 1 - nodesClientsTalkedTo.count))
            }
            nodesClientsTalkedTo[record.node] = true
        }
        guard key.node >= 0 && key.node <= LogChecker.nodeIDMax else { return .continues }
        // A client or nemesis line without `seq` (another tool's log): nothing to follow.
        guard record.sequence != TraceRecord.sequenceAbsent else { return .continues }
        guard var state = state(key) else {
            setState(State(incarnation: record.incarnation, nextSequence: record.sequence + 1, stopped: record.body == .stop, incarnations: 1), key)
            if record.type.source == .node { lastIncarnation[record.node] = record.incarnation }
            if record.sequence != 0 { gap(key, "starts at seq \(record.sequence) (the first \(record.sequence) events are missing)", location, files) }
            return .continues
        }
        var change = IncarnationChange.continues
        if record.incarnation != state.incarnation {
            if record.incarnation < state.incarnation {
                gap(key, "incarnation went back from \(state.incarnation) to \(record.incarnation)", location, files)
            }
            if key.source == .node {
                restarts[record.node, default: 0] += 1
                if !state.stopped { crashes[record.node, default: 0] += 1 }
                lastIncarnation[record.node] = max(lastIncarnation[record.node] ?? 0, record.incarnation)
            }
            change = state.stopped ? .restartedAfterStop : .restartedAfterCrash
            state = State(incarnation: record.incarnation, nextSequence: 0, stopped: false, incarnations: state.incarnations + 1)
        }
        if record.sequence != state.nextSequence {
            let missing = record.sequence > state.nextSequence ? "\(record.sequence - state.nextSequence) events missing" : "repeated or reordered"
            gap(key, "incarnation \(record.incarnation): seq jumps from \(Int64(state.nextSequence) - 1) to \(record.sequence) (\(missing))", location, files)
        }
        state.nextSequence = record.sequence + 1
        state.stopped = record.body == .stop
        setState(state, key)
        return change
    }

    /// Nodes that client events name as the node they talked to.
    private var nodesClientsTalkedTo: [Bool] = []

    /// Every node's stream ended with `stop`, and the trace holds a stream for each node a
    /// client talked to: no node's last events can be missing.
    var everyNodeStopped: Bool {
        nodeStreams.contains { $0 != nil } && unfinishedNodes.isEmpty
            && nodesClientsTalkedTo.indices.allSatisfy { !nodesClientsTalkedTo[$0] || ($0 < nodeStreams.count && nodeStreams[$0] != nil) }
    }

    /// Nodes whose last incarnation ended without `stop` (crashed, or still running when the
    /// trace was taken).
    var unfinishedNodes: [Int] {
        nodeStreams.indices.filter { nodeStreams[$0].map { !$0.stopped } ?? false }
    }

    private mutating func gap(_ key: Key, _ text: String, _ location: EventLocation, _ files: [String]) {
        gapCount += 1
        guard gaps.count < Self.gapsKeptMax else { return }
        let stream = key.source == .node ? "node \(key.node)" : "\(key.source.rawValue) stream"
        gaps.append("\(Evidence.text(location, files: files)): \(stream) \(text)")
    }
}
