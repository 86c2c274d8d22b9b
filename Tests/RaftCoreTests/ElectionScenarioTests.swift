import RaftCore
import RaftSim
import Testing

@Suite("Elections")
struct ElectionScenarioTests {
    @Test("first election: one timeout, one leader, everyone follows it", arguments: Profiles.electable + [.standard])
    func firstElection(options: ProtocolOptions) {
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
    func splitVoteThenRetry(options: ProtocolOptions) {
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

    @Test("a candidate that lost its term to a crash does not count the grants its earlier incarnation asked for (send-before-persist did)",
          arguments: [nil, Mutant.sendBeforePersist])
    func grantOfAnEarlierIncarnationDoesNotCount(mutant: Mutant?) {
        let cluster = SimulatedCluster(nodeCount: 3, options: Profiles.plain.with(mutant: mutant))
        // Node 0 campaigns in term 1 and crashes inside that batch, before its write: the old
        // order had already sent the vote requests; node 1 grants one.
        cluster.stepBatch(0, [.electionTimeout], crashAfterWrites: 0)
        let request = cluster.network.first { $0.isVoteRequest && $0.to == 1 }
        #expect((request != nil) == (mutant != nil), "only the old order sends before the write")
        // The grant node 1 gives (or would give, had the request left) to that campaign.
        if let request { cluster.step(1, .receive(request)) }
        let grant = cluster.network.first { $0.from == 1 && $0.to == 0 }
            ?? Message(from: 1, to: 0, term: 1, body: .voteResponse(VoteResponse(granted: true, preVote: false,
                                                                                 campaign: CampaignID(incarnation: 1, round: 0))))
        cluster.drop { _ in true }
        // Node 0 is back in term 0 (nothing was durable) and campaigns in term 1 again.
        cluster.restart(0)
        cluster.fireElectionTimeout(0)
        #expect(cluster.nodes[0].currentTerm == 1 && cluster.nodes[0].role == .candidate)
        #expect(cluster.nodes[0].campaign.incarnation == 2)
        cluster.drop { _ in true }
        cluster.step(0, .receive(grant))
        #expect((cluster.nodes[0].role == .leader) == (mutant != nil),
                "the grant of incarnation 1's campaign counts only when grants are matched by term")
    }

    @Test("a pre-candidate does not count a pre-vote granted to its earlier round")
    func preVoteOfAnEarlierRoundDoesNotCount() {
        let cluster = SimulatedCluster(nodeCount: 5, options: Profiles.preVoteOnly)
        cluster.fireElectionTimeout(0) // round 1
        cluster.deliverAll { $0.isPreVoteRequest && ($0.to == 1 || $0.to == 2) }
        let roundOneGrants = cluster.network.filter { $0.to == 0 }
        #expect(roundOneGrants.count == 2)
        cluster.drop { _ in true }
        cluster.fireElectionTimeout(0) // round 2, same term
        #expect(cluster.nodes[0].role == .preCandidate && cluster.nodes[0].campaign.round == 2)
        cluster.drop { _ in true }
        for grant in roundOneGrants { cluster.step(0, .receive(grant)) }
        #expect(cluster.nodes[0].role == .preCandidate && cluster.nodes[0].currentTerm == 0,
                "two grants of round 1 and its own vote would have been a majority of five")
        #expect(cluster.violations.isEmpty, "\(cluster.violations)")
    }
}
