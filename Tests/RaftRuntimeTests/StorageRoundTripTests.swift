import Foundation
import RaftCore
import RaftRuntime
import TestGate
import Testing

/// What `DurableLog` writes comes back on reopen: every change type, large appends, the
/// incarnation counter, compaction.
@Suite(.exclusive) struct StorageRoundTripTests {
    @Test func aNewDirectoryStartsEmptyAtIncarnationOneWithMode0700() throws {
        let temporary = TemporaryDirectory("new")
        let directory = temporary.child("data/node-1")
        let log = try DurableLog.open(directory: directory, fsync: false)
        #expect(log.state == .initial)
        #expect(log.incarnation == 1)
        #expect(log.recovery == nil)
        #expect(log.fileBytes == 16 + 17, "header plus one incarnation record")
        #expect(try fileSize(log.path) == log.fileBytes)
        let mode = try FileManager.default.attributesOfItem(atPath: directory)[.posixPermissions] as! NSNumber
        #expect(mode.intValue == 0o700)
    }

    @Test func everyChangeTypeSurvivesReopen() throws {
        let temporary = TemporaryDirectory("roundtrip")
        let first = sampleEntries(count: 40, term: 2, firstRequest: 100, seed: 1)
        let second = sampleEntries(count: 25, term: 5, firstRequest: 500, seed: 2)
        var expected = PersistentState()
        do {
            let log = try DurableLog.open(directory: temporary.path, fsync: true)
            try log.write([.hardState(term: 2, votedFor: 3), .append(firstIndex: 1, entries: first)])
            try log.write([.commit(index: 10)])
            try log.write([.hardState(term: 5, votedFor: nil), .truncate(length: 30)])
            try log.write([.hardState(term: 5, votedFor: 0), .append(firstIndex: 31, entries: second), .commit(index: 33)])
            expected = PersistentState(currentTerm: 5, votedFor: 0, entries: Array(first.prefix(30)) + second, commitIndex: 33)
            #expect(log.state == expected)
            log.close()
        }
        let reopened = try DurableLog.open(directory: temporary.path, fsync: true)
        #expect(reopened.state == expected)
        #expect(reopened.incarnation == 2)
        #expect(reopened.recovery == nil)
    }

    @Test func theFileMatchesTheDocumentedLayoutByteForByte() throws {
        let temporary = TemporaryDirectory("layout")
        let entries = [Entry(term: 1, request: 7, payload: [1, 2, 3]), Entry.noOp(term: 1)]
        let log = try DurableLog.open(directory: temporary.path, fsync: false)
        try log.write([.hardState(term: 1, votedFor: 2), .append(firstIndex: 1, entries: entries),
                       .commit(index: 2), .truncate(length: 2)])
        log.close()
        let expected = SpecLog.header() + SpecLog.incarnation(1) + SpecLog.hardState(term: 1, vote: 2)
            + SpecLog.append(firstIndex: 1, entries: entries) + SpecLog.commit(index: 2) + SpecLog.truncate(length: 2)
        #expect(try FileBytes.read(log.path) == expected)
    }

    @Test func aLogWrittenFromTheDocumentReadsBack() throws {
        let temporary = TemporaryDirectory("spec")
        let entries = sampleEntries(count: 5, term: 3, firstRequest: 1, seed: 9)
        let bytes = SpecLog.header() + SpecLog.incarnation(4) + SpecLog.hardState(term: 3, vote: nil)
            + SpecLog.append(firstIndex: 1, entries: Array(entries.prefix(2)))
            + SpecLog.append(firstIndex: 3, entries: Array(entries.suffix(3))) + SpecLog.commit(index: 4)
        try FileBytes.write(bytes, to: temporary.child("raft.log"))
        let log = try DurableLog.open(directory: temporary.path, fsync: false)
        #expect(log.state == PersistentState(currentTerm: 3, votedFor: nil, entries: entries, commitIndex: 4))
        #expect(log.incarnation == 5)
    }

