import Foundation
import LoopbackHTTP
import RaftCore
import RaftRuntime
import TestGate
import Testing

/// The embeddable library as an application uses it: several `Raft` nodes in one process,
/// talking over UNIX sockets, with durable logs.
@Suite("Raft library", .serialized, .exclusive)
struct RaftLibraryTests {
    static func makeDirectory(_ name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("raftlab-lib-\(name)-\(UInt32.random(in: 0 ... .max))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        return path
    }

    static func configs(size: Int, directory: String) -> [RaftConfig] {
        let peers = Dictionary(uniqueKeysWithValues: (0..<size).map { ($0, PeerAddress.unix(path: "\(directory)/n\($0).sock")) })
        return (0..<size).map {
            RaftConfig(peers: peers, self: $0, tuning: NodeTuning(seed: 11), dataDirectory: "\(directory)/data-\($0)")
        }
    }

    @Test("three nodes in one process deliver every node's messages in one order")
    func threeNodesOneOrder() async throws {
        let directory = try Self.makeDirectory("order")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var sessions: [RaftSession] = []
        for config in Self.configs(size: 3, directory: directory) { sessions.append(try await Raft(config: config).run()) }
        for (node, session) in sessions.enumerated() {
            for message in 0..<5 { session.send(Array("n\(node)-m\(message)".utf8)) }
        }
        var orders: [[String]] = []
        for session in sessions {
            var order: [String] = []
            for await message in session.messages {
                order.append(String(decoding: message.bytes, as: UTF8.self))
                if order.count == 15 { break }
            }
            orders.append(order)
        }
        for session in sessions { await session.shutdown() }
        #expect(orders[0].count == 15)
        #expect(Set(orders[0]).count == 15)
        #expect(orders[1] == orders[0] && orders[2] == orders[0])
    }

    @Test("the same cluster over TCP: proposals commit and a restarted node recovers its log")
    func tcpClusterAndRestart() async throws {
        let directory = try Self.makeDirectory("tcp")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ports = try LoopbackPorts.free(3)
        let peers = Dictionary(uniqueKeysWithValues: (0..<3).map { ($0, PeerAddress.tcp(host: "127.0.0.1", port: ports[$0])) })
        let configs = (0..<3).map {
            RaftConfig(peers: peers, self: $0, tuning: NodeTuning(seed: 5), dataDirectory: "\(directory)/data-\($0)")
        }
        var sessions: [RaftSession] = []
        for config in configs { sessions.append(try await Raft(config: config).run()) }
        var indexes: [Int] = []
        for message in 0..<10 { indexes.append(try await sessions[message % 3].propose(Array("tcp-\(message)".utf8), timeout: .seconds(30))) }
        #expect(indexes == indexes.sorted() && Set(indexes).count == 10)

        // Node 2 stops and comes back from its data directory with the log it had.
        let before = try await sessions[2].status()
        await sessions[2].shutdown()
        sessions[2] = try await Raft(config: configs[2]).run()
        #expect(sessions[2].incarnation == 2)
        let after = try await sessions[2].status()
        #expect(after.lastIndex >= before.lastIndex && after.term >= before.term)
        let index = try await sessions[0].propose(Array("after restart".utf8), timeout: .seconds(30))
        #expect(await eventually { ((try? await sessions[2].status())?.commitIndex ?? 0) >= index })
        for session in sessions { await session.shutdown() }
    }

    @Test("a node that cannot bind its address fails to start with the reason, and can start once the address is free")
    func addressInUse() async throws {
        let directory = try Self.makeDirectory("bind")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ports = try LoopbackPorts.free(1)
        let peers: [NodeID: PeerAddress] = [0: .tcp(host: "127.0.0.1", port: ports[0])]
        let config = RaftConfig(peers: peers, self: 0, dataDirectory: directory + "/data")
        let first = try await Raft(config: config).run()
        var other = config
        other.dataDirectory = directory + "/other"
        await #expect(throws: (any Error).self) { _ = try await Raft(config: other).run() }
        await first.shutdown()
        // The failed attempt released its data directory and the address is free again.
        let retry = try await Raft(config: other).run()
        let index = try await retry.propose(Array("alone".utf8), timeout: .seconds(30))
        #expect(index >= 1)
        await retry.shutdown()
    }
}
