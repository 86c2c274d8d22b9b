import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RaftCore
@testable import RaftRuntime
import TestGate
import Testing

/// Several node hosts in one process on real event loops and real timers, messages passed
/// between loops: the host's batching, timers and ordering without sockets or disks.
@Suite("Node hosts in one process", .exclusive)
struct InProcessHostTests {
    final class Cluster: @unchecked Sendable {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let network = InProcessNetwork()
        var hosts: [NodeHost] = []
        var storages: [InMemoryStorage] = []
        let members: [NodeID]
        let tuning: NodeTuning
        let delivered = Delivered()

        final class Delivered: @unchecked Sendable {
            private let lock = NIOLock()
            private var byNode: [NodeID: [Entry]] = [:]
            func append(_ entry: Entry, node: NodeID, index: Int) {
                lock.withLock {
                    precondition(index == (byNode[node]?.count ?? 0) + 1, "node \(node) delivered \(index) out of order")
                    byNode[node, default: []].append(entry)
                }
            }
            func entries(_ node: NodeID) -> [Entry] { lock.withLock { byNode[node] ?? [] } }
        }

        init(size: Int, tuning: NodeTuning = NodeTuning(timing: try! ElectionTiming(electionTimeoutMs: 150...300, heartbeatIntervalMs: 30), seed: 7)) {
            members = Array(0..<size)
            self.tuning = tuning
            storages = members.map { _ in InMemoryStorage() }
            for id in members { hosts.append(makeHost(id)) }
            for id in members { start(id) }
        }

        func makeHost(_ id: NodeID) -> NodeHost {
            let host = NodeHost(id: id, members: members, tuning: tuning, storage: storages[id].reopen(),
                                trace: nil, eventLoop: group.next())
            host.onDeliver = { [delivered] index, entry, _ in delivered.append(entry, node: id, index: index) }
            return host
        }

        func start(_ id: NodeID) {
            let host = hosts[id]
            let transport = network.attach(host)
            try! host.eventLoop.submit { host.start(transport: transport) }.wait()
        }

        func onLoop<T: Sendable>(_ id: NodeID, _ body: @escaping @Sendable (NodeHost) -> T) async throws -> T {
            let host = hosts[id]
            return try await host.eventLoop.submit { body(host) }.get()
        }

        func leader() async throws -> NodeID? {
            for id in members where try await onLoop(id, { $0.node.role == .leader }) { return id }
            return nil
        }

        func shutdown() {
            for host in hosts { try? host.eventLoop.submit { host.stop() }.wait() }
            try? group.syncShutdownGracefully()
        }
    }

    @Test("three hosts elect a leader on their own timers and deliver the same entries in the same order")
    func electAndReplicate() async throws {
        let cluster = Cluster(size: 3)
        defer { cluster.shutdown() }
        #expect(try await eventually { try await cluster.leader() != nil })
        let leader = try #require(try await cluster.leader())
        for request in 1...50 as ClosedRange<RequestID> {
            let target = Int(request) % 3 // proposals at followers are forwarded
            cluster.hosts[target].submitFromAnyThread(.propose([Proposal(request: request, payload: Array("p\(request)".utf8))]))
        }
        #expect(try await eventually { cluster.members.allSatisfy { cluster.delivered.entries($0).filter { !$0.isProtocolEntry }.count == 50 } })
        let reference = cluster.delivered.entries(leader)
        for id in cluster.members { #expect(cluster.delivered.entries(id) == reference) }
    }

    @Test("client proposals arriving in one batch leave the leader as one log request per follower")
    func proposalsInOneBatchAreReplicatedTogether() async throws {
        let cluster = Cluster(size: 3)
        defer { cluster.shutdown() }
        #expect(try await eventually { try await cluster.leader() != nil })
        let leader = try #require(try await cluster.leader())
        let summaries = NIOLockedValueBox<[NodeHost.BatchSummary]>([])
        let lastBefore = try await cluster.onLoop(leader) { host in
            let lastIndex = host.node.log.lastIndex
            host.onBatch = { summary in summaries.withLockedValue { $0.append(summary) } }
            // Twenty client messages handled in one go, as a busy loop reads them.
            for request in 1...20 as ClosedRange<RequestID> {
                host.submit(.propose([Proposal(request: request, payload: [UInt8(request)])]))
            }
            return lastIndex
        }
        #expect(try await eventually { cluster.members.allSatisfy { cluster.delivered.entries($0).contains { $0.request == 20 } } })
        let proposing = try #require(summaries.withLockedValue { $0.first })
        // A peer's message or a timer may share the batch; without coalescing it would hold
        // at least 20 inputs and send at least 40 log requests.
        #expect(proposing.inputs <= 4, "the twenty proposals became one input")
        #expect(proposing.messagesSent <= 6, "one log request to each follower (plus what a shared input sends)")
        let appended = cluster.delivered.entries(leader).dropFirst(lastBefore).prefix(20).map(\.request)
        #expect(appended == Array(1...20), "in the order they arrived")
    }

    @Test("coalescing keeps every other input in place and the proposals in arrival order")
    func coalescingKeepsOrder() {
        let proposal = { (request: RequestID) in Proposal(request: request, payload: [UInt8(request)]) }
        let inputs: [Input] = [.heartbeatTimeout, .propose([proposal(1)]), .electionTimeout, .propose([proposal(2), proposal(3)]),
                               .heartbeatTimeout, .propose([proposal(4)])]
        let joined = NodeHost.coalescingProposals(inputs)
        #expect(joined.count == 4)
        guard joined.count == 4, case .heartbeatTimeout = joined[0], case .propose(let proposals) = joined[1],
              case .electionTimeout = joined[2], case .heartbeatTimeout = joined[3] else {
            Issue.record("unexpected shape: \(joined)")
            return
        }
        #expect(proposals.map(\.request) == [1, 2, 3, 4])
        let single: [Input] = [.electionTimeout, .propose([proposal(9)])]
        #expect(NodeHost.coalescingProposals(single).count == 2)
    }

    @Test("after the leader stops, the others elect a new one and keep committing")
    func leaderFailover() async throws {
        let cluster = Cluster(size: 3)
        defer { cluster.shutdown() }
        #expect(try await eventually { try await cluster.leader() != nil })
        let old = try #require(try await cluster.leader())
        try await cluster.onLoop(old) { $0.abandon() }
        cluster.network.detach(old)
        let survivors = cluster.members.filter { $0 != old }
        #expect(try await eventually {
            for id in survivors where try await cluster.onLoop(id, { $0.node.role == .leader }) { return true }
            return false
        })
        cluster.hosts[survivors[0]].submitFromAnyThread(.propose([Proposal(request: 99, payload: [9])]))
        #expect(try await eventually { survivors.allSatisfy { cluster.delivered.entries($0).contains { $0.request == 99 } } })
    }
}
