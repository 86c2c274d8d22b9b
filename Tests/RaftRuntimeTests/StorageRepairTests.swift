import Foundation
import RaftCore
import RaftRuntime
import Testing

/// `DurableLog.repair` cuts a corrupt log at its first bad record, lists exactly what that
/// drops, and leaves a file `open` accepts; it never creates, and never touches a log it
/// cannot read or one a node holds.
@Suite struct StorageRepairTests {
    /// A synced log: a term without a vote, three entries, commit 2, then a vote for node 2
    /// in term 5, three entries of term 5 and commit 5. Returns the file size after each batch.
    private func writeVotedLog(in directory: String) throws -> [Int] {
        let log = try DurableLog.open(directory: directory, fsync: true)
        var sizes = [log.fileBytes]
        let batches: [[PersistentChange]] = [
            [.hardState(term: 1, votedFor: nil)],
            [.append(firstIndex: 1, entries: sampleEntries(count: 3, term: 1, firstRequest: 1, seed: 3))],
            [.commit(index: 2)],
            [.hardState(term: 5, votedFor: 2)],
            [.append(firstIndex: 4, entries: sampleEntries(count: 3, term: 5, firstRequest: 4, seed: 4))],
            [.commit(index: 5)],
        ]
        for batch in batches {
            try log.write(batch)
            sizes.append(log.fileBytes)
        }
        log.close()
        return sizes
    }

    @Test func repairCutsAtTheBadRecordListsWhatIsLostAndLeavesALogThatOpens() throws {
        let temporary = TemporaryDirectory("repair")
        let sizes = try writeVotedLog(in: temporary.path)
        let path = temporary.child("raft.log")
        var bytes = try FileBytes.read(path)
        let commitRecord = sizes[2]..<sizes[3] // commit 2
        bytes[commitRecord.lowerBound + 10] ^= 0x01
        try FileBytes.write(bytes, to: path)
        #expect(throws: StorageError.self) { try DurableLog.open(directory: temporary.path, fsync: true) }

        let report = try DurableLog.repair(directory: temporary.path)
        let cut = try #require(report.cut)
        #expect(report.file == path)
        #expect(report.recordsKept == 3, "incarnation, hard state, append")
        #expect(cut.offset == commitRecord.lowerBound)
        #expect(cut.reason.contains("CRC mismatch"))
        #expect(cut.bytesDropped == bytes.count - commitRecord.lowerBound)
        #expect(cut.lostRecords == ["hard state term 5 vote 2", "append 3 entries at 4...6", "commit 5"])
        #expect(cut.lostRecordCount == 3)
        #expect(cut.unreadableRangeCount == 1)
        #expect(cut.unreadableBytes == commitRecord.count)
        #expect(cut.pieces == [
            .unreadable(commitRecord),
            .record(offset: sizes[3], bytes: sizes[4] - sizes[3], summary: "hard state term 5 vote 2"),
            .record(offset: sizes[4], bytes: sizes[5] - sizes[4], summary: "append 3 entries at 4...6"),
            .record(offset: sizes[5], bytes: sizes[6] - sizes[5], summary: "commit 5"),
        ])
        #expect(report.lines == [
            "offset \(sizes[2]): 17 unreadable bytes (\(sizes[2])..<\(sizes[3]))",
            "offset \(sizes[3]): lost hard state term 5 vote 2 (20 bytes)",
            "offset \(sizes[4]): lost append 3 entries at 4...6 (\(sizes[5] - sizes[4]) bytes)",
            "offset \(sizes[5]): lost commit 5 (17 bytes)",
            report.description,
        ])
        #expect(report.description == "\(path): cut at offset \(sizes[2]), dropped \(cut.bytesDropped) bytes: 3 CRC-valid records lost, "
                + "17 unreadable bytes in 1 range; 3 records kept (the first bad record: \(cut.reason))")
        #expect(try FileBytes.read(path) == Array(bytes.prefix(commitRecord.lowerBound)), "cut exactly there")

        let log = try DurableLog.open(directory: temporary.path, fsync: true)
        #expect(log.recovery == nil)
        #expect(log.state.currentTerm == 1)
        #expect(log.state.votedFor == nil, "the vote for node 2 is gone")
        #expect(log.state.entries.count == 3)
        #expect(log.state.commitIndex == 0)
        #expect(log.incarnation == 2)
    }

    @Test func repairListsRecordsBetweenSeveralBadOnes() throws {
        let temporary = TemporaryDirectory("repair-holes")
        let sizes = try writeVotedLog(in: temporary.path)
        let path = temporary.child("raft.log")
        var bytes = try FileBytes.read(path)
        bytes[sizes[1] + 9] ^= 0x01 // the first append
        for position in sizes[3]..<sizes[4] { bytes[position] = 0 } // the hard state of term 5
        try FileBytes.write(bytes, to: path)
        let cut = try #require(try DurableLog.repair(directory: temporary.path).cut)
        #expect(cut.offset == sizes[1])
        #expect(cut.pieces == [
            .unreadable(sizes[1]..<sizes[2]),
            .record(offset: sizes[2], bytes: 17, summary: "commit 2"),
            .unreadable(sizes[3]..<sizes[4]),
            .record(offset: sizes[4], bytes: sizes[5] - sizes[4], summary: "append 3 entries at 4...6"),
            .record(offset: sizes[5], bytes: 17, summary: "commit 5"),
        ])
        #expect(cut.unreadableBytes == (sizes[2] - sizes[1]) + (sizes[4] - sizes[3]))
        #expect(cut.unlistedPieceCount == 0)
    }

    @Test func repairOfATornTailCutsItAndOfACleanLogChangesNothing() throws {
        let temporary = TemporaryDirectory("repair-torn")
        let sizes = try writeVotedLog(in: temporary.path)
        let path = temporary.child("raft.log")
        let clean = try FileBytes.read(path)
        let untouched = try DurableLog.repair(directory: temporary.path)
        #expect(untouched.cut == nil)
        #expect(untouched.recordsKept == 7)
        #expect(untouched.lines == ["\(path): nothing to repair: 7 records and no bad record"])
        #expect(try FileBytes.read(path) == clean)

        try FileBytes.write(Array(clean.prefix(sizes[6] - 3)), to: path)
        let torn = try #require(try DurableLog.repair(directory: temporary.path).cut)
        #expect(torn.offset == sizes[5])
        #expect(torn.lostRecordCount == 0)
        #expect(torn.pieces == [.unreadable(sizes[5]..<(sizes[6] - 3))])
        #expect(try fileSize(path) == sizes[5])
    }

    @Test func repairCreatesNothingAndRespectsTheLock() throws {
        let temporary = TemporaryDirectory("repair-errors")
        let missing = temporary.child("missing")
        let error = #expect(throws: StorageError.self) { try DurableLog.repair(directory: missing) }
        #expect(error == .system(operation: "open", file: missing + "/raft.log", errno: ENOENT))
        #expect(!FileManager.default.fileExists(atPath: missing))

        let log = try DurableLog.open(directory: temporary.path, fsync: false)
        let locked = #expect(throws: StorageError.self) { try DurableLog.repair(directory: temporary.path) }
        #expect(locked == .locked(directory: temporary.path))
        log.close()

        try FileBytes.write(SpecLog.header(version: 2), to: temporary.child("raft.log"))
        let header = #expect(throws: StorageError.self) { try DurableLog.repair(directory: temporary.path) }
        guard case .badHeader? = header else {
            Issue.record("a bad header is not repaired: \(String(describing: header))")
            return
        }
    }
}
