import Foundation
import RaftCore
import RaftRuntime
import Synchronization
import TestGate
import Testing

/// A state machine the node applies, snapshots and restores itself (`RaftConfig.stateMachine`):
/// a counter that sums the first byte of every message, and answers each with the sum so far.
final class SummingMachine: StateMachine {
    private let state = Mutex((index: 0, sum: 0, restores: 0))

    func apply(index: Int, entry: Entry) -> [UInt8] {
        state.withLock { state in
            precondition(index == state.index + 1, "applied \(index) after \(state.index)")
            state.index = index
            guard !entry.isProtocolEntry else { return [] }
            state.sum += Int(entry.payload.first ?? 0)
            return Array(String(state.sum).utf8)
        }
    }

    func snapshot() -> [UInt8] {
        state.withLock { state in withUnsafeBytes(of: Int64(state.sum).littleEndian) { Array($0) } }
    }

    func restore(_ snapshot: Snapshot) {
        let sum = snapshot.data.count == 8 ? snapshot.data.withUnsafeBytes { Int(Int64(littleEndian: $0.loadUnaligned(as: Int64.self))) } : 0
        state.withLock { $0 = (snapshot.index, sum, $0.restores + 1) }
    }

    var current: (index: Int, sum: Int, restores: Int) { state.withLock { $0 } }
}

@Suite("State machines and snapshots in the library", .serialized, .exclusive)
struct StateMachineTests {
    static func config(_ id: NodeID, peers: [NodeID: PeerAddress], directory: String, machine: SummingMachine) -> RaftConfig {
        var tuning = NodeTuning(seed: 21)
        tuning.options.entriesKeptAfterSnapshot = 3
        var config = RaftConfig(peers: peers, self: id, tuning: tuning, dataDirectory: "\(directory)/data-\(id)")
        config.deliversMessages = false
        config.stateMachine = machine
        config.snapshotEveryEntries = 10
        return config
    }

    @Test("nodes snapshot their state machines, each proposer gets its machine's reply; a node restarted from disk rebuilds its state from its snapshot and the log after it")
    func restartRebuildsFromTheSnapshot() async throws {
        let directory = try RaftLibraryTests.makeDirectory("machine")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let peers = Dictionary(uniqueKeysWithValues: (0..<3).map { ($0, PeerAddress.unix(path: "\(directory)/n\($0).sock")) })
        let machines = (0..<3).map { _ in SummingMachine() }
        var sessions: [RaftSession] = []
        for id in 0..<3 { sessions.append(try await Raft(config: Self.config(id, peers: peers, directory: directory, machine: machines[id])).run()) }
        var expected = 0
        for value in 1...45 {
            let committed = try await sessions[value % 3].call([UInt8(value)], timeout: .seconds(20))
            expected += value
            // The proposing node's machine answered with the sum through this entry.
            #expect(String(decoding: committed.reply, as: UTF8.self) == String(expected))
        }
        let deadline = ContinuousClock.now + .seconds(30)
        while machines.contains(where: { $0.current.sum != expected }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(machines.allSatisfy { $0.current.sum == expected }, "\(machines.map(\.current))")
        let status = try await sessions[0].status()
        #expect(status.commitIndex >= 45)
        let snapshotBytes = try FileManager.default.attributesOfItem(atPath: "\(directory)/data-0/snapshot")[.size] as? Int
        #expect(snapshotBytes == 64, "a 52-byte header (with the configuration), 8 bytes of state, a 4-byte CRC")

        // Node 0 restarts with a fresh machine: its snapshot, then the entries after it.
        await sessions[0].shutdown()
        let fresh = SummingMachine()
        sessions[0] = try await Raft(config: Self.config(0, peers: peers, directory: directory, machine: fresh)).run()
        #expect(fresh.current.restores == 1, "restored from its snapshot")
        #expect(fresh.current.sum == expected && fresh.current.index >= 45)
        for session in sessions { await session.shutdown() }
    }

    @Test("a state machine without snapshots, snapshots without a state machine, or one beside the message stream are refused at run()")
    func invalidConfigurationsAreRefused() async throws {
        let peers: [NodeID: PeerAddress] = [0: .unix(path: "/tmp/raftlab-unused-\(UInt32.random(in: 0 ... .max)).sock")]
        var withoutMachine = RaftConfig(peers: peers, self: 0, dataDirectory: nil)
        withoutMachine.snapshotEveryEntries = 10
        await #expect(throws: RaftConfigError.snapshotsWithoutStateMachine(every: 10)) { _ = try await Raft(config: withoutMachine).run() }
        var withMessages = RaftConfig(peers: peers, self: 0, dataDirectory: nil)
        withMessages.stateMachine = SummingMachine()
        await #expect(throws: RaftConfigError.stateMachineWithMessages) { _ = try await Raft(config: withMessages).run() }
        #expect("\(RaftConfigError.stateMachineWithMessages)".contains("deliversMessages"))
    }
}
