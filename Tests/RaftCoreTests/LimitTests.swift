import RaftCore
import RaftSim
import Testing

@Suite("Limits and bad proposals")
struct LimitTests {
    @Test("invalid ids and oversized payloads are rejected with a reason")
    func invalidProposalsRejected() {
        let cluster = SimulatedCluster(nodeCount: 3, options: .standard)
        cluster.elect(0)
        cluster.propose(at: 0, request: 0, "reserved id")
        cluster.propose(at: 0, request: 1, payload: Array(repeating: 0, count: RaftLimits.proposalPayloadBytesMax + 1))
        #expect(cluster.rejections.map(\.reason) == [.invalidRequestID, .payloadTooLarge(bytes: RaftLimits.proposalPayloadBytesMax + 1)])
        #expect(cluster.nodes[0].log.lastIndex == 1, "only the leader's no-op")
    }

    @Test("a node without a leader buffers up to its bound and rejects the rest clearly")
    func bufferBound() {
        var options = ProtocolOptions.standard
        options.bufferedProposalsMax = 3
        let cluster = SimulatedCluster(nodeCount: 3, options: options)
        for request in 1...5 as ClosedRange<RequestID> { cluster.propose(at: 1, request: request, "p\(request)") }
        #expect(cluster.nodes[1].bufferedProposals.map(\.request) == [1, 2, 3])
        #expect(cluster.rejections.map(\.request) == [4, 5])
        #expect(cluster.rejections.allSatisfy { $0.reason == .bufferFull })
    }

    @Test("a leader refuses proposals beyond its uncommitted-entries bound")
    func uncommittedBound() {
        var options = ProtocolOptions.standard
        options.uncommittedEntriesMax = 4
        let cluster = SimulatedCluster(nodeCount: 3, options: options)
        cluster.elect(0)
        cluster.settle() // the no-op commits
        cluster.isolate(0)
        for request in 1...6 as ClosedRange<RequestID> { cluster.propose(at: 0, request: request, "u\(request)") }
        #expect(cluster.rejections.map(\.request) == [5, 6])
        #expect(cluster.rejections.allSatisfy { $0.reason == .tooManyUncommitted })
    }

    @Test("a log request carries at most entriesPerAppendMax entries; the rest follows")
    func appendBatchBound() {
        var options = ProtocolOptions.standard
        options.entriesPerAppendMax = 4
        let cluster = SimulatedCluster(nodeCount: 3, options: options)
        cluster.elect(0)
        cluster.isolate(2)
        cluster.step(0, .propose((1...10).map { Proposal(request: RequestID($0), payload: [UInt8($0)]) }))
        for message in cluster.network {
            if case .logRequest(let request) = message.body { #expect(request.suffix.count <= 4) }
        }
        cluster.heal()
        cluster.settle(rounds: 5)
        #expect(cluster.nodes[2].log == cluster.nodes[0].log && cluster.nodes[2].commitIndex == 11)
    }
}

@Suite("Forward size")
struct ForwardSizeTests {
    @Test("forwarded proposals travel in messages of bounded payload bytes, in order")
    func forwardsAreSplit() {
        var options = ProtocolOptions.standard
        options.appendPayloadBytesMax = 1000
        let cluster = SimulatedCluster(nodeCount: 3, options: options)
        cluster.elect(0)
        let proposals = (1...10).map { Proposal(request: RequestID($0), payload: Array(repeating: UInt8($0), count: 400)) }
        cluster.step(2, .propose(proposals))
        let forwards = cluster.network.compactMap { message -> Forward? in
            if case .forward(let forward) = message.body { return forward } else { return nil }
        }
        #expect(forwards.count == 5)
        #expect(forwards.allSatisfy { $0.proposals.reduce(0) { $0 + $1.payload.count } <= 1000 })
        #expect(forwards.flatMap(\.proposals) == proposals.map { Proposal(request: $0.request, payload: $0.payload, origin: 2) })
        cluster.settle()
        #expect(cluster.delivered[2].filter { !$0.isProtocolEntry }.map(\.request) == (1...10).map { RequestID($0) })
    }
}
