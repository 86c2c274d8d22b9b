import Foundation
import LoopbackHTTP
import RaftCore
import RaftFuzz
import RaftRuntime
import TestGate
import Testing

/// A live cluster with a hostile peer: a million mutated frames (`FrameMutator`, seeded) on
/// a connection that says hello as one of the node's peers. Set RAFTLAB_FUZZ_SEED to replay
/// another sequence and RAFTLAB_HOSTILE_FRAMES to send another number of frames.
@Suite("Hostile peers", .serialized, .exclusive)
struct HostilePeerTests {
    static let environment = ProcessInfo.processInfo.environment
    static let seed = environment["RAFTLAB_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x5EED_0F_FA11
    static let frameCount = environment["RAFTLAB_HOSTILE_FRAMES"].flatMap { Int($0) } ?? 1_000_000
    /// Mutated messages per write (raw-byte frames go alone, on a fresh connection).
    static let framesPerWrite = 256

    /// Proposes `text` at `session` until it commits, for up to `timeout`; returns its index.
    static func commit(_ text: String, at session: RaftSession, timeout: Duration = .seconds(90)) async -> Int? {
        var index: Int?
        _ = await eventually(timeout: timeout) {
            index = try? await session.propose(Array(text.utf8), timeout: .seconds(3))
            return index != nil
        }
        return index
    }

    @Test("a million mutated frames from a peer: the node stays up, counts what it drops, and the cluster commits",
          .exclusive(timeLimit: .seconds(900)))
    func millionMutatedFrames() async throws {
        let directory = try RaftLibraryTests.makeDirectory("hostile")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configs = RaftLibraryTests.configs(size: 3, directory: directory)
        for index in configs.indices { configs[index].metricsPort = 0 }
        var sessions: [RaftSession] = []
        for config in configs { sessions.append(try await Raft(config: config).run()) }
        do {
            try await attack(sessions, configs: configs)
        } catch {
            for session in sessions { await session.shutdown() }
            throw error
        }
        for session in sessions { await session.shutdown() }
    }

    private func attack(_ sessions: [RaftSession], configs: [RaftConfig]) async throws {
        let first = await Self.commit("before", at: sessions[0])
        try #require(first != nil, "the cluster commits before the attack")
        let target = try await sessions[0].status().leader ?? 0
        guard case .unix(let path) = configs[target].peers[target]! else { throw HostilePeer.Failure(description: "not a UNIX socket") }
        let corpus = HostileCorpus.messages()
        let (seed, frameCount, framesPerWrite) = (Self.seed, Self.frameCount, Self.framesPerWrite)
        // Blocking sends on a thread of their own, so the test's tasks keep running.
        let sent = try await Task.detached { () throws -> (frames: Int, raw: Int, connections: Int) in
            let peer = HostilePeer(path: path, claimedPeer: (target + 1) % 3)
            var mutator = FrameMutator(corpus: corpus, seed: seed)
            var pending: [WireFrame] = []
            var raw = 0
            for _ in 0..<frameCount {
                switch mutator.next(from: peer.claimedPeer, to: target) {
                case .message(let message):
                    pending.append(.raft(message))
                    if pending.count == framesPerWrite {
                        try peer.send(HostilePeer.encode(pending))
                        pending = []
                    }
                case .bytes(let bytes):
                    if !pending.isEmpty { try peer.send(HostilePeer.encode(pending)) }
                    pending = []
                    try peer.send(bytes)
                    peer.reset()
                    raw += 1
                }
            }
            if !pending.isEmpty { try peer.send(HostilePeer.encode(pending)) }
            return (frameCount, raw, peer.connections)
        }.value
        #expect(sent.raw > frameCount / 200, "some frames were raw bytes: \(sent)")

        // The node attacked is up and answers; it counted the messages it dropped.
        let status = try await sessions[target].status()
        #expect(status.id == target)
        let port = try #require(sessions[target].metricsServer).port
        let metrics = try LoopbackHTTPClient(port: port).get("/metrics").text
        let dropped = metrics.split(separator: "\n")
            .filter { $0.hasPrefix("raft_invalid_messages_total{") }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
            .reduce(0, +)
        #expect(dropped > 1000, "the node counted the invalid messages it dropped (\(Int(dropped)))")

        // The cluster commits afterwards: a proposal at each other node, delivered by a majority.
        var committed = 0
        for node in sessions.indices where node != target {
            if await Self.commit("after-\(node)", at: sessions[node]) != nil { committed += 1 }
        }
        #expect(committed == sessions.count - 1, "every node but the one attacked got a proposal committed after the attack")
    }
}
