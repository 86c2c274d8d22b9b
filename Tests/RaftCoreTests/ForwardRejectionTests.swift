import RaftCore
import RaftSim
import Testing

/// A proposal forwarded to another node and refused there: the refusal travels back to the
/// node whose client proposed it (`ForwardRejected`), which tells its client at once instead
/// of leaving it to time out.
@Suite("Refusals of forwarded proposals")
struct ForwardRejectionTests {
    static func isLogResponse(_ message: Message) -> Bool {
        if case .logResponse = message.body { return true }
        return false
    }

    @Test("a leader with too many uncommitted entries refuses a follower's proposal, and the follower's client hears of it")
    func tooManyUncommittedReachesTheOrigin() {
        var options = Profiles.plain
        options.uncommittedEntriesMax = 2
        let cluster = SimulatedCluster(nodeCount: 3, options: options)
        #expect(cluster.elect(0))
        cluster.propose(at: 0, request: 1, "one")
        cluster.propose(at: 0, request: 2, "two")
        cluster.drop(where: Self.isLogResponse) // nothing commits: two entries wait
        cluster.propose(at: 1, request: 3, "three")
        cluster.deliverAll(where: { !Self.isLogResponse($0) })
        #expect(cluster.rejections.map(\.node) == [1], "the refusal is told where the client is")
        #expect(cluster.rejections.map(\.request) == [3])
        #expect(cluster.rejections.map(\.reason) == [.tooManyUncommitted])
        #expect(cluster.nodes[1].unconfirmedForwards.isEmpty, "a refused proposal is not forwarded again")
        #expect(cluster.violations.isEmpty, "\(cluster.violations)")
    }

    @Test("without re-forwarding (raft-lite), a proposal buffered on its way keeps its origin: the refusal and the later forward name it")
    func originSurvivesBuffering() {
        var options = Profiles.plain
        options.bufferedProposalsMax = 1
        options.reforwardsOnLeaderChange = false // with it, a node that does not lead drops others' forwards
        var node = RaftNode(id: 1, members: [0, 1, 2], options: options)
        _ = node.step(.restart(.initial))
        let forward = Forward(proposals: [Proposal(request: 7, payload: [], origin: 2), Proposal(request: 8, payload: [], origin: 2)], hops: 1)
        let outputs = node.step(.receive(Message(from: 2, to: 1, term: 0, body: .forward(forward))))
        let refusals = outputs.compactMap { output -> Message? in
            if case .send(let message) = output, case .forwardRejected = message.body { return message } else { return nil }
        }
        #expect(refusals == [Message(from: 1, to: 2, term: 0, body: .forwardRejected(ForwardRejected(rejections: [
            .init(request: 8, reason: .bufferFull)])))])
        #expect(!outputs.contains { if case .rejectProposal = $0 { return true } else { return false } }, "no client of node 1 waits")
        // Node 1 learns that node 0 leads: the buffered proposal goes there, still naming node 2.
        let heartbeat = Message(from: 0, to: 1, term: 1, body: .logRequest(LogRequest(prefixLength: 0, prefixTerm: 0, leaderCommit: 0, suffix: [])))
        let forwarded = node.step(.receive(heartbeat)).compactMap { output -> Forward? in
            if case .send(let message) = output, case .forward(let forward) = message.body { return forward } else { return nil }
        }
        #expect(forwarded.flatMap(\.proposals) == [Proposal(request: 7, payload: [], origin: 2)])
    }

    @Test("with re-forwarding, a node that does not lead drops a forward: the origin keeps the proposal and sends it to the leader it learns of")
    func nonLeaderDropsForwards() {
        var node = RaftNode(id: 1, members: [0, 1, 2], options: Profiles.plain)
        _ = node.step(.restart(.initial))
        let forward = Forward(proposals: [Proposal(request: 7, payload: [], origin: 2)], hops: 1)
        let outputs = node.step(.receive(Message(from: 2, to: 1, term: 0, body: .forward(forward))))
        #expect(!outputs.contains { if case .send = $0 { return true } else { return false } }, "\(outputs)")
        #expect(node.bufferedProposals.isEmpty && node.unconfirmedForwards.isEmpty)
    }

    @Test("a node's own proposals are refused to its own client, with no message")
    func localRefusalStaysLocal() {
        var options = Profiles.plain
        options.uncommittedEntriesMax = 1
        let cluster = SimulatedCluster(nodeCount: 3, options: options)
        #expect(cluster.elect(0))
        cluster.drop(where: { _ in true })
        cluster.propose(at: 0, request: 1, "one")
        let outputs = cluster.step(0, .propose([Proposal(request: 2, payload: [])]))
        #expect(outputs.contains(.rejectProposal(2, .tooManyUncommitted)))
        #expect(!cluster.network.contains { if case .forwardRejected = $0.body { return true } else { return false } })
    }
}
