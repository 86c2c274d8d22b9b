import Foundation
import LoopbackHTTP
import RaftCore
import RaftRuntime
import TestGate
import Testing

/// A peer that accepts a connection and never reads (a paused process, an overloaded host)
/// costs its leader a bounded amount of memory: the leader probes it with one request with
/// entries and then empty heartbeats, and stops writing when the connection's buffer is full.
/// Before, a probing follower got a full log request on every heartbeat and the leader
/// buffered all of it (about 50 MiB in a minute under the lab's load, 20 MiB/s with large
/// entries).
@Suite("Stalled peers", .serialized, .exclusive)
struct StalledPeerTests {
    @Test("a leader holds at most about a megabyte for a peer that never reads")
    func bufferForAStalledPeerIsBounded() async throws {
        let directory = try RaftLibraryTests.makeDirectory("stalled")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let stalled = try PeerGreetingTests.RawPeer(path: "\(directory)/n2.sock", reads: false)
        defer { stalled.close() }
        let peers: [NodeID: PeerAddress] = [0: .unix(path: "\(directory)/n0.sock"), 1: .unix(path: "\(directory)/n1.sock"),
                                            2: .unix(path: stalled.path)]
        var sessions: [RaftSession] = []
        for id in 0..<2 {
            var config = RaftConfig(peers: peers, self: id, tuning: NodeTuning(seed: 3), dataDirectory: "\(directory)/data-\(id)")
            config.metricsPort = 0
            sessions.append(try await Raft(config: config).run())
        }
        _ = try await sessions[0].propose(Array("first".utf8), timeout: .seconds(30))
        let leader = try #require(try await sessions[0].status().leader)
        let session = sessions[leader]
        // 40 MiB of entries, 8 KiB each, while node 2 reads nothing.
        let payload = [UInt8](repeating: 7, count: 8 << 10)
        var peakBuffered = 0.0
        let port = try #require(session.metricsServer).port
        func buffered() throws -> Double {
            let text = try LoopbackHTTPClient(port: port).get("/metrics").text
            let prefix = "raft_peer_buffered_bytes{peer=\"2\"} "
            return text.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Double($0.dropFirst(prefix.count)) } ?? 0
        }
        var committed = 0
        for round in 0..<40 {
            committed += await withTaskGroup(of: Int.self) { group in
                for number in 0..<128 {
                    group.addTask { (try? await session.propose(payload + Array("\(round)-\(number)".utf8), timeout: .seconds(30))) != nil ? 1 : 0 }
                }
                return await group.reduce(0, +)
            }
            peakBuffered = max(peakBuffered, try buffered())
        }
        #expect(committed == 40 * 128)
        // Heartbeats go on: 3 s more (60 heartbeats, each a full probe of up to 1 MiB before).
        for _ in 0..<30 {
            try await Task.sleep(for: .milliseconds(100))
            peakBuffered = max(peakBuffered, try buffered())
        }
        for session in sessions { await session.shutdown() }
        #expect(peakBuffered <= Double(4 * RuntimeLimits.bytesBufferedPerPeerMax),
                "the leader held at most \(Int(peakBuffered / 1024)) KiB for a peer that reads nothing")
    }
}
