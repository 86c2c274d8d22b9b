import Foundation
import NIOCore
import NIOPosix
import RaftCore
import RaftRuntime
import Testing
@testable import RaftLab

/// What a client may claim about a request: a request that reached a node and got no answer
/// may still commit, so the history must say "unknown", never "failed".
@Suite("Client outcomes")
struct ClientOutcomeTests {
    @Test("a node that takes a proposal and goes away leaves its outcome unknown; one that cannot be reached fails it")
    func lostConnectionIsUnknown() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("raftlab-outcome-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/node.sock"
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        // A "node" that reads the first bytes of a connection and closes it, answering nothing.
        let server = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in channel.pipeline.addHandler(CloseOnFirstRead()) }
            .bind(unixDomainSocketPath: path).get()
        let loop = group.next()
        let reply = try await Self.propose(request: 7, payload: [1, 2, 3], to: path, on: loop)
        guard case .lost = reply else { Issue.record("expected an unknown outcome, got \(reply)"); return }

        try await server.close()
        let refused = try await Self.propose(request: 8, payload: [1], to: directory + "/nobody.sock", on: loop)
        guard case .unreachable = refused else { Issue.record("expected a failure to connect, got \(refused)"); return }
        try await group.shutdownGracefully()
    }
}

extension ClientOutcomeTests {
    /// Proposes `payload` as `request` to the node listening for clients at `path`; returns how it ended.
    static func propose(request: UInt64, payload: [UInt8], to path: String, on loop: any EventLoop) async throws
        -> NodeClientConnection.Reply {
        try await loop.submit {
            let connection = NodeClientConnection(node: 0, address: .unix(path: path), eventLoop: loop)
            let promise = loop.makePromise(of: NodeClientConnection.Reply.self)
            connection.propose(request: request, payload: payload) { promise.succeed($0) }
            return promise.futureResult
        }.flatMap { $0 }.get()
    }
}

extension NodeClientConnection.Reply {
    var isCommitted: Bool { if case .committed = self { return true } else { return false } }
}

/// Answers every entry with "applied <index>".
private final class AnsweringMachine: StateMachine {
    func apply(index: Int, entry: Entry) -> [UInt8] { entry.isProtocolEntry ? [] : Array("applied \(index)".utf8) }
    func snapshot() -> [UInt8] { [] }
    func restore(_ snapshot: Snapshot) {}
}

extension ClientOutcomeTests {
    @Test("a node whose state machine replies sends the reply with the commit (the `answered` frame)")
    func stateMachineReplyReachesTheClient() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("raftlab-reply-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var config = RaftConfig(peers: [0: .unix(path: directory + "/peer.sock")], self: 0, dataDirectory: directory + "/data",
                                clientAddress: .unix(path: directory + "/client.sock"))
        config.deliversMessages = false
        config.stateMachine = AnsweringMachine()
        config.snapshotEveryEntries = 1_000
        let session = try await Raft(config: config).run()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let deadline = ContinuousClock.now + .seconds(30)
        var reply: NodeClientConnection.Reply
        var request: UInt64 = 100
        // The single node leads once its term is durable; a proposal refused before that is retried.
        repeat {
            request += 1
            reply = try await Self.propose(request: request, payload: [1], to: directory + "/client.sock", on: loop)
        } while !reply.isCommitted && ContinuousClock.now < deadline
        guard case .committed(let index, let bytes) = reply else { Issue.record("no commit: \(reply)"); return }
        #expect(String(decoding: bytes, as: UTF8.self) == "applied \(index)")
        await session.shutdown()
        try await group.shutdownGracefully()
    }
}

/// Closes the connection as soon as anything arrives.
private final class CloseOnFirstRead: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.close(promise: nil)
    }
}
