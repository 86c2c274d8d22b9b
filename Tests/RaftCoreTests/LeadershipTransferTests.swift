import RaftCore
import RaftSim
import Testing

/// Leadership transfer (Raft thesis §3.10): a leader brings a chosen follower up to date and
/// tells it to campaign at once; voters answer past their leader lease.
@Suite("Leadership transfer")
struct LeadershipTransferTests {
    /// Pre-vote and check-quorum on (the lease is what a transfer must get past), no no-op.
    static let options: ProtocolOptions = {
        var options = ProtocolOptions.standard
        options.appendNoOpOnElection = false
        return options
    }()

    private func clusterLedByZero() -> SimulatedCluster {
        let cluster = SimulatedCluster(nodeCount: 3, options: Self.options, recordsTrace: true)
        #expect(cluster.elect(0))
        for request in 1...RequestID(3) { cluster.propose(at: 0, request: request, "v\(request)") }
        cluster.deliverAll()
        cluster.fireHeartbeatTimeout(0)
        cluster.deliverAll()
        return cluster
    }

    @Test("an up-to-date follower told to take over wins at once, past the others' lease; proposals made meanwhile commit under it")
    func transferToAnUpToDateFollower() {
        let cluster = clusterLedByZero()
        let term = cluster.nodes[0].currentTerm
        cluster.step(0, .transferLeadership(to: 2))
        #expect(cluster.network.contains { $0.body == .timeoutNow && $0.to == 2 })
        cluster.propose(at: 0, request: 10, "during")
        #expect(cluster.nodes[0].bufferedProposals.map(\.request) == [10], "the leader appends nothing while it hands over")
        cluster.deliverAll()
        #expect(cluster.leader == 2 && cluster.nodes[2].currentTerm == term + 1)
        #expect(cluster.nodes[0].role == .follower && cluster.nodes[0].transferTarget == nil)
        cluster.fireHeartbeatTimeout(2)
        cluster.deliverAll()
        cluster.fireHeartbeatTimeout(2)
        cluster.deliverAll()
        #expect(cluster.deliveredTexts(0).last == "during" && cluster.deliveredTexts(1) == cluster.deliveredTexts(2))
        #expect(cluster.violations.isEmpty, "\(cluster.violations)")
        #expect(cluster.traces(of: 0).contains(.transferStarted(target: 2)))
    }

    @Test("a follower that is behind is caught up first, then told to campaign")
    func laggingFollowerIsCaughtUpFirst() {
        let cluster = clusterLedByZero()
        cluster.isolate(2)
        for request in 4...RequestID(8) { cluster.propose(at: 0, request: request, "v\(request)") }
        cluster.deliverAll()
        cluster.heal()
        cluster.step(0, .transferLeadership(to: 2))
        #expect(!cluster.network.contains { $0.body == .timeoutNow }, "not before its log matches")
        for _ in 0..<3 {
            cluster.deliverAll()
            cluster.fireHeartbeatTimeout(cluster.leader ?? 0)
        }
        cluster.deliverAll()
        #expect(cluster.leader == 2)
        #expect(cluster.nodes[2].log.lastIndex >= 8)
        #expect(cluster.violations.isEmpty, "\(cluster.violations)")
    }

    @Test("a transfer to a node that never answers is abandoned at the leader's next election timeout; waiting proposals are appended")
    func abandonedTransfer() {
        let cluster = clusterLedByZero()
        cluster.crash(2)
        cluster.step(0, .transferLeadership(to: 2))
        cluster.propose(at: 0, request: 20, "waited")
        #expect(cluster.nodes[0].transferTarget == 2)
        cluster.fireElectionTimeout(0) // the leader's check-quorum tick: node 1 answered, it leads on
        #expect(cluster.nodes[0].role == .leader && cluster.nodes[0].transferTarget == nil)
        #expect(cluster.traces(of: 0).contains(.transferAborted(target: 2)))
        cluster.deliverAll()
        cluster.fireHeartbeatTimeout(0)
        cluster.deliverAll()
        #expect(cluster.deliveredTexts(0).last == "waited")
    }

    @Test("only the leader's TimeoutNow starts a campaign; a transfer to itself or to a non-member is ignored")
    func ignoredRequests() {
        let cluster = clusterLedByZero()
        let term = cluster.nodes[1].currentTerm
        cluster.step(1, .receive(Message(from: 2, to: 1, term: term, body: .timeoutNow)))
        #expect(cluster.nodes[1].role == .follower && cluster.nodes[1].currentTerm == term)
        cluster.step(0, .transferLeadership(to: 0))
        cluster.step(0, .transferLeadership(to: 7))
        cluster.step(1, .transferLeadership(to: 2))
        #expect(cluster.nodes.allSatisfy { $0.transferTarget == nil })
        #expect(cluster.leader == 0)
    }
}
