import Foundation
import NIOConcurrencyHelpers
import NIOPosix
import RaftCore
import RaftRuntime
import TestGate
import Testing

/// What a restarted node hands its application again, by `RaftConfig.appliedIndex`: an
/// in-memory application rebuilds its state from every committed message, a durable one
/// gets exactly what it had not applied, and a crash between the commit and the delivery
/// loses nothing.
@Suite("Delivery across restarts", .serialized, .exclusive)
struct RestartDeliveryTests {
    /// Reads a session's messages into an array until the stream ends (at `shutdown`).
    final class Reader: Sendable {
        private let received = NIOLockedValueBox<[DeliveredMessage]>([])
        private let task: Task<Void, Never>

        init(_ session: RaftSession) {
            let received = self.received
            task = Task { for await message in session.messages { received.withLockedValue { $0.append(message) } } }
        }

        var messages: [DeliveredMessage] { received.withLockedValue { $0 } }

        /// Waits for the stream to end; the messages are then final.
        func finished() async -> [DeliveredMessage] {
            await task.value
            return messages
        }
    }

    /// Node 2 of three hears five messages, stops, and runs again from its data directory with
    /// `appliedIndex(first)`; then one more message commits. Returns what node 2 got in each
    /// run and the last message's index.
    static func restartNode2(_ name: String, appliedIndex: ([DeliveredMessage]) -> Int?) async throws
        -> (first: [DeliveredMessage], second: [DeliveredMessage], last: Int) {
        let directory = try RaftLibraryTests.makeDirectory(name)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configs = RaftLibraryTests.configs(size: 3, directory: directory)
        var sessions: [RaftSession] = []
        for config in configs { sessions.append(try await Raft(config: config).run()) }
        do {
            let firstRun = Reader(sessions[2])
            for message in 0..<5 { _ = try await sessions[message % 2].propose(Array("m\(message)".utf8), timeout: .seconds(30)) }
            #expect(await eventually { firstRun.messages.count == 5 })
            await sessions[2].shutdown()
            let first = await firstRun.finished()

            configs[2].appliedIndex = appliedIndex(first)
            sessions[2] = try await Raft(config: configs[2]).run()
            let secondRun = Reader(sessions[2])
            let last = try await sessions[0].propose(Array("after restart".utf8), timeout: .seconds(30))
            #expect(await eventually { secondRun.messages.contains { $0.index == last } })
            for session in sessions { await session.shutdown() }
            return (first, await secondRun.finished(), last)
        } catch {
            for session in sessions { await session.shutdown() }
            throw error
        }
    }

    @Test("with appliedIndex nil a restarted node delivers every committed message again from the start, in order, once")
    func inMemoryApplicationGetsEverythingAgain() async throws {
        let (first, second, last) = try await Self.restartNode2("replay-all") { _ in nil }
        #expect(first.map(\.bytes) == (0..<5).map { Array("m\($0)".utf8) })
        #expect(first.allSatisfy { !$0.isReplay })
        #expect(second.map(\.index) == first.map(\.index) + [last], "every committed message once, in log order, then the new one")
        #expect(second.prefix(5).map(\.bytes) == first.map(\.bytes))
        #expect(second.map(\.isReplay) == [true, true, true, true, true, false])
    }

    @Test("with appliedIndex N a restarted node delivers exactly the committed messages after N")
    func durableApplicationGetsOnlyWhatItLacks() async throws {
        var applied = 0
        let (first, second, last) = try await Self.restartNode2("replay-after") { first in
            applied = first[2].index // the application persisted its state through the third message
            return applied
        }
        #expect(second.allSatisfy { $0.index > applied }, "nothing at or below \(applied) again")
        #expect(second.map(\.index) == first.filter { $0.index > applied }.map(\.index) + [last])
        #expect(second.map(\.bytes) == [Array("m3".utf8), Array("m4".utf8), Array("after restart".utf8)])
    }

    /// An application that applies entries one by one and records how far it got (its
    /// durable applied index); it "crashes" at one request and then hears nothing.
    final class Application: Sendable {
        private struct State {
            var applied: [(index: Int, request: RequestID)] = []
            var crashed = false
        }
        private let state = NIOLockedValueBox(State())

        /// Applies `entry`, unless the application has crashed (at `crashRequest` or before);
        /// returns whether it did.
        func apply(_ index: Int, _ entry: Entry, crashAt crashRequest: RequestID?) -> Bool {
            state.withLockedValue {
                if !entry.isProtocolEntry, entry.request == crashRequest { $0.crashed = true }
                guard !$0.crashed else { return false }
                $0.applied.append((index, entry.request))
                return true
            }
        }

        /// Starts again from what it applied.
        func restart() { state.withLockedValue { $0.crashed = false } }

