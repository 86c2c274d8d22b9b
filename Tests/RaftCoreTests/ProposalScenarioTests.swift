import RaftCore
import RaftSim
import Testing

@Suite("Client proposals")
struct ProposalScenarioTests {
    @Test("a proposal at a follower reaches the leader and is delivered everywhere exactly once",
          arguments: Profiles.electable + [.standard])
    func proposalAtFollower(options: ProtocolOptions) {
        let cluster = SimulatedCluster(nodeCount: 3, options: options, recordsTrace: true)
        cluster.elect(0)
        cluster.propose(at: 2, request: 42, "from a follower")
        #expect(cluster.traces(of: 2).contains(.forwarded(count: 1, to: 0)))
        cluster.deliverAll()
        if options.rearmTimers { cluster.settle() } else { cluster.propose(at: 0, request: 43, "flush"); cluster.deliverAll() }
        for id in cluster.ids {
            #expect(cluster.delivered[id].filter { $0.request == 42 }.count == 1, "node \(id)")
        }
        #expect(cluster.violations.isEmpty, "\(cluster.violations)")
    }

    @Test("proposals made before any leader exists wait, then commit in order")
    func proposalsBufferedUntilLeaderKnown() {
        let cluster = SimulatedCluster(nodeCount: 3, options: .standard, recordsTrace: true)
        cluster.propose(at: 1, request: 1, "early-1")
        cluster.propose(at: 1, request: 2, "early-2")
        #expect(cluster.traces(of: 1).filter { if case .buffered = $0 { return true } else { return false } }.count == 2)
        #expect(cluster.elect(0))
        cluster.settle()
        for id in cluster.ids { #expect(cluster.deliveredTexts(id) == ["early-1", "early-2"]) }
        #expect(cluster.nodes[1].bufferedProposals.isEmpty)
    }

    @Test("a duplicated forward and a client retry are appended once")
    func duplicateRequestAppendedOnce() {
        let cluster = SimulatedCluster(nodeCount: 3, options: .standard)
        cluster.elect(0)
        cluster.propose(at: 1, request: 5, "once")
        let forward = cluster.network.first { if case .forward = $0.body { return true } else { return false } }!
        cluster.step(0, .receive(forward))
        cluster.deliverAll()
        cluster.propose(at: 0, request: 5, "once") // the client retries at the leader
        cluster.settle()
        #expect(cluster.rejections.contains { $0.request == 5 && $0.reason == .duplicate(index: 2) })
        for id in cluster.ids { #expect(cluster.deliveredTexts(id) == ["once"]) }
    }

    @Test("a single-node cluster commits on its own")
    func singleNodeCluster() {
        let cluster = SimulatedCluster(nodeCount: 1, options: .standard)
        #expect(cluster.elect(0))
        cluster.propose(at: 0, request: 1, "alone")
        #expect(cluster.deliveredTexts(0) == ["alone"])
    }
}

@Suite("Forwards across a leader change")
struct ReforwardScenarioTests {
    @Test("a proposal forwarded to a leader that dies reaches the next leader and commits",
          arguments: [true, false])
    func forwardOutlivesItsLeader(reforwards: Bool) {
        var options = ProtocolOptions.standard
        options.reforwardsOnLeaderChange = reforwards
        let cluster = SimulatedCluster(nodeCount: 3, options: options)
        cluster.elect(0)
        cluster.settle()
        cluster.propose(at: 2, request: 7, "forwarded")
        cluster.drop { if case .forward = $0.body { return true } else { return false } } // the leader dies first
        cluster.crash(0)
        for id in [1, 2] { cluster.fireElectionTimeout(id) } // their leases expire
        cluster.drop { $0.from == 2 }
        #expect(cluster.elect(1))
        cluster.settle()
        let committed = cluster.deliveredTexts(2).contains("forwarded")
        #expect(committed == reforwards)
        #expect(cluster.nodes[2].unconfirmedForwards.isEmpty, "confirmed once in the log, or never kept")
        #expect(cluster.violations.isEmpty, "\(cluster.violations)")
    }

    @Test("a forward that did arrive is not appended twice when it is sent again")
    func reforwardIsDeduplicated() {
        let cluster = SimulatedCluster(nodeCount: 3, options: .standard)
        cluster.elect(0)
        cluster.settle()
        cluster.propose(at: 2, request: 8, "once")
        cluster.deliverAll { if case .forward = $0.body { return true } else { return false } } // appended at 0 only
        cluster.drop { $0.to == 2 } // node 2 never sees it in its log
        cluster.isolate(2)
        cluster.fireHeartbeatTimeout(0)
        cluster.deliverAll()           // node 1 gets the entry
        cluster.crash(0)
        cluster.heal()
        for id in [1, 2] { cluster.fireElectionTimeout(id) }
        cluster.drop { $0.from == 2 }
        #expect(cluster.elect(1))       // node 2 forwards "once" again to node 1, which holds it already
        cluster.settle()
        for id in [1, 2] { #expect(cluster.deliveredTexts(id).filter { $0 == "once" }.count == 1) }
        #expect(cluster.violations.isEmpty, "\(cluster.violations)")
    }
}
