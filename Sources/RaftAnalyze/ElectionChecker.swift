import RaftTrace

/// Checks about terms and elections, streaming: Election Safety (one leader per term), Term
/// Monotonicity per node across restarts, Vote Safety (one vote per node and term, across
/// restarts; a candidate votes for itself, pre-votes bind nothing).
struct ElectionChecker {
    private var leaderOfTerm: [UInt64: (node: Int, record: TraceRecord, location: EventLocation)] = [:]
    /// Per node id: the first event that showed its highest term so far.
    private var lastTerm: [(term: UInt64, record: TraceRecord, location: EventLocation)?] = []
    private var votes: [VoteKey: (candidate: Int, record: TraceRecord, location: EventLocation)] = [:]

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
        case .role(.candidate, _):
            grant(VoteKey(node: record.node, term: record.term), to: record.node, record, location, &violations)
        case .vote(let candidate, true, false):
            grant(VoteKey(node: record.node, term: record.term), to: candidate, record, location, &violations)
        default:
            break
        }
    }

    private mutating func grant(_ key: VoteKey, to candidate: Int, _ record: TraceRecord, _ location: EventLocation,
                                _ violations: inout ViolationLog) {
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
