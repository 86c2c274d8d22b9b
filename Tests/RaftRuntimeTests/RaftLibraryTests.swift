import Foundation
import RaftCore
import RaftRuntime
import Testing

/// The embeddable library as an application uses it: several `Raft` nodes in one process,
/// talking over UNIX sockets, with durable logs.
@Suite("Raft library", .serialized)
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
            RaftConfig(peers: peers, self: $0, params: RaftParams(seed: 11), dataDirectory: "\(directory)/data-\($0)")
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
}
