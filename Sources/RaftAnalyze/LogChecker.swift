import RaftTrace

/// Checks what the nodes did with their logs, streaming: State Machine Safety, Log
/// Matching, Commit Monotonicity, Delivery Order, Leader Completeness and Durability.
///
/// It rebuilds the committed sequence from `commit` and `deliver` events and every node's
/// log from `append` / `truncate` / `start` (as `LogShadow`s stored relative to the committed
/// sequence, so memory follows the uncommitted suffixes, not the run's length).
final class LogChecker {
    struct NodeState {
        var shadow = LogShadow()
        var incarnation = -1
        var commitIndex = 0
        var verifiedCommit = 0
        var lastDelivered: Int?
        var durableCommitAtStart = 0
        var maxDelivered = 0
        var isLeader = false
        var leaderTerm: UInt64 = 0
        /// The `leader` event's `last_index` / `last_term`: the node's own word on its log
        /// when it won `leaderTerm` (every entry up to `last_index` has a term of at most
        /// `last_term`, since terms never go down along a log).
        var electedLastIndex = 0
        var electedLastTerm: UInt64 = 0
    }

    /// Highest node id tracked (larger ids are reported and ignored).
    static let nodeIDMax = 1_023

    var committed = CommittedLog()
    var nodes: [NodeState] = []
    var violations: ViolationLog
    /// Highest commit index seen at an event of each term, with where.
    var commitsByTerm: [UInt64: (index: Int, location: EventLocation, node: Int)] = [:]
    /// Request id → index it was delivered at (Durability: none at two indexes).
    var requestIndexes: [UInt64: Int] = [:]
    /// Requests acknowledged `ok`: id, index when given, where.
    var acknowledged: [Acknowledgement] = []

    /// An `ok` event, kept compactly until the end of the trace.
    struct Acknowledgement {
        var request: UInt64
        var index: Int?
        var client: Int32
        var node: Int32
        var timestampUs: Int64
        var sequence: UInt64
        var location: EventLocation
        /// Length of the committed sequence when the acknowledgement was seen.
        var committedAtAck: Int

        var record: TraceRecord {
            TraceRecord(timestampUs: timestampUs, node: Int(node), incarnation: 0, sequence: sequence, term: 0,
                        body: .ok(client: Int(client), request: request, index: index))
        }
    }

    init(files: [String]) { violations = ViolationLog(files: files) }

    /// The state of node `id`, created on first use; `nil` for an absurd id.
    func slot(_ id: Int) -> Int? {
        guard id >= 0 && id <= Self.nodeIDMax else { return nil }
        while nodes.count <= id { nodes.append(NodeState()) }
        return id
    }

    /// Takes the next event. `afterCrash`: it begins a new incarnation of its node and the
    /// previous one ended without `stop`, so that one's last events may be missing.
    func consume(_ record: TraceRecord, at location: EventLocation, afterCrash: Bool = false) {
        switch record.body {
        case .start(let logLength, let commitIndex, _):
            guard let id = slot(record.node) else { return }
            start(id, logLength: logLength, commitIndex: commitIndex, afterCrash: afterCrash, record, location)
        case .role(let role, _):
            guard let id = slot(record.node) else { return }
            if role != .leader { nodes[id].isLeader = false }
        case .stop:
            guard let id = slot(record.node) else { return }
            nodes[id].isLeader = false
        case .append(let index, let entryTerms, let digests, _):
            guard let id = slot(record.node) else { return }
            append(id, index: index, terms: entryTerms, digests: digests, record, location)
        case .truncate(let length):
            guard let id = slot(record.node) else { return }
            if length < nodes[id].commitIndex {
                violations.report(.logMatching, "node \(id) truncated its log to \(length) entries below its commit index \(nodes[id].commitIndex): committed entries removed", [(record, location)])
            }
            nodes[id].shadow.truncate(to: length)
            nodes[id].verifiedCommit = min(nodes[id].verifiedCommit, length)
        case .commit(let index):
            guard let id = slot(record.node) else { return }
            commit(id, index: index, record, location)
        case .leader(let lastIndex, let lastTerm):
            guard let id = slot(record.node) else { return }
            becameLeader(id, lastIndex: lastIndex, lastTerm: lastTerm, record, location)
        case .deliver, .deliverRun:
            // A run is checked entry by entry, exactly as lines of one entry each.
            guard let id = slot(record.node) else { return }
            record.body.forEachDelivery { index, entryTerm, digest, request in
                deliver(id, index: index, term: entryTerm, digest: digest, request: request, record, location)
            }
        case .snapshot(let index, _, _, _):
            guard let id = slot(record.node) else { return }
            if index > nodes[id].commitIndex {
                violations.report(.stateMachineSafety, "node \(id) took a snapshot through index \(index) beyond its commit index \(nodes[id].commitIndex): it holds entries that may never commit", [(record, location)])
            }
        case .install(let index, let entryTerm, _):
            guard let id = slot(record.node) else { return }
            install(id, index: index, term: entryTerm, record, location)
        case .ok(let client, let request, let index):
            acknowledged.append(Acknowledgement(request: request, index: index, client: Int32(truncatingIfNeeded: client),
                                                node: Int32(truncatingIfNeeded: record.node), timestampUs: record.timestampUs,
                                                sequence: record.sequence, location: location, committedAtAck: committed.count))
        default:
            break
        }
    }

