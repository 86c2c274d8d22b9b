import RaftTrace

/// Checks about terms and elections, streaming: Election Safety (one leader per term), Term
/// Monotonicity per node across restarts, Vote Safety (one vote per node and term, across
/// restarts; a candidate votes for itself, pre-votes bind nothing), Election Quorum (a leader
/// holds the grants of a majority of the voters of the configuration in force on it, as its
/// `member` events say; traces without them are not checked for it).
struct ElectionChecker {
    private var leaderOfTerm: [UInt64: (node: Int, record: TraceRecord, location: EventLocation)] = [:]
    /// Per node id: the first event that showed its highest term so far.
    private var lastTerm: [(term: UInt64, record: TraceRecord, location: EventLocation)?] = []
    private var votes: [VoteKey: (candidate: Int, record: TraceRecord, location: EventLocation)] = [:]
    /// Per node id: the voters of its configuration in force (its latest `member` event).
    private var voters: [Int: Set<Int>] = [:]
    /// Per candidate and term: the nodes that granted it their vote (itself included).
    private var grants: [VoteKey: Set<Int>] = [:]
    /// Leaders checked against their configuration's quorum, and leaders that could not be
    /// (no `member` event from them: a trace written before membership change).
    private(set) var quorumsChecked = 0
    private(set) var quorumsUnknown = 0

    private struct VoteKey: Hashable {
        var node: Int
        var term: UInt64
    }

    mutating func consume(_ record: TraceRecord, at location: EventLocation, into violations: inout ViolationLog) {
        guard record.type.source == .node, record.node >= 0, record.node <= LogChecker.nodeIDMax else { return }
        while lastTerm.count <= record.node { lastTerm.append(nil) }
        if let previous = lastTerm[record.node], record.term <= previous.term {
            if record.term < previous.term {
            let restarted = record.incarnation != previous.record.incarnation
            violations.report(.termMonotonicity,
                              "node \(record.node)'s term went back from \(previous.term) to \(record.term)"
                              + (restarted ? " across a restart (incarnation \(previous.record.incarnation) → \(record.incarnation)): the term was not persisted" : ""),
                              [(previous.record, previous.location), (record, location)])
            }
        } else {
            lastTerm[record.node] = (record.term, record, location)
        }

        switch record.body {
        case .leader:
            if let other = leaderOfTerm[record.term], other.node != record.node {
                violations.report(.electionSafety, "nodes \(other.node) and \(record.node) both became leader of term \(record.term)",
                                  [(other.record, other.location), (record, location)])
            } else if leaderOfTerm[record.term] == nil {
                leaderOfTerm[record.term] = (record.node, record, location)
            }
            checkQuorum(of: record, location, &violations)
        case .member(_, let newVoters, _):
            voters[record.node] = Set(newVoters)
        case .role(.candidate, _):
            grant(VoteKey(node: record.node, term: record.term), to: record.node, record, location, &violations)
        case .vote(let candidate, true, false):
            grant(VoteKey(node: record.node, term: record.term), to: candidate, record, location, &violations)
        default:
            break
        }
    }

    /// A new leader must hold the grants of a majority of its configuration's voters.
    private mutating func checkQuorum(of record: TraceRecord, _ location: EventLocation, _ violations: inout ViolationLog) {
        guard let electorate = voters[record.node] else {
            quorumsUnknown += 1
            return
        }
        quorumsChecked += 1
        let granted = (grants[VoteKey(node: record.node, term: record.term)] ?? []).intersection(electorate)
        guard granted.count < electorate.count / 2 + 1 else { return }
        let others = (grants[VoteKey(node: record.node, term: record.term)] ?? []).subtracting(electorate)
        violations.report(.electionQuorum,
                          "node \(record.node) became leader of term \(record.term) with the votes of \(granted.sorted()) of its voters \(electorate.sorted())"
                          + " (\(electorate.count / 2 + 1) needed)" + (others.isEmpty ? "" : "; votes of non-voters \(others.sorted()) do not count"),
                          [(record, location)])
    }

    private mutating func grant(_ key: VoteKey, to candidate: Int, _ record: TraceRecord, _ location: EventLocation,
                                _ violations: inout ViolationLog) {
        grants[VoteKey(node: candidate, term: key.term), default: []].insert(key.node)
        if let earlier = votes[key] {
            if earlier.candidate != candidate {
                let restarted = earlier.record.incarnation != record.incarnation
                violations.report(.voteSafety,
                                  "node \(key.node) voted for \(earlier.candidate) and then for \(candidate) in term \(key.term)"
                                  + (restarted ? " across a restart: the vote was not persisted" : ""),
                                  [(earlier.record, earlier.location), (record, location)])
            }
            return
        }
        votes[key] = (candidate, record, location)
    }

    /// Terms that had a leader.
    var termsWithLeader: Int { leaderOfTerm.count }
}
