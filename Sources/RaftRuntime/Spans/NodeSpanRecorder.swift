import RaftCore

/// Turns one node's core events into spans: its campaigns, the runs of entries it appended as
/// leader until they commit, its group commits and the votes it granted. Pure: the caller
/// passes the time (wall-clock microseconds, as traces use).
struct NodeSpanRecorder {
    /// Runs of entries awaiting their commit that are followed at once: a leader that cannot
    /// commit (no quorum) stops opening spans here rather than growing without bound.
    static let replicatingMax = 4096

    private struct Campaign {
        var startUs: Int64
        var startTerm: Term
        var preVote: Bool
    }

    private struct Run {
        var startUs: Int64
        var term: Term
        var firstIndex: Int
        var lastIndex: Int
    }

    private var campaign: Campaign?
    private var replicating: [Run] = []
    private var replicatingStart = 0
    private var isLeader = false
    private(set) var finished: [NodeSpan] = []

    /// Feeds one core event that happened at `nowUs` while the node was in `term`.
    mutating func observe(_ event: TraceEvent, term: Term, nowUs: Int64) {
        switch event {
        case .roleChanged(let from, let to):
            // One campaign span from leaving the follower role (rounds that time out included)
            // to winning or following someone.
            if to == .preCandidate || to == .candidate {
                if campaign == nil { campaign = Campaign(startUs: nowUs, startTerm: term, preVote: to == .preCandidate) }
            } else if to == .follower {
                endCampaign("lost", won: false, term: term, nowUs: nowUs)
            }
            if from == .leader {
                isLeader = false
                abandonReplication(nowUs: nowUs)
            }
        case .becameLeader:
            endCampaign("won", won: true, term: term, nowUs: nowUs)
            isLeader = true
        case .voted(let candidate, let granted, let preVote) where granted && !preVote:
            finished.append(NodeSpan(name: .vote, startUs: nowUs, endUs: nowUs,
                                     attributes: [("raft.term", Int(term)), ("raft.candidate", candidate)],
                                     outcome: "granted", succeeded: true))
        case .appended(let firstIndex, let entries) where isLeader && !entries.isEmpty:
            guard replicating.count - replicatingStart < Self.replicatingMax else { return }
            replicating.append(Run(startUs: nowUs, term: term, firstIndex: firstIndex, lastIndex: firstIndex + entries.count - 1))
        case .committed(let index):
            while replicatingStart < replicating.count, replicating[replicatingStart].lastIndex <= index {
                finishRun(replicating[replicatingStart], outcome: "committed", committed: true, nowUs: nowUs)
                replicatingStart += 1
            }
            compactReplicating()
        default:
            break
        }
    }

    /// A group commit that appended `entries` entries took `fsyncUs` and ended at `nowUs`.
    mutating func groupCommitted(entries: Int, fsyncUs: UInt64, term: Term, nowUs: Int64) {
        finished.append(NodeSpan(name: .fsync, startUs: nowUs - Int64(fsyncUs), endUs: nowUs,
                                 attributes: [("raft.term", Int(term)), ("raft.entries", entries)], outcome: nil, succeeded: true))
    }

    /// Hands over the finished spans.
    mutating func drain() -> [NodeSpan] {
        defer { finished = [] }
        return finished
    }

    private mutating func endCampaign(_ outcome: String, won: Bool, term: Term, nowUs: Int64) {
        guard let open = campaign else { return }
        campaign = nil
        finished.append(NodeSpan(name: .election, startUs: open.startUs, endUs: nowUs,
                                 attributes: [("raft.term", Int(term)), ("raft.start_term", Int(open.startTerm)),
                                              ("raft.pre_vote", open.preVote ? 1 : 0)],
                                 outcome: outcome, succeeded: won))
    }

    private mutating func abandonReplication(nowUs: Int64) {
        for run in replicating[replicatingStart...] { finishRun(run, outcome: "not committed while leading", committed: false, nowUs: nowUs) }
        replicating = []
        replicatingStart = 0
    }

    private mutating func finishRun(_ run: Run, outcome: String, committed: Bool, nowUs: Int64) {
        finished.append(NodeSpan(name: .replicate, startUs: run.startUs, endUs: nowUs,
                                 attributes: [("raft.term", Int(run.term)), ("raft.first_index", run.firstIndex),
                                              ("raft.last_index", run.lastIndex), ("raft.entries", run.lastIndex - run.firstIndex + 1)],
                                 outcome: outcome, succeeded: committed))
    }

    /// Drops the committed prefix once it is most of the array (amortized O(1) per run).
    private mutating func compactReplicating() {
        if replicatingStart == replicating.count {
            replicating.removeAll(keepingCapacity: true)
            replicatingStart = 0
        } else if replicatingStart > 1024, replicatingStart * 2 > replicating.count {
            replicating.removeFirst(replicatingStart)
            replicatingStart = 0
        }
    }
}
