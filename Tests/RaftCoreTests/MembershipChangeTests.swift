import RaftCore
import RaftSim
import Testing

/// Membership change (Raft thesis §4.1, learners as etcd has them): one server at a time,
/// in force on each node once its log holds the change, committed by the majority of the
/// configuration in force.
@Suite("Membership change")
struct MembershipChangeTests {
    /// Pre-vote on; check-quorum off, so that a scenario can elect another leader at once
    /// (the lease has a scenario of its own elsewhere).
    static let options: ProtocolOptions = {
        var options = ProtocolOptions.standard
        options.checkQuorum = false
        return options
    }()

    /// Founders 0, 1, 2 led by 0 with a committed entry of its term; node 3 waits to join.
    private func clusterWithSpare() -> SimulatedCluster {
        let cluster = SimulatedCluster(founders: 3, spares: 1, options: Self.options, recordsTrace: true)
        #expect(cluster.elect(0))
        cluster.propose(at: 0, request: 1, "a")
        cluster.settle()
        return cluster
    }

    private func answer(_ outputs: [Output]) -> Output? {
        outputs.first { if case .membershipChanged = $0 { return true }; if case .membershipChangeRefused = $0 { return true }; return false }
    }

    @Test("a joining server never campaigns before the leader adds it; added as a learner it catches up without counting towards commits")
    func learnerCatchesUpWithoutVoting() {
        let cluster = clusterWithSpare()
        cluster.fireElectionTimeout(3)
        #expect(cluster.network.allSatisfy { $0.from != 3 }, "a server that knows no configuration waits")
        let outputs = cluster.step(0, .changeMembership(.addLearner(3)))
        guard case .membershipChanged(.addLearner(3), let index)? = answer(outputs) else {
            Issue.record("no answer: \(outputs)"); return
        }
        #expect(cluster.nodes[0].configuration == Configuration(voters: NodeSet([0, 1, 2]), learners: NodeSet([3])))
        cluster.settle()
        #expect(cluster.nodes[3].configuration == cluster.nodes[0].configuration)
        #expect(cluster.nodes[3].commitIndex >= index && cluster.deliveredTexts(3) == ["a"])
        // A learner's acknowledgement does not count: with 1 and 2 cut off nothing commits.
        cluster.partition([[0, 3], [1, 2]])
        cluster.propose(at: 0, request: 2, "b")
        cluster.settle()
        #expect(cluster.nodes[3].log.lastIndex == cluster.nodes[0].log.lastIndex, "the learner holds it")
        #expect(!cluster.deliveredTexts(0).contains("b"), "two of four acknowledgements, one of them a learner's, are no majority of voters")
        // A learner does not campaign either.
        cluster.fireElectionTimeout(3)
        #expect(cluster.nodes[3].role == .follower && cluster.nodes[3].currentTerm == cluster.nodes[0].currentTerm)
        #expect(cluster.violations.isEmpty, "\(cluster.violations)")
    }

    @Test("a promoted learner votes and counts: four voters need three acknowledgements")
    func promotedLearnerCounts() {
        let cluster = clusterWithSpare()
        cluster.step(0, .changeMembership(.addLearner(3)))
        cluster.settle()
        let outputs = cluster.step(0, .changeMembership(.promote(3)))
        guard case .membershipChanged(.promote(3), _)? = answer(outputs) else { Issue.record("\(outputs)"); return }
        cluster.settle()
        #expect(cluster.nodes.allSatisfy { $0.configuration.voters == NodeSet([0, 1, 2, 3]) })
        #expect(cluster.nodes[0].quorum == 3)
        cluster.partition([[0, 3], [1, 2]])
        cluster.propose(at: 0, request: 2, "b")
        cluster.settle()
        #expect(!cluster.deliveredTexts(0).contains("b"), "two of four voters are no majority")
        cluster.heal()
        cluster.settle()
        #expect(cluster.deliveredTexts(1).last == "b")
        // Node 3 can now win an election with the votes of the others.
        cluster.crash(0)
        #expect(cluster.elect(3))
        #expect(cluster.violations.isEmpty, "\(cluster.violations)")
    }

    @Test("one change at a time: a second change waits until the first commits")
    func oneChangeAtATime() {
        let cluster = clusterWithSpare()
        cluster.isolate(1)
        cluster.isolate(2)
        cluster.step(0, .changeMembership(.addLearner(3)))
        let second = cluster.step(0, .changeMembership(.remove(2)))
        guard case .membershipChangeRefused(.remove(2), .changeInProgress)? = answer(second) else { Issue.record("\(second)"); return }
        cluster.heal()
        cluster.settle()
        let third = cluster.step(0, .changeMembership(.remove(2)))
        guard case .membershipChanged(.remove(2), _)? = answer(third) else { Issue.record("\(third)"); return }
        #expect(cluster.violations.isEmpty, "\(cluster.violations)")
    }

    @Test("a new leader changes nothing before an entry of its own term commits (Ongaro, 2015)")
    func newLeaderWaitsForItsTermToCommit() {
        var options = Self.options
        options.appendNoOpOnElection = false
        let cluster = SimulatedCluster(founders: 3, spares: 1, options: options)
        #expect(cluster.elect(0))
        let early = cluster.step(0, .changeMembership(.addLearner(3)))
        guard case .membershipChangeRefused(_, .leaderNotReady)? = answer(early) else { Issue.record("\(early)"); return }
        cluster.propose(at: 0, request: 1, "a")
        cluster.settle()
        let later = cluster.step(0, .changeMembership(.addLearner(3)))
        guard case .membershipChanged? = answer(later) else { Issue.record("\(later)"); return }
    }

