import RaftCore
import RaftSim
import Testing

@Suite("Elections")
struct ElectionScenarioTests {
    @Test("first election: one timeout, one leader, everyone follows it", arguments: Profiles.electable + [.standard])
    func firstElection(options: RaftOptions) {
        let cluster = SimulatedCluster(nodeCount: 3, options: options, recordsTrace: true)
        #expect(cluster.elect(0))
        #expect(cluster.leaders == [0])
        for id in cluster.ids {
            #expect(cluster.nodes[id].currentTerm == 1)
            #expect(cluster.nodes[id].leaderID == 0)
        }
        #expect(cluster.nodes[1].votedFor == 0 && cluster.nodes[2].votedFor == 0)
        #expect(cluster.traces(of: 0).contains(.becameLeader(lastIndex: 0, lastTerm: 0)))
        #expect(cluster.violations.isEmpty, "\(cluster.violations)")
    }

    @Test("split vote: two candidates, two votes each, nobody wins; the next timeout elects", arguments: Profiles.electable)
    func splitVoteThenRetry(options: RaftOptions) {
        let cluster = SimulatedCluster(nodeCount: 4, options: options)
        cluster.fireElectionTimeout(0)
        cluster.fireElectionTimeout(1)
        // Pre-votes (if any) go everywhere; node 2 hears candidate 0 first, node 3 hears candidate 1 first.
        cluster.deliverAll { !$0.isVoteRequest || ($0.from, $0.to) == (0, 2) || ($0.from, $0.to) == (1, 3) }
        cluster.deliverAll()
        #expect(cluster.leaders.isEmpty)
        #expect(cluster.nodes[0].role == .candidate && cluster.nodes[1].role == .candidate)
        #expect(cluster.nodes[2].votedFor == 0 && cluster.nodes[3].votedFor == 1)

        #expect(cluster.elect(0))
        #expect(cluster.nodes[0].currentTerm == 2)
        #expect(cluster.nodes.allSatisfy { $0.leaderID == 0 })
        #expect(cluster.violations.isEmpty, "\(cluster.violations)")
    }

    @Test("a candidate with a stale log loses: voters keep the entry it lacks")
    func staleLogLosesElection() {
        let cluster = SimulatedCluster(nodeCount: 3, options: Profiles.plain)
        cluster.elect(0)
        cluster.propose(at: 0, request: 1, "kept")
        cluster.deliverAll { $0.to != 2 && $0.from != 2 } // node 2 misses the entry
        cluster.drop { _ in true }
        cluster.crash(0)
        #expect(!cluster.elect(2), "node 1 must refuse a candidate whose log lacks a committed entry")
        #expect(cluster.elect(1))
        cluster.propose(at: 1, request: 2, "next") // commits "kept" too: it precedes an entry of the new term
        cluster.settle()
        #expect(cluster.deliveredTexts(2) == ["kept", "next"])
        #expect(cluster.violations.isEmpty, "\(cluster.violations)")
    }

    @Test("a vote from an earlier term does not count (mutant count-stale-votes breaks it)", arguments: [nil, Mutant.countStaleVotes])
    func staleVoteDoesNotCount(mutant: Mutant?) {
        let cluster = SimulatedCluster(nodeCount: 5, options: Profiles.plain.with(mutant: mutant))
        cluster.fireElectionTimeout(0) // term 1
        cluster.deliverAll { $0.isVoteRequest && $0.to == 1 }
        let staleGrant = cluster.network.first { $0.from == 1 }!
        cluster.drop { _ in true }
        cluster.fireElectionTimeout(0) // term 2: nobody hears it yet
        cluster.drop { _ in true }
        cluster.step(0, .receive(staleGrant))
        cluster.step(0, .receive(Message(from: 2, to: 0, term: 1, body: .voteResponse(.init(granted: true, preVote: false, campaign: cluster.nodes[0].campaign)))))
        #expect((cluster.nodes[0].role == .leader) == (mutant != nil))
    }
}
