import RaftCore
import RaftSim
import Testing

@Suite("Replication")
struct ReplicationScenarioTests {
    /// Raft paper, figure 8: an entry of an old term stored on a majority is not committed
    /// by counting replicas, because a later leader may still overwrite it.
    @Test("figure 8: a leader does not commit an older term's entry by counting replicas",
          arguments: [nil, Mutant.commitOlderTermByCounting])
    func figure8(mutant: Mutant?) {
        let cluster = SimulatedCluster(nodeCount: 5, options: Profiles.plain.with(mutant: mutant))
        cluster.elect(1)
        cluster.propose(at: 1, request: 1, "a")
        cluster.settle()

        // (a) Node 0 leads term 2 and replicates "b" to node 1 only.
        #expect(cluster.elect(0))
        #expect(cluster.nodes[0].currentTerm == 2)
        cluster.partition([[0, 1]])
        cluster.propose(at: 0, request: 2, "b")
        cluster.deliverAll()
        cluster.heal()
        // (b) Node 0 crashes; node 4 wins term 3 with votes from 2 and 3 and stores "c" alone.
        cluster.crash(0)
        #expect(cluster.elect(4))
        #expect(cluster.nodes[4].currentTerm == 3)
        cluster.isolate(4)
        cluster.propose(at: 4, request: 3, "c")
        cluster.heal()
        // (c) Node 4 crashes; node 0 returns, wins term 4 and copies "b" to nodes 2 and 3:
        // "b" is now on a majority (0, 1, 2, 3) but is from term 2.
        cluster.crash(4)
        cluster.restart(0)
        cluster.elect(0) // term 3: nodes 2 and 3 already voted for 4
        #expect(cluster.elect(0))
        #expect(cluster.nodes[0].currentTerm == 4)
        cluster.deliverAll()
        #expect(cluster.logTexts(2) == ["a", "b"] && cluster.logTexts(3) == ["a", "b"])
        if mutant == nil {
            #expect(cluster.nodes[0].commitIndex == 1, "\"b\" must not be committed by counting replicas")
        }
        // (d) Node 0 crashes; node 4 returns and wins term 5 (its last entry, term 3, beats
        // their term 2), overwriting "b" with "c" everywhere.
        cluster.crash(0)
        cluster.restart(4)
        cluster.elect(4)
        #expect(cluster.elect(4))
        cluster.propose(at: 4, request: 4, "d")
        cluster.settle()
        if mutant == nil {
            #expect(cluster.violations.isEmpty, "\(cluster.violations)")
            for id in 1...4 { #expect(cluster.deliveredTexts(id) == ["a", "c", "d"]) }
        } else {
            #expect(cluster.violations.contains { $0.contains("State Machine Safety") || $0.contains("Leader Completeness") },
                    "the mutant must be caught: \(cluster.violations)")
        }
    }

    @Test("a follower's conflicting suffix is truncated and replaced by the leader's entries",
          arguments: [nil, Mutant.skipConflictTruncation])
    func conflictingSuffixIsTruncated(mutant: Mutant?) {
        let cluster = SimulatedCluster(nodeCount: 3, options: Profiles.plain.with(mutant: mutant), recordsTrace: true)
        cluster.elect(0)
        cluster.propose(at: 0, request: 1, "x1")
        cluster.settle()
        // Node 0 appends two entries nobody else sees, then is cut off.
        cluster.propose(at: 0, request: 2, "x2")
        cluster.propose(at: 0, request: 3, "x3")
        cluster.isolate(0)
        #expect(cluster.elect(1))
        cluster.propose(at: 1, request: 4, "y2")
        cluster.deliverAll()
        // Node 0 hears from the new leader.
        cluster.heal()
        cluster.settle()
        if mutant == nil {
            #expect(cluster.logTexts(0) == ["x1", "y2"])
            #expect(cluster.nodes[0].log == cluster.nodes[1].log)
            #expect(cluster.traces(of: 0).contains(.truncated(length: 1)))
            #expect(cluster.deliveredTexts(0) == ["x1", "y2"])
            #expect(cluster.violations.isEmpty, "\(cluster.violations)")
        } else {
            #expect(!cluster.violations.isEmpty, "keeping conflicting entries must break Log Matching")
        }
    }

    @Test("a stale leader rejoins, learns the new term and steps down; its uncommitted entry is dropped",
          arguments: Profiles.electable)
    func staleLeaderStepsDown(options: ProtocolOptions) {
        let cluster = SimulatedCluster(nodeCount: 5, options: options)
        cluster.elect(0)
        cluster.propose(at: 0, request: 1, "old")
        cluster.settle()
        cluster.isolate(0)
        #expect(cluster.elect(1))
        cluster.propose(at: 1, request: 2, "new")
        cluster.deliverAll()
        // Meanwhile a client still talks to node 0, which believes it leads term 1.
        cluster.propose(at: 0, request: 3, "lost")
        #expect(cluster.nodes[0].role == .leader && cluster.nodes[0].currentTerm == 1)
        // Healed: node 0's own heartbeat is answered with the new term.
        cluster.heal()
        cluster.fireHeartbeatTimeout(0)
        cluster.deliverAll()
        #expect(cluster.nodes[0].role == .follower)
        #expect(cluster.nodes[0].currentTerm == cluster.nodes[1].currentTerm)
        cluster.settle()
        #expect(cluster.logTexts(0) == ["old", "new"])
        #expect(cluster.ids.allSatisfy { cluster.deliveredTexts($0) == ["old", "new"] })
        #expect(cluster.violations.isEmpty, "\(cluster.violations)")
    }

    @Test("without stepping down on a higher term, two leaders share a term (mutant no-step-down)")
    func noStepDownMutantIsCaught() {
        let cluster = SimulatedCluster(nodeCount: 3, options: Profiles.plain.with(mutant: .noStepDownOnHigherTerm))
        cluster.elect(0)
        cluster.fireElectionTimeout(1) // term 2: node 0 hears it but keeps leading
        cluster.deliverAll()
        #expect(cluster.nodes[1].role == .leader)
        #expect(cluster.violations.contains { $0.contains("Election Safety") }, "\(cluster.violations)")
    }

    @Test("duplicated and reordered messages are harmless", arguments: [Profiles.plain, .standard, .lite])
    func duplicatesAndReordering(options: ProtocolOptions) {
        let cluster = SimulatedCluster(nodeCount: 5, options: options)
        cluster.elect(0)
        for request in 1...20 as ClosedRange<RequestID> {
            cluster.propose(at: RaftCore.NodeID(request % 5), request: request, "r\(request)")
            // Newest first, each one twice (what the first copy causes is sent after it).
            var deliveries = 0
            while let position = cluster.network.indices.last, deliveries < 10_000 {
                cluster.duplicate(messageAt: position)
                cluster.deliver(messageAt: position)
                deliveries += 1
            }
            #expect(cluster.network.isEmpty)
        }
        cluster.propose(at: 0, request: 99, "last") // lite's one-shot timers: a proposal replicates
        cluster.deliverAll()
        if options.rearmTimers { cluster.settle() } else { cluster.deliverAll() }
        let expected = cluster.deliveredTexts(0)
        #expect(Set(expected).count == expected.count, "a request was delivered twice: \(expected)")
        #expect(expected.count == 21)
        for id in cluster.ids { #expect(cluster.deliveredTexts(id).count >= 20) }
        #expect(cluster.violations.isEmpty, "\(cluster.violations)")
    }
}