    /// Whether `index` is a plausible position for node `id`'s log (no more than
    /// `CommittedLog.gapMax` past its end); notes and returns `false` otherwise.
    func plausible(_ index: Int, at id: Int, _ property: SafetyProperty) -> Bool {
        guard index - nodes[id].shadow.length > CommittedLog.gapMax else { return true }
        violations.note(property, "events naming log positions more than \(CommittedLog.gapMax) past their node's log were ignored")
        return false
    }

    /// A new incarnation from durable state. After a crash, entries above the highest index
    /// the node was seen to hold committed become unknown: the lost tail of its trace may have
    /// replaced them (a follower's `truncate` and `append`, and even the `commit` that the
    /// durable commit index reports, ride in one batch). See docs/ANALYZE.md.
    private func start(_ id: Int, logLength: Int, commitIndex: Int, afterCrash: Bool, _ record: TraceRecord, _ location: EventLocation) {
        guard plausible(logLength, at: id, .logMatching) else { return }
        var node = nodes[id]
        let seenCommitted = min(logLength, max(node.commitIndex, node.verifiedCommit))
        if logLength < node.verifiedCommit {
            violations.report(.logMatching, "node \(id) restarted with \(logLength) entries but had committed \(node.verifiedCommit): committed entries were not durable", [(record, location)])
        }
        if commitIndex > logLength {
            violations.report(.logMatching, "node \(id) restarted with commit index \(commitIndex) past its log of \(logLength) entries", [(record, location)])
        }
        // The durable commit index says 1...commitIndex are committed, even where the events
        // that committed them were lost: the committed sequence reaches that far (unknown
        // slots), so Durability does not take it to end below.
        if commitIndex <= logLength { _ = committed.extend(to: commitIndex) }
        node.shadow.restart(durableLength: logLength)
        if afterCrash { node.shadow.forget(above: seenCommitted, committed: committed) }
        node.verifiedCommit = min(node.verifiedCommit, logLength)
        node.incarnation = record.incarnation
        node.commitIndex = commitIndex
        node.durableCommitAtStart = commitIndex
        node.lastDelivered = nil
        node.isLeader = false
        nodes[id] = node
    }

    private func append(_ id: Int, index: Int, terms: [UInt64], digests: [UInt64], _ record: TraceRecord, _ location: EventLocation) {
        guard index >= 1 else {
            violations.note(.logMatching, "append events at index 0 were ignored")
            return
        }
        guard plausible(index, at: id, .logMatching) else { return }
        let commitIndex = nodes[id].commitIndex
        if index <= commitIndex {
            for offset in terms.indices where index + offset <= min(commitIndex, nodes[id].shadow.length) {
                let current = nodes[id].shadow.entry(index + offset, committed: committed)
                if current.term != CommittedLog.unknownTerm && (current.term != terms[offset] || current.digest != digests[offset]) {
                    violations.report(.logMatching, "node \(id) overwrote committed entry \(index + offset) (commit index \(commitIndex))", [(record, location)])
                    break
                }
            }
        }
        if nodes[id].shadow.unknownEntryCount > 0 && index > 1 { learnAgreedPrefix(id, before: index, term: record.term) }
        if !nodes[id].shadow.append(at: index, terms: terms, digests: digests, committed: committed) {
            violations.note(.logMatching, "node \(id) appended past the end of its log (events lost?); the missing entries were not checked")
        }
    }

    /// A follower appending at `index` in `term` took the entries from that term's leader
    /// after its log agreed with the leader's up to `index - 1` (the request's prefix check,
    /// and skipped entries of equal terms): its unknown entries there are the leader's.
    private func learnAgreedPrefix(_ id: Int, before index: Int, term: UInt64) {
        guard !nodes[id].isLeader,
              let leader = nodes.indices.first(where: { $0 != id && nodes[$0].isLeader && nodes[$0].leaderTerm == term }) else { return }
        let leaderLog = nodes[leader].shadow
        let last = min(index - 1, nodes[id].shadow.length, leaderLog.length)
        guard last > nodes[id].shadow.matched else { return }
        for position in (nodes[id].shadow.matched + 1)...last where nodes[id].shadow.unknownEntryCount > 0 {
            let entry = leaderLog.entry(position, committed: committed)
            guard entry.term != CommittedLog.unknownTerm else { continue }
            nodes[id].shadow.fillUnknown(position, term: entry.term, digest: entry.digest)
        }
    }
}