    @Test("refusals name the problem: not the leader, already a member, not a member, the only voter")
    func refusals() {
        let cluster = clusterWithSpare()
        func refusal(_ node: NodeID, _ change: MembershipChange) -> MembershipRefusal? {
            if case .membershipChangeRefused(_, let reason)? = answer(cluster.step(node, .changeMembership(change))) { return reason }
            return nil
        }
        #expect(refusal(1, .addLearner(3)) == .notLeader(leader: 0))
        #expect(refusal(0, .addLearner(1)) == .alreadyMember(1))
        #expect(refusal(0, .promote(3)) == .notMember(3))
        #expect(refusal(0, .promote(1)) == .alreadyVoter(1))
        #expect(refusal(0, .remove(3)) == .notMember(3))
        #expect(refusal(0, .addLearner(64)) == .invalidServer(64))
        let single = SimulatedCluster(nodeCount: 1, options: Self.options)
        #expect(single.elect(0))
        single.settle()
        if case .membershipChangeRefused(_, let reason)? = answer(single.step(0, .changeMembership(.remove(0)))) {
            #expect(reason == .lastVoter(0))
        } else {
            Issue.record("removing the only voter was not refused")
        }
    }

    @Test("a leader that removes itself leads the change through, steps down once it commits, and a remaining voter takes over")
    func leaderRemovesItself() {
        let cluster = clusterWithSpare()
        cluster.step(0, .changeMembership(.remove(0)))
        #expect(cluster.nodes[0].role == .leader, "it leads until the change commits")
        cluster.settle(rounds: 1)
        #expect(cluster.nodes[0].role == .follower && cluster.nodes[0].configuration.voters == NodeSet([1, 2]))
        cluster.fireElectionTimeout(0)
        #expect(cluster.nodes[0].role == .follower, "a removed server does not campaign")
        #expect(cluster.elect(1))
        cluster.propose(at: 1, request: 2, "after")
        cluster.settle()
        #expect(cluster.deliveredTexts(2).last == "after")
        #expect(cluster.violations.isEmpty, "\(cluster.violations)")
    }

    @Test("a deposed leader whose uncommitted configuration entry is truncated goes back to the configuration before it")
    func truncatedConfigurationIsUndone() {
        let cluster = clusterWithSpare()
        let founders = Configuration(voters: NodeSet([0, 1, 2]))
        cluster.partition([[0], [1, 2, 3]])
        cluster.step(0, .changeMembership(.addLearner(3)))
        #expect(cluster.nodes[0].configuration.learners == NodeSet([3]), "in force once appended")
        #expect(cluster.elect(1))
        cluster.propose(at: 1, request: 2, "b")
        cluster.settle()
        cluster.heal()
        cluster.settle()
        #expect(cluster.nodes[0].role == .follower && cluster.nodes[0].configuration == founders)
        #expect(cluster.nodes[0].configurationIndex == 0)
        #expect(cluster.traces(of: 0).contains(.configurationChanged(index: 0, configuration: founders)))
        #expect(cluster.deliveredTexts(0) == ["a", "b"])
        #expect(cluster.violations.isEmpty, "\(cluster.violations)")
    }

    @Test("a snapshot carries the configuration: a learner that joins after compaction installs it and knows who is in")
    func snapshotCarriesConfiguration() {
        var options = Self.options
        options.entriesKeptAfterSnapshot = 0
        let cluster = SimulatedCluster(founders: 3, spares: 1, options: options)
        #expect(cluster.elect(0))
        for request in 1...RequestID(5) { cluster.propose(at: 0, request: request, "v\(request)") }
        cluster.settle()
        #expect(cluster.takeSnapshot(at: 0))
        #expect(cluster.nodes[0].snapshot.configuration == Configuration(voters: NodeSet([0, 1, 2])))
        cluster.step(0, .changeMembership(.addLearner(3)))
        cluster.settle(rounds: 5)
        #expect(cluster.nodes[3].snapshot.index == cluster.nodes[0].snapshot.index)
        #expect(cluster.nodes[3].configuration == Configuration(voters: NodeSet([0, 1, 2]), learners: NodeSet([3])))
        // Restarted from its disk, it finds the same configuration.
        cluster.crash(3)
        cluster.restart(3)
        #expect(cluster.nodes[3].configuration.learners == NodeSet([3]))
        #expect(cluster.violations.isEmpty, "\(cluster.violations)")
    }

    @Test("a configuration entry round-trips through its payload; malformed payloads are refused on the wire")
    func configurationEncoding() {
        let configuration = Configuration(voters: NodeSet([0, 5, 63]), learners: NodeSet([7]))
        #expect(Configuration(encoded: configuration.encoded) == configuration)
        #expect(Entry.configuration(term: 3, configuration).configuration == configuration)
        #expect(Entry.noOp(term: 3).configuration == nil)
        var overlapping = configuration.encoded
        overlapping[10] = 1 // learner 0 is a voter too
        #expect(Configuration(encoded: overlapping) == nil)
        var node = RaftNode(id: 1, members: [0, 1, 2], options: Self.options)
        _ = node.step(.restart(.initial))
        let junk = Entry(term: 1, request: 0, payload: [1, 2, 3])
        let outputs = node.step(.receive(Message(from: 0, to: 1, term: 1, body: .logRequest(
            LogRequest(prefixLength: 0, prefixTerm: 0, leaderCommit: 0, suffix: [junk])))))
        #expect(outputs.contains(.dropMessage(from: 0, reason: .malformedConfiguration)))
        #expect(node.log.lastIndex == 0)
    }
}