    @Test func incarnationCountsOpens() throws {
        let temporary = TemporaryDirectory("incarnation")
        var seen: [Int] = []
        for _ in 0..<3 {
            let log = try DurableLog.open(directory: temporary.path, fsync: true)
            seen.append(log.incarnation)
            log.close()
        }
        #expect(seen == [1, 2, 3])
    }

    @Test func appendsLargerThanOneRecordAreSplitAndReadBack() throws {
        let temporary = TemporaryDirectory("large")
        let big = (0..<5).map { Entry(term: 1, request: RequestID($0 + 1), payload: [UInt8](repeating: UInt8($0), count: 3 << 20)) }
        let log = try DurableLog.open(directory: temporary.path, fsync: false)
        try log.write([.hardState(term: 1, votedFor: nil), .append(firstIndex: 1, entries: big)])
        #expect(log.fileBytes > StorageLimits.recordBytesMax, "15 MiB of entries span several records")
        log.close()
        let reopened = try DurableLog.open(directory: temporary.path, fsync: false)
        #expect(reopened.state.entries == big)
    }

    @Test func compactionKeepsTheStateAndShrinksTheFile() throws {
        let temporary = TemporaryDirectory("compact")
        let log = try churnedLog(temporary.path)
        let before = log.state
        let bytesBefore = log.fileBytes
        #expect(log.liveBytes < bytesBefore)
        try log.compact(to: before)
        #expect(log.state == before)
        #expect(log.fileBytes == log.liveBytes, "the live-size estimate is exact for a small log")
        #expect(log.fileBytes < bytesBefore / 4)
        #expect(try fileSize(log.path) == log.fileBytes)
        // Writing continues on the new file, and everything comes back.
        try log.write([.commit(index: before.commitIndex + 10)])
        let after = log.state
        log.close()
        let reopened = try DurableLog.open(directory: temporary.path, fsync: true)
        #expect(reopened.state == after)
        #expect(reopened.incarnation == 2)
        #expect(!FileManager.default.fileExists(atPath: temporary.child("raft.log.tmp")))
    }

    @Test func compactionRefusesAStaleStateOrAPendingBatch() throws {
        let temporary = TemporaryDirectory("compact-refuse")
        let log = try DurableLog.open(directory: temporary.path, fsync: false)
        let entries = sampleEntries(count: 4, term: 1, firstRequest: 1, seed: 3)
        try log.write([.hardState(term: 1, votedFor: 1), .append(firstIndex: 1, entries: entries)])
        var stale = log.state
        stale.entries.removeLast()
        #expect(throws: StorageError.self) { try log.compact(to: stale) }
        var changed = log.state
        changed.entries[1].payload = [9]
        let error = #expect(throws: StorageError.self) { try log.compact(to: changed) }
        #expect(error?.description.contains("entry 2 differs") == true)
        log.apply([.commit(index: 1)])
        #expect(throws: StorageError.self) { try log.compact(to: log.state) }
        try log.commit()
        try log.compact(to: log.state)
        #expect(log.state.commitIndex == 1)
    }

    @Test func theSuggestedPolicyWaitsForGrowthAndSlack() throws {
        let temporary = TemporaryDirectory("policy")
        let log = try DurableLog.open(directory: temporary.path, fsync: false)
        let payload = [UInt8](repeating: 7, count: 60_000)
        var term: Term = 1
        try log.write([.hardState(term: term, votedFor: nil)])
        // Rewrite the same 20 entries over and over: the live state stays ~1.2 MB.
        var rounds = 0
        while !log.shouldCompact {
            term += 1
            let entries = (0..<20).map { Entry(term: term, request: RequestID($0 + 1), payload: payload) }
            try log.write([.hardState(term: term, votedFor: nil), .truncate(length: 0), .append(firstIndex: 1, entries: entries)])
            rounds += 1
            #expect(rounds < 200)
            if rounds >= 200 { return }
        }
        #expect(log.fileBytes - log.liveBytes >= StorageLimits.compactionSlackBytesMin)
        #expect(log.fileBytes > 2 * log.liveBytes)
        try log.compact(to: log.state)
        #expect(!log.shouldCompact)
    }
}