        var crashed: Bool { state.withLockedValue { $0.crashed } }
        var appliedIndex: Int { state.withLockedValue { $0.applied.last?.index ?? 0 } }
        var indexes: [Int] { state.withLockedValue { $0.applied.map(\.index) } }
        var requests: [RequestID] { state.withLockedValue { $0.applied.map(\.request).filter { $0 != 0 } } }
    }

    /// A one-node cluster on one event loop whose in-memory storage outlives its hosts.
    final class SingleNode: @unchecked Sendable {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let network = InProcessNetwork()
        let storage = InMemoryStorage()
        let application = Application()
        private(set) var host: NodeHost?

        /// A new incarnation that hands its deliveries to `application`, abandoned (a crash) at
        /// the delivery of `crashRequest`.
        func start(crashAt crashRequest: RequestID?, appliedIndex: Int?) async throws {
            let host = NodeHost(id: 0, members: [0], tuning: NodeTuning(timing: try ElectionTiming(electionTimeoutMs: 150...300, heartbeatIntervalMs: 30), seed: 3),
                                storage: storage.reopen(), trace: nil, eventLoop: group.next())
            let application = self.application
            application.restart()
            host.onDeliver = { [unowned host] index, entry, _ in
                // The crash: the commit record is durable, the application never sees the entry.
                if !application.apply(index, entry, crashAt: crashRequest) { host.abandon() }
            }
            let network = self.network
            try await host.eventLoop.submit { host.start(transport: network.attach(host), appliedIndex: appliedIndex) }.get()
            self.host = host
        }

        func onLoop<T: Sendable>(_ body: @escaping @Sendable (NodeHost, InMemoryStorage) -> T) async throws -> T {
            let host = self.host!, storage = self.storage
            return try await host.eventLoop.submit { body(host, storage) }.get()
        }

        func close() {
            if let host { try? host.eventLoop.submit { host.stop() }.wait() }
            try? group.syncShutdownGracefully()
        }
    }

    @Test("an entry whose commit was durable but never reached the application is delivered after the restart")
    func crashBetweenCommitAndDeliveryLosesNothing() async throws {
        let node = SingleNode()
        defer { node.close() }
        try await node.start(crashAt: 3, appliedIndex: nil)
        #expect(try await eventually { try await node.onLoop { host, _ in host.node.role == .leader } })
        // One input: the five entries are appended, committed and delivered together.
        let proposals = (1...5 as ClosedRange<RequestID>).map { Proposal(request: $0, payload: [UInt8($0)]) }
        try await node.onLoop { host, _ in host.submit(.propose(proposals)) }
        #expect(await eventually { node.application.crashed })
        let durable = try await node.onLoop { _, storage in storage.state }
        let lastIndex = try #require(durable.entries.lastIndex { $0.request == 5 }) + 1
        #expect(durable.commitIndex >= lastIndex, "all five committed durably")
        #expect(node.application.requests == [1, 2], "the application crashed at request 3")

        try await node.start(crashAt: nil, appliedIndex: node.application.appliedIndex)
        #expect(node.application.requests == [1, 2, 3, 4, 5], "delivered as the restart begins")
        let indexes = node.application.indexes
        #expect(indexes == Array(1...indexes.count), "every index applied once, in order, across both runs")
    }

    @Test("run() refuses an applied index it cannot honour, naming the field and the numbers")
    func badAppliedIndexesAreRefused() async throws {
        let directory = try RaftLibraryTests.makeDirectory("applied-bad")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var config = RaftConfig(peers: [0: .unix(path: "\(directory)/n0.sock")], self: 0, dataDirectory: "\(directory)/data")
        let session = try await Raft(config: config).run()
        _ = try await session.propose(Array("one".utf8), timeout: .seconds(30))
        let commitIndex = try await session.status().commitIndex
        await session.shutdown()

        config.appliedIndex = commitIndex + 5
        let above = RaftConfigError.appliedIndexAboveCommitIndex(appliedIndex: commitIndex + 5, durableCommitIndex: commitIndex)
        await #expect(throws: above) { _ = try await Raft(config: config).run() }
        #expect(above.description == "RaftConfig.appliedIndex \(commitIndex + 5) is above the durable commit index \(commitIndex) this node restarts with")
        config.appliedIndex = -1
        await #expect(throws: RaftConfigError.appliedIndexNegative(-1)) { _ = try await Raft(config: config).run() }
        config.appliedIndex = 1
        config.deliversMessages = false
        await #expect(throws: RaftConfigError.appliedIndexWithoutDeliveries(appliedIndex: 1)) { _ = try await Raft(config: config).run() }

        // Each refusal released the data directory: the right index runs.
        config.deliversMessages = true
        config.appliedIndex = commitIndex
        let again = try await Raft(config: config).run()
        #expect(try await again.status().commitIndex == commitIndex)
        await again.shutdown()
    }
}
