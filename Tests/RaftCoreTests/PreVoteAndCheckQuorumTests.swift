import RaftCore
import RaftSim
import Testing

@Suite("Pre-vote and check-quorum")
struct PreVoteAndCheckQuorumTests {
    @Test("a partitioned follower with pre-vote does not raise its term or disturb the leader on return")
    func preVoteKeepsRejoiningNodeHarmless() {
        let cluster = SimulatedCluster(nodeCount: 3, options: .standard)
        cluster.elect(0)
        cluster.isolate(2)
        for _ in 0..<5 {
            cluster.fireElectionTimeout(2)
            cluster.deliverAll()
        }
        #expect(cluster.nodes[2].currentTerm == 1, "pre-votes never raise the term")
        #expect(cluster.nodes[2].role == .preCandidate)
        cluster.heal()
        cluster.fireElectionTimeout(2)
        cluster.deliverAll()
        cluster.settle()
        #expect(cluster.leaders == [0] && cluster.nodes[0].currentTerm == 1, "the leader was not disturbed")
        #expect(cluster.nodes[2].role == .follower && cluster.nodes[2].leaderID == 0)
    }

    @Test("without pre-vote the same rejoining node forces a new election (the contrast)")
    func withoutPreVoteRejoiningNodeDisrupts() {
        let cluster = SimulatedCluster(nodeCount: 3, options: Profiles.plain)
        cluster.elect(0)
        cluster.isolate(2)
        for _ in 0..<5 { cluster.fireElectionTimeout(2) }
        #expect(cluster.nodes[2].currentTerm == 6)
        cluster.heal()
        cluster.fireHeartbeatTimeout(0)
        cluster.deliverAll()
        #expect(cluster.nodes[0].role == .follower && cluster.nodes[0].currentTerm == 6, "the leader was deposed")
    }

    @Test("a leader that hears from no majority for an election timeout steps down", arguments: [true, false])
    func checkQuorumStepsDown(checkQuorum: Bool) {
        var options = ProtocolOptions.standard
        options.checkQuorum = checkQuorum
        let cluster = SimulatedCluster(nodeCount: 3, options: options, recordsTrace: true)
        cluster.elect(0)
        cluster.settle()
        cluster.isolate(0)
        cluster.fireElectionTimeout(0) // followers were heard from since the election
        #expect(cluster.nodes[0].role == .leader)
        cluster.fireHeartbeatTimeout(0)
        cluster.deliverAll()
        cluster.fireElectionTimeout(0) // nobody answered since the last check
        #expect((cluster.nodes[0].role == .leader) == !checkQuorum)
        #expect(cluster.traces(of: 0).contains(.lostQuorum(heardFrom: 1)) == checkQuorum)
    }

    @Test("a follower that heard from its leader ignores a higher-term vote request (the lease)")
    func leaseIgnoresDisruptiveCandidate() {
        let cluster = SimulatedCluster(nodeCount: 3, options: .standard, recordsTrace: true)
        cluster.elect(0)
        cluster.settle()
        let request = Message(from: 1, to: 2, term: 5,
                              body: .voteRequest(VoteRequest(logLength: 9, lastLogTerm: 4, preVote: false, campaign: CampaignID(incarnation: 1, round: 0))))
        let outputs = cluster.step(2, .receive(request))
        #expect(outputs.allSatisfy { if case .send = $0 { return false } else { return true } })
        #expect(cluster.nodes[2].currentTerm == 1)
        #expect(cluster.traces(of: 2).contains(.voteIgnoredInLease(candidate: 1)))
        // Once its election timer fires (no leader heard), it listens again.
        cluster.isolate(0)
        cluster.fireElectionTimeout(2)
        cluster.drop { _ in true }
        cluster.step(2, .receive(request))
        #expect(cluster.nodes[2].currentTerm == 5)
    }
}
