import RaftCore
import RaftSim
import TestGate
import Testing

/// How fast a leader finds where a follower's log stops agreeing with its own: with the
/// term-based hint (etcd's findConflictByTerm) a refusal skips back past a whole term of
/// divergent entries, so convergence takes about one round trip per term, not one per entry.
@Suite("Log backtracking", .exclusive)
struct LogBacktrackingTests {
    static func entries(_ term: Term, _ count: Int, from first: Int) -> [Entry] {
        (0..<count).map { Entry(term: term, request: RequestID(term) << 32 | RequestID(first + $0), payload: []) }
    }

    /// Node 0 led term 3 and wrote `divergent` entries that node 1 holds too; node 2 holds as
    /// many entries of term 2, written by a leader of term 2 that never committed them; all
    /// share `common` committed entries of term 1. Node 0 then wins term 4 and replicates.
    static func cluster(common: Int, divergent: Int, options: ProtocolOptions) -> SimulatedCluster {
        let shared = entries(1, common, from: 1)
        let leaderLog = shared + entries(3, divergent, from: common + 1)
        let stale = shared + entries(2, divergent, from: common + 1)
        let disks = [
            PersistentState(currentTerm: 3, votedFor: 0, entries: leaderLog, commitIndex: common, appliedIndex: 0),
            PersistentState(currentTerm: 3, votedFor: 0, entries: leaderLog, commitIndex: common, appliedIndex: 0),
            PersistentState(currentTerm: 3, votedFor: nil, entries: stale, commitIndex: common, appliedIndex: 0),
        ]
        var options = options
        options.uncommittedEntriesMax = 2 * divergent + 10
        return SimulatedCluster(disks: disks, options: options, checksInvariants: false)
    }

    /// Elects node 0, then heartbeats until node 2 agrees with it; returns node 2's refusals.
    static func refusalsUntilConverged(_ cluster: SimulatedCluster) -> Int {
        var refusals = 0
        cluster.observer = { event in
            guard case .step(2, _, let outputs) = event else { return }
            for case .send(let message) in outputs {
                if case .logResponse(let response) = message.body, !response.success { refusals += 1 }
            }
        }
        #expect(cluster.elect(0))
        for _ in 0..<1_000 where cluster.nodes[2].log != cluster.nodes[0].log {
            cluster.fireHeartbeatTimeout(0)
            cluster.deliverAll()
        }
        return refusals
    }

    @Test("a follower with 100,000 divergent entries converges in a round trip or two, not 100,000")
    func longDivergenceConvergesPerTerm() {
        let cluster = Self.cluster(common: 10, divergent: 100_000, options: .standard)
        let refusals = Self.refusalsUntilConverged(cluster)
        #expect(cluster.nodes[2].log == cluster.nodes[0].log, "node 2 took the leader's log")
        #expect(cluster.nodes[2].log.term(at: 11) == 3)
        #expect(refusals >= 1 && refusals <= 3, "one refusal per term at most, \(refusals) refusals")
        cluster.settle()
        #expect(cluster.nodes.allSatisfy { $0.commitIndex == 100_011 }, "the no-op of term 4 committed everything")
    }

    @Test("divergence over several terms: one refusal per term at most")
    func divergenceOverManyTermsConvergesPerTerm() {
        // Node 2's divergent suffix spans terms 2, 3, ... (one leader each that never committed);
        // the leader's spans other terms.
        let shared = Self.entries(1, 5, from: 1)
        var stale = shared
        var leader = shared
        for term in 2...9 { stale += Self.entries(Term(term), 50, from: stale.count + 1) }
        for term in [10, 12] { leader += Self.entries(Term(term), 300, from: leader.count + 1) }
        let disks = [
            PersistentState(currentTerm: 12, votedFor: 0, entries: leader, commitIndex: 5, appliedIndex: 0),
            PersistentState(currentTerm: 12, votedFor: 0, entries: leader, commitIndex: 5, appliedIndex: 0),
            PersistentState(currentTerm: 12, votedFor: nil, entries: stale, commitIndex: 5, appliedIndex: 0),
        ]
        let cluster = SimulatedCluster(disks: disks, options: .standard, checksInvariants: false)
        let refusals = Self.refusalsUntilConverged(cluster)
        #expect(cluster.nodes[2].log == cluster.nodes[0].log)
        #expect(refusals <= 8 + 2, "at most one refusal per divergent term, \(refusals) refusals")
    }

    @Test("raft-lite's leader steps back one entry per refusal (the contrast)")
    func liteStepsBackOneEntryAtATime() {
        let cluster = Self.cluster(common: 10, divergent: 40, options: Profiles.plainWithoutPipelining)
        let refusals = Self.refusalsUntilConverged(cluster)
        #expect(cluster.nodes[2].log == cluster.nodes[0].log)
        #expect(refusals >= 40, "\(refusals) refusals")
    }

    @Test("the term-based hint is where the logs may still agree")
    func hintFindsTheLastEntryOfATermAtMost() {
        let log = RaftLog(Self.entries(1, 3, from: 1) + Self.entries(2, 3, from: 4) + Self.entries(5, 2, from: 7))
        #expect(log.lastIndex(atOrBelow: 8, withTermAtMost: 5) == 8)
        #expect(log.lastIndex(atOrBelow: 8, withTermAtMost: 4) == 6)
        #expect(log.lastIndex(atOrBelow: 5, withTermAtMost: 4) == 5)
        #expect(log.lastIndex(atOrBelow: 100, withTermAtMost: 1) == 3)
        #expect(log.lastIndex(atOrBelow: 8, withTermAtMost: 0) == 0)
        #expect(log.lastIndex(atOrBelow: -3, withTermAtMost: 9) == 0)
    }
}
