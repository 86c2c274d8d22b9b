import Foundation
import RaftCore
import RaftRuntime
import Testing

/// Torn and corrupt tails are cut at the last good record and reported; a bad header or a
/// log that contradicts itself is an error naming the file and the offset.
@Suite struct StorageRecoveryTests {
    /// A log of one-change batches; returns the state and file size after each. (A batch of
    /// several records is not atomic on disk: a torn batch leaves a prefix of its records.)
    private func writeHistory(in directory: String) throws -> [(state: PersistentState, bytes: Int)] {
        let log = try DurableLog.open(directory: directory, fsync: false)
        var history = [(log.state, log.fileBytes)]
        let batches: [[PersistentChange]] = [
            [.hardState(term: 1, votedFor: 0)],
            [.append(firstIndex: 1, entries: sampleEntries(count: 3, term: 1, firstRequest: 1, seed: 5))],
            [.commit(index: 2)],
            [.hardState(term: 2, votedFor: nil)],
            [.truncate(length: 2)],
            [.append(firstIndex: 3, entries: sampleEntries(count: 2, term: 2, firstRequest: 10, seed: 6))],
        ]
        for batch in batches {
            try log.write(batch)
            history.append((log.state, log.fileBytes))
        }
        log.close()
        return history
    }

    @Test func aTailTornAtEveryByteOfTheLastRecordRecoversThePrefix() throws {
        let temporary = TemporaryDirectory("torn")
        let source = temporary.child("source")
        let history = try writeHistory(in: source)
        let lastStart = history[history.count - 2].bytes
        let lastEnd = history[history.count - 1].bytes
        #expect(lastEnd - lastStart > 100)
        for cut in lastStart..<lastEnd {
            let directory = temporary.child("cut-\(cut)")
            try FileBytes.copyLog(from: source, to: directory, length: cut)
            let log = try DurableLog.open(directory: directory, fsync: false)
            let keptPrefix = log.state == history[history.count - 2].state
            #expect(keptPrefix, "cut at \(cut): state is not the prefix")
            if cut == lastStart {
                #expect(log.recovery == nil, "a cut between records leaves nothing torn")
            } else {
                let report = try #require(log.recovery, "cut at \(cut)")
                #expect(report.offset == lastStart)
                #expect(report.bytesDropped == cut - lastStart)
                #expect(report.cause == .tornTail)
                #expect(report.file == log.path)
                #expect(report.recordsKept == 6, "incarnation, hard state, append, commit, hard state, truncate")
                #expect(!report.description.contains("\n"))
            }
            #expect(try fileSize(log.path) == lastStart + 17, "cut, then this incarnation's record")
            log.close()
            // The repair is durable: the next open finds a clean file.
            let again = try DurableLog.open(directory: directory, fsync: false)
            #expect(again.recovery == nil)
            #expect(again.state == history[history.count - 2].state)
            again.close()
            try FileManager.default.removeItem(atPath: directory)
        }
    }

    @Test func aFlippedByteAnywhereInAMiddleRecordCutsThereAndReports() throws {
        let temporary = TemporaryDirectory("flip")
        let source = temporary.child("source")
        let history = try writeHistory(in: source)
        let original = try FileBytes.read(source + "/raft.log")
        // The append record of batch 2 sits between history[1] and history[2].
        let start = history[1].bytes, end = history[2].bytes
        for position in start..<end {
            var bytes = original
            bytes[position] ^= 0x5A
            let directory = temporary.child("flip-\(position)")
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try FileBytes.write(bytes, to: directory + "/raft.log")
            let log = try DurableLog.open(directory: directory, fsync: false)
            let report = try #require(log.recovery, "flip at \(position)")
            #expect(report.offset == start, "flip at \(position)")
            #expect(report.bytesDropped == original.count - start)
            let keptPrefix = log.state == history[1].state
            #expect(keptPrefix, "flip at \(position): state is not the prefix")
            log.close()
            try FileManager.default.removeItem(atPath: directory)
        }
    }

    @Test func aCorruptPayloadInTheMiddleIsReportedAsCorruptNotTorn() throws {
        let temporary = TemporaryDirectory("corrupt")
        let history = try writeHistory(in: temporary.path)
        let path = temporary.child("raft.log")
        var bytes = try FileBytes.read(path)
        bytes[history[2].bytes + 12] ^= 1 // inside the commit record's payload
        try FileBytes.write(bytes, to: path)
        let log = try DurableLog.open(directory: temporary.path, fsync: false)
        let report = try #require(log.recovery)
        #expect(report.cause == .corruptRecord)
        #expect(report.reason.contains("CRC mismatch"))
        #expect(report.offset == history[2].bytes)
        #expect(log.state == history[2].state)
    }

    @Test func aZeroFilledTailIsCut() throws {
        let temporary = TemporaryDirectory("zeros")
        let history = try writeHistory(in: temporary.path)
        let path = temporary.child("raft.log")
        try FileBytes.write(try FileBytes.read(path) + [UInt8](repeating: 0, count: 4096), to: path)
        let log = try DurableLog.open(directory: temporary.path, fsync: false)
        let report = try #require(log.recovery)
        #expect(report.offset == history.last!.bytes)
        #expect(report.bytesDropped == 4096)
        #expect(report.reason.contains("length 0"))
        #expect(log.state == history.last!.state)
    }

