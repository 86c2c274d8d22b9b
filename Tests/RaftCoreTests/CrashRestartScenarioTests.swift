import RaftCore
import RaftSim
import Testing

@Suite("Crashes and restarts")
struct CrashRestartScenarioTests {
    @Test("a restarted node keeps its term, vote, log and commit index from disk", arguments: Profiles.electable + [.standard])
    func restartKeepsDurableState(options: ProtocolOptions) {
        let cluster = SimulatedCluster(nodeCount: 3, options: options)
        cluster.elect(0)
        for request in 1...3 as ClosedRange<RequestID> { cluster.propose(at: 0, request: request, "e\(request)") }
        cluster.deliverAll()
        if options.rearmTimers { cluster.settle() } else { cluster.propose(at: 0, request: 9, "flush"); cluster.deliverAll() }
        let before = cluster.nodes[2]
        let deliveredBefore = cluster.delivered[2]
        #expect(before.votedFor == 0 && before.log.lastIndex >= 3)

        cluster.crash(2)
        cluster.restart(2)
        let after = cluster.nodes[2]
        #expect(after.currentTerm == before.currentTerm)
        #expect(after.votedFor == before.votedFor)
        #expect(after.log == before.log)
        #expect(after.commitIndex == before.commitIndex)
        #expect(after.role == .follower && after.leaderID == nil)
        #expect(cluster.delivered[2] == deliveredBefore, "nothing is delivered twice after a restart")
        #expect(cluster.violations.isEmpty, "\(cluster.violations)")
    }

    @Test("a restarted voter refuses a second candidate in the same term (mutant forget-vote-on-restart breaks it)",
          arguments: [nil, Mutant.forgetVoteOnRestart])
    func voteSurvivesRestart(mutant: Mutant?) {
        let cluster = SimulatedCluster(nodeCount: 3, options: Profiles.plain.with(mutant: mutant))
        // Candidate 0 gets node 2's vote in term 1; the grant is still on its way when node 2 crashes.
        cluster.fireElectionTimeout(0)
        cluster.deliverAll { $0.to == 2 }
        cluster.drop { $0.to == 1 }
        cluster.crash(2)
        cluster.restart(2)
        // Candidate 1 campaigns in the same term 1 and asks the restarted node 2.
        cluster.fireElectionTimeout(1)
        let position = cluster.network.firstIndex { $0.from == 1 && $0.to == 2 }!
        let outputs = cluster.deliver(messageAt: position)
        let granted = outputs.contains {
            if case .send(let message) = $0, case .voteResponse(let response) = message.body { return response.granted }
            return false
        }
        #expect(granted == (mutant != nil))
        cluster.deliverAll()
        if mutant == nil {
            #expect(cluster.leaders == [0])
            #expect(cluster.violations.isEmpty, "\(cluster.violations)")
        } else {
            #expect(cluster.violations.contains { $0.contains("Election Safety") }, "two leaders in term 1: \(cluster.violations)")
        }
    }

    @Test("the leader crashes after replicating to one follower of five: the entry is not lost once committed later")
    func leaderCrashAfterMinorityReplication() {
        let cluster = SimulatedCluster(nodeCount: 5, options: Profiles.plain)
        cluster.elect(0)
        cluster.partition([[0, 1]])
        cluster.propose(at: 0, request: 1, "minority")
        cluster.deliverAll()
        #expect(cluster.nodes[0].commitIndex == 0, "one follower of four is not a majority")
        cluster.heal()
        cluster.crash(0)
        // Node 1 holds the entry, so it can win; whoever wins, the rest of the story must be safe.
        #expect(cluster.elect(1))
        cluster.propose(at: 1, request: 2, "after")
        cluster.settle()
        #expect(cluster.deliveredTexts(2) == ["minority", "after"])
        cluster.restart(0)
        cluster.settle()
        #expect(cluster.deliveredTexts(0) == ["minority", "after"])
        #expect(cluster.violations.isEmpty, "\(cluster.violations)")
    }

    @Test("a follower that restarts in the middle of replication catches up without re-delivering")
    func followerRestartsAndCatchesUp() {
        let cluster = SimulatedCluster(nodeCount: 3, options: .standard)
        cluster.elect(0)
        cluster.propose(at: 0, request: 1, "a")
        cluster.settle()
        cluster.crash(2)
        for request in 2...6 as ClosedRange<RequestID> { cluster.propose(at: 0, request: request, "e\(request)") }
        cluster.settle()
        cluster.restart(2)
        cluster.settle()
        #expect(cluster.deliveredTexts(2) == ["a", "e2", "e3", "e4", "e5", "e6"])
        #expect(cluster.nodes[2].log == cluster.nodes[0].log)
        #expect(cluster.violations.isEmpty, "\(cluster.violations)")
    }

    @Test("an application without durable state replays the committed log on restart (appliedIndex 0)")
    func restartReplaysForVolatileApplications() {
        var node = RaftNode(id: 0, members: [0], options: .standard)
        _ = node.stepAsBatch(.restart(.initial))
        _ = node.stepAsBatch(.electionTimeout)
        _ = node.stepAsBatch(.propose([Proposal(request: 7, payload: [1, 2, 3])]))
        var durable = node.persistentState
        #expect(durable.commitIndex == 2) // the no-op and the proposal
        durable.appliedIndex = 0
        var restarted = RaftNode(id: 0, members: [0], options: .standard)
        let outputs = restarted.step(.restart(durable))
        let delivered = outputs.compactMap { output -> Int? in
            if case .deliver(let index, _) = output { return index }
            return nil
        }
        #expect(delivered == [1, 2])
    }
}
