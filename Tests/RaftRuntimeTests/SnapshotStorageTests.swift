import Foundation
import RaftCore
@testable import RaftRuntime
import TestGate
import Testing

/// The snapshot file and the `compact` record: what a node writes when it takes or installs a
/// snapshot comes back on reopen, and a torn or corrupt snapshot is never loaded.
@Suite(.exclusive) struct SnapshotStorageTests {
    /// A log of 30 committed entries whose first 20 went into a snapshot (the last 10 stay).
    private func compactedLog(_ directory: String) throws -> (state: PersistentState, snapshot: Snapshot) {
        let entries = sampleEntries(count: 30, term: 3, firstRequest: 1, seed: 7)
        let snapshot = Snapshot(index: 25, term: 3, configuration: Configuration(voters: [0, 1, 2]), data: Array("state through 25".utf8))
        let log = try DurableLog.open(directory: directory, fsync: true)
        try log.write([.hardState(term: 3, votedFor: 1), .append(firstIndex: 1, entries: entries), .commit(index: 30)])
        try log.write([.snapshot(snapshot), .compact(through: 20, term: 3)])
        let state = log.state
        #expect(state.compactedIndex == 20 && state.entries.count == 10 && state.snapshot == snapshot)
        #expect(log.snapshotWriteCount == 1)
        log.close()
        return (state, snapshot)
    }

    @Test("a snapshot and the compaction it allows survive a reopen")
    func snapshotSurvivesReopen() throws {
        let temporary = TemporaryDirectory("snapshot")
        let (state, snapshot) = try compactedLog(temporary.path)
        let reopened = try DurableLog.open(directory: temporary.path, fsync: true)
        #expect(reopened.state == state)
        #expect(reopened.state.snapshot == snapshot)
        #expect(reopened.state.lastIndex == 30)
        // A node restarting from it holds the same log.
        var node = RaftNode(id: 1, members: [0, 1, 2], options: .standard)
        _ = node.step(.restart(reopened.state))
        #expect(node.log.compactedIndex == 20 && node.log.lastIndex == 30 && node.snapshot == snapshot && node.commitIndex == 30)
    }

    @Test("rewriting the log keeps the compaction: the entries the snapshot covers are not written again")
    func rewriteKeepsTheCompaction() throws {
        let temporary = TemporaryDirectory("snapshot-rewrite")
        let (state, _) = try compactedLog(temporary.path)
        do {
            let log = try DurableLog.open(directory: temporary.path, fsync: true)
            let before = log.fileBytes
            try log.compact(to: log.state)
            #expect(log.fileBytes < before)
            log.close()
        }
        let reopened = try DurableLog.open(directory: temporary.path, fsync: true)
        var expected = state
        expected.incarnation = reopened.state.incarnation
        #expect(reopened.state == expected)
    }

    @Test("a snapshot file with a flipped byte, a cut tail or a wrong magic is refused at open, naming the file",
          arguments: ["flip", "cut", "magic"])
    func corruptSnapshotIsRefused(damage: String) throws {
        let temporary = TemporaryDirectory("snapshot-corrupt")
        _ = try compactedLog(temporary.path)
        let path = temporary.child("snapshot")
        var bytes = try FileBytes.read(path)
        switch damage {
        case "flip": bytes[40] ^= 0x01
        case "cut": bytes.removeLast(3)
        default: bytes[0] = UInt8(ascii: "X")
        }
        try FileBytes.write(bytes, to: path)
        let error = #expect(throws: StorageError.self) { try DurableLog.open(directory: temporary.path, fsync: true) }
        let message = error.map { "\($0)" } ?? ""
        #expect(message.contains(path) && message.contains("bad snapshot"), "\(message)")
        #expect(!message.contains("\n"))
    }

    @Test("a leftover snapshot.tmp (a write a crash cut short) is removed and the snapshot before it stays")
    func leftoverTemporaryIsRemoved() throws {
        let temporary = TemporaryDirectory("snapshot-tmp")
        let (state, _) = try compactedLog(temporary.path)
        try FileBytes.write(Array("torn".utf8), to: temporary.child("snapshot.tmp"))
        let reopened = try DurableLog.open(directory: temporary.path, fsync: true)
        #expect(reopened.state.snapshot == state.snapshot)
        #expect(!FileManager.default.fileExists(atPath: temporary.child("snapshot.tmp")))
    }

    @Test("a compact record beyond the snapshot file's index is a contradiction, not a log to trust")
    func compactWithoutItsSnapshotIsRefused() throws {
        let temporary = TemporaryDirectory("snapshot-missing")
        _ = try compactedLog(temporary.path)
        try FileManager.default.removeItem(atPath: temporary.child("snapshot"))
        let error = #expect(throws: StorageError.self) { try DurableLog.open(directory: temporary.path, fsync: true) }
        #expect(error.map { "\($0)" }?.contains("beyond the snapshot's index 0") == true, "\(String(describing: error))")
    }

    @Test("the snapshot file matches the documented layout byte for byte")
    func documentedLayout() throws {
        let snapshot = Snapshot(index: 7, term: 2, configuration: Configuration(voters: [0, 1, 2]), data: [0xAA, 0xBB])
        var expected = Array("raftsnap".utf8) + SpecLog.le(UInt16(2)) + SpecLog.le(UInt16(0))
        expected += SpecLog.le(UInt64(7)) + SpecLog.le(UInt64(2)) + SpecLog.le(UInt64(0b111)) + SpecLog.le(UInt64(0))
        expected += SpecLog.le(UInt64(2)) + [0xAA, 0xBB]
        expected += SpecLog.le(SpecLog.crc32(expected))
        #expect(SnapshotFile.encode(snapshot) == expected)
        #expect(try SnapshotFile.decode(expected, path: "x") == snapshot)
    }

    @Test("a snapshot that does not replace the one held is a caller bug: nothing is written")
    func olderSnapshotIsRefused() throws {
        let temporary = TemporaryDirectory("snapshot-older")
        _ = try compactedLog(temporary.path)
        let log = try DurableLog.open(directory: temporary.path, fsync: true)
        log.apply([.snapshot(Snapshot(index: 24, term: 3, configuration: Configuration(voters: [0, 1, 2]), data: []))])
        #expect(throws: StorageError.self) { try log.commit() }
        #expect(log.snapshotWriteCount == 0)
    }
}