    @Test func badHeadersAreErrorsNamingTheFile() throws {
        let valid = SpecLog.header()
        let cases: [(name: String, bytes: [UInt8], reason: String)] = [
            ("empty", [], "shorter than the 16-byte header"),
            ("short", Array(valid.prefix(9)), "shorter than the 16-byte header"),
            ("magic", SpecLog.header(magic: Array("raftlox\n".utf8)), "not a raftlog file"),
            ("version", SpecLog.header(version: 2), "unsupported version 2"),
            ("flags", SpecLog.header(flags: 1), "unknown flags 1"),
            ("crc", SpecLog.header(crc: 12345), "header CRC mismatch"),
        ]
        for (name, bytes, reason) in cases {
            let temporary = TemporaryDirectory("header-\(name)")
            let path = temporary.child("raft.log")
            let contents = bytes.count < 16 ? bytes : bytes + SpecLog.incarnation(1)
            try FileBytes.write(contents, to: path)
            let error = #expect(throws: StorageError.self, "\(name)") { try DurableLog.open(directory: temporary.path, fsync: false) }
            guard case .badHeader(let file, let text)? = error else {
                Issue.record("\(name): expected badHeader, got \(String(describing: error))")
                continue
            }
            #expect(file == path)
            #expect(text.contains(reason), "\(name): \(text)")
            #expect(error!.description.hasPrefix(path + ": offset 0"))
            #expect(try FileBytes.read(path) == contents, "\(name): the file is left alone")
        }
    }

    @Test func recordsThatContradictTheLogAreErrorsNamingTheOffset() throws {
        let entries = sampleEntries(count: 3, term: 1, firstRequest: 1, seed: 8)
        let prefix = SpecLog.header() + SpecLog.incarnation(1) + SpecLog.hardState(term: 4, vote: 1)
            + SpecLog.append(firstIndex: 1, entries: entries) + SpecLog.commit(index: 2)
        let cases: [(name: String, record: [UInt8], reason: String)] = [
            ("gap", SpecLog.append(firstIndex: 5, entries: entries), "append at index 5 but the log holds 3 entries"),
            ("overlap", SpecLog.append(firstIndex: 3, entries: entries), "append at index 3"),
            ("commit past", SpecLog.commit(index: 4), "commit index 4 past the log's 3 entries"),
            ("commit back", SpecLog.commit(index: 1), "commit index goes back from 2 to 1"),
            ("truncate committed", SpecLog.truncate(length: 1), "truncate to 1 below the commit index 2"),
            ("truncate beyond", SpecLog.truncate(length: 9), "truncate to 9 but the log holds 3 entries"),
            ("term back", SpecLog.hardState(term: 3, vote: nil), "term goes back from 4 to 3"),
            ("incarnation", SpecLog.incarnation(1), "incarnation 1 does not follow incarnation 1"),
            ("unknown type", SpecLog.record(type: 9, payload: [1, 2]), "unknown record type 9"),
            ("trailing", SpecLog.record(type: 5, payload: SpecLog.le(UInt64(3)) + [0]), "1 trailing bytes"),
            ("vote tag", SpecLog.record(type: 2, payload: SpecLog.le(UInt64(5)) + [2, 0, 0]), "vote tag 2"),
            ("vote range", SpecLog.hardState(term: 5, vote: 64), "vote for node 64 outside 0..<64"),
            ("count", SpecLog.record(type: 3, payload: SpecLog.le(UInt64(4)) + SpecLog.le(UInt32.max) + [0, 0]),
             "count 4294967295 needs at least"),
            ("payload", SpecLog.record(type: 3, payload: SpecLog.le(UInt64(4)) + SpecLog.le(UInt32(1))
                + SpecLog.le(UInt64(1)) + SpecLog.le(UInt64(1)) + SpecLog.le(UInt32(1000)) + [1, 2]),
             "entry 0 payload of 1000 bytes, only 2 left"),
        ]
        for (name, record, reason) in cases {
            let temporary = TemporaryDirectory("contradiction")
            let path = temporary.child("raft.log")
            try FileBytes.write(prefix + record + SpecLog.commit(index: 2), to: path)
            let error = #expect(throws: StorageError.self, "\(name)") { try DurableLog.open(directory: temporary.path, fsync: false) }
            guard case .contradiction(let file, let offset, let text)? = error else {
                Issue.record("\(name): expected a contradiction, got \(String(describing: error))")
                continue
            }
            #expect(file == path)
            #expect(offset == prefix.count, "\(name)")
            #expect(text.contains(reason), "\(name): \(text)")
            #expect(!error!.description.contains("\n"))
        }
    }

    @Test func aFlippedByteAfterTheHeaderNeverCrashesAndLeavesAPrefix() throws {
        let temporary = TemporaryDirectory("flip-any")
        let source = temporary.child("source")
        let history = try writeHistory(in: source)
        let original = try FileBytes.read(source + "/raft.log")
        let prefixes = history.map(\.state)
        var seed: UInt64 = 0x5EED_0001
        for round in 0..<300 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let position = 16 + Int(seed >> 33) % (original.count - 16)
            var bytes = original
            bytes[position] ^= UInt8(truncatingIfNeeded: seed >> 8) | 1
            let directory = temporary.child("r\(round)")
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try FileBytes.write(bytes, to: directory + "/raft.log")
            let log = try DurableLog.open(directory: directory, fsync: false)
            let isPrefix = prefixes.contains(log.state)
            #expect(isPrefix, "flip at \(position) (round \(round), seed \(seed)): not a prefix")
            #expect(log.recovery != nil)
            log.close()
            try FileManager.default.removeItem(atPath: directory)
        }
    }
}
