import Foundation
import RaftCore
import RaftRuntime
import TestGate
import Testing

/// A torn tail (a bad record with nothing CRC-valid after it) is cut at the last good record
/// and reported; a bad record with a valid one after it, a bad header or a log that
/// contradicts itself is an error naming the file and the offset, and changes nothing.
@Suite(.exclusive) struct StorageRecoveryTests {
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

    /// Where each record of `writeHistory`'s file starts, then the end of the file: the
    /// incarnation record at 16, then one record per batch.
    private func recordStarts(_ history: [(state: PersistentState, bytes: Int)]) -> [Int] {
        [16] + history.map(\.bytes)
    }

    /// A data directory in `temporary` holding `bytes` as its log.
    private func directory(in temporary: TemporaryDirectory, _ name: String, holding bytes: [UInt8]) throws -> String {
        let directory = temporary.child(name)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try FileBytes.write(bytes, to: directory + "/raft.log")
        return directory
    }

    /// Opens `directory` expecting `StorageError.corruption` with a one-line description;
    /// returns its fields.
    private func expectCorruption(_ directory: String, _ comment: Comment) -> (offset: Int, reason: String, validRecordOffset: Int)? {
        let error = #expect(throws: StorageError.self, comment) { try DurableLog.open(directory: directory, fsync: false) }
        guard case .corruption(let file, let offset, let reason, let validRecordOffset)? = error else {
            Issue.record("\(comment): expected corruption, got \(String(describing: error))")
            return nil
        }
        #expect(file == directory + "/raft.log", comment)
        let text = error!.description
        #expect(!text.contains("\n"), comment)
        #expect(text.hasPrefix("\(file): offset \(offset): \(reason), yet a CRC-valid record follows at offset \(validRecordOffset): corruption, not a torn tail"),
                "\(comment): \(text)")
        #expect(text.contains("raftlab node --repair"), "\(comment): \(text)")
        return (offset, reason, validRecordOffset)
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
                #expect(report.description.hasSuffix("; no CRC-valid record after it)"), "\(report)")
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


    @Test func aFlippedByteAnywhereInAMiddleRecordRefusesToOpenAndChangesNothing() throws {
        let temporary = TemporaryDirectory("flip")
        let source = temporary.child("source")
        let history = try writeHistory(in: source)
        let original = try FileBytes.read(source + "/raft.log")
        // The append record of batch 2 sits between history[1] and history[2].
        let start = history[1].bytes, end = history[2].bytes
        for position in start..<end {
            var bytes = original
            bytes[position] ^= 0x5A
            let directory = try directory(in: temporary, "flip-\(position)", holding: bytes)
            let found = expectCorruption(directory, "flip at \(position)")
            #expect(found?.offset == start, "flip at \(position)")
            #expect(found?.validRecordOffset == end, "flip at \(position): the commit record after it")
            #expect(try FileBytes.read(directory + "/raft.log") == bytes, "flip at \(position): nothing cut or written")
            try FileManager.default.removeItem(atPath: directory)
        }
    }

    @Test func aBadRecordOfAnyKindFollowedByAValidOneIsCorruption() throws {
        let temporary = TemporaryDirectory("bad-then-valid")
        let history = try writeHistory(in: temporary.child("source"))
        let original = try FileBytes.read(temporary.child("source") + "/raft.log")
        let starts = recordStarts(history)
        func replacing(_ range: Range<Int>, with replacement: [UInt8]) -> [UInt8] {
            var bytes = original
            bytes.replaceSubrange(range, with: replacement)
            return bytes
        }
        let commitRecord = starts[3]..<starts[4] // batch 3: commit 2
        let cases: [(name: String, bytes: [UInt8], offset: Int, validRecordOffset: Int, reason: String)] = [
            ("zeroed record", replacing(commitRecord, with: [UInt8](repeating: 0, count: commitRecord.count)),
             starts[3], starts[4], "record length 0"),
            ("zeroed records", replacing(starts[2]..<starts[4], with: [UInt8](repeating: 0, count: starts[4] - starts[2])),
             starts[2], starts[4], "record length 0"),
            ("huge length", replacing(starts[3]..<(starts[3] + 4), with: SpecLog.le(UInt32(0xFFFF_FFF0))),
             starts[3], starts[4], "exceeds recordBytesMax"),
            ("length past the end", replacing(starts[3]..<(starts[3] + 4), with: SpecLog.le(UInt32(original.count))),
             starts[3], starts[4], "past the end of the file"),
            ("garbage inserted", replacing(starts[3]..<starts[3], with: [5, 0, 0, 0, 0xDE, 0xAD, 0xBE]),
             starts[3], starts[3] + 7, "CRC mismatch"),
            ("zeros after the header, then a record", SpecLog.header() + [UInt8](repeating: 0, count: 9) + SpecLog.incarnation(1),
             16, 25, "record length 0"),
            ("a short record after the header, then a record", SpecLog.header() + SpecLog.le(UInt32(3)) + SpecLog.incarnation(1),
             16, 20, "CRC mismatch"),
        ]
        for (name, bytes, offset, validRecordOffset, reason) in cases {
            let directory = try directory(in: temporary, name.replacingOccurrences(of: " ", with: "-"), holding: bytes)
            let found = expectCorruption(directory, "\(name)")
            #expect(found?.offset == offset, "\(name)")
            #expect(found?.validRecordOffset == validRecordOffset, "\(name)")
            #expect(found?.reason.contains(reason) == true, "\(name): \(found?.reason ?? "-")")
            #expect(try FileBytes.read(directory + "/raft.log") == bytes, "\(name): nothing cut or written")
        }
    }

    @Test func garbageWithNoValidRecordAfterTheBadOneIsCutAsCorrupt() throws {
        let temporary = TemporaryDirectory("garbage")
        let history = try writeHistory(in: temporary.path)
        let path = temporary.child("raft.log")
        let original = try FileBytes.read(path)
        // Random bytes, then records that look right but for their CRC: none is valid.
        var garbage: [UInt8] = []
        var state: UInt64 = 0x6A7B_A6E0
        for _ in 0..<3000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            garbage.append(UInt8(truncatingIfNeeded: state >> 33))
        }
        for index in 1...20 as ClosedRange<UInt64> {
            var lookalike = SpecLog.commit(index: index)
            lookalike[4] ^= 0x01
            garbage += lookalike
        }
        try FileBytes.write(original + garbage, to: path)
        let log = try DurableLog.open(directory: temporary.path, fsync: false)
        let report = try #require(log.recovery)
        #expect(report.offset == history.last!.bytes)
        #expect(report.bytesDropped == garbage.count)
        #expect(report.cause == .corruptRecord)
        #expect(report.description.hasSuffix("; no CRC-valid record after it)"), "\(report)")
        #expect(log.state == history.last!.state)
        #expect(try fileSize(path) == original.count + 17, "cut, then this incarnation's record")
    }

    @Test func aHeaderOnlyLogOpensAndAShortTailAfterTheHeaderIsTorn() throws {
        let temporary = TemporaryDirectory("header-only")
        let path = temporary.child("raft.log")
        try FileBytes.write(SpecLog.header(), to: path)
        let clean = try DurableLog.open(directory: temporary.path, fsync: false)
        #expect(clean.recovery == nil)
        #expect(clean.incarnation == 1)
        clean.close()
        try FileBytes.write(SpecLog.header() + [9, 0, 0, 0, 7], to: path)
        let torn = try DurableLog.open(directory: temporary.path, fsync: false)
        let report = try #require(torn.recovery)
        #expect(report.offset == 16)
        #expect(report.bytesDropped == 5)
        #expect(report.cause == .tornTail)
        #expect(report.recordsKept == 0)
        #expect(report.description.hasSuffix("; no CRC-valid record after it)"), "\(report)")
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
        #expect(report.description.hasSuffix("; no CRC-valid record after it)"), "\(report)")
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

    @Test func aFlippedByteAfterTheHeaderIsRefusedOrCutAndRepairAlwaysLeavesThePrefix() throws {
        let temporary = TemporaryDirectory("flip-any")
        let source = temporary.child("source")
        let history = try writeHistory(in: source)
        let original = try FileBytes.read(source + "/raft.log")
        let starts = recordStarts(history) // record k spans starts[k]..<starts[k + 1]
        let lastRecord = starts.count - 2
        var seed: UInt64 = 0x5EED_0001
        for round in 0..<300 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let position = 16 + Int(seed >> 33) % (original.count - 16)
            let record = starts.lastIndex { $0 <= position }!
            var bytes = original
            bytes[position] ^= UInt8(truncatingIfNeeded: seed >> 8) | 1
            let directory = try directory(in: temporary, "r\(round)", holding: bytes)
            let context = "flip at \(position) in record \(record) (round \(round), seed \(seed))"
            // The state before the damaged record (the incarnation record changes no state).
            let prefix = history[max(record - 1, 0)].state
            if record == lastRecord {
                let log = try DurableLog.open(directory: directory, fsync: false)
                #expect(log.state == prefix, "\(context): not the prefix")
                #expect(log.recovery?.offset == starts[record], "\(context)")
                log.close()
            } else {
                let found = expectCorruption(directory, "\(context)")
                #expect(found?.offset == starts[record], "\(context)")
                #expect(try FileBytes.read(directory + "/raft.log") == bytes, "\(context): nothing cut or written")
                let repair = try DurableLog.repair(directory: directory)
                #expect(repair.cut?.offset == starts[record], "\(context)")
                #expect(repair.cut?.lostRecordCount == lastRecord - record, "\(context): every later record is listed")
                #expect(repair.cut?.pieces.first == .unreadable(starts[record]..<starts[record + 1]), "\(context)")
                let log = try DurableLog.open(directory: directory, fsync: false)
                #expect(log.state == prefix, "\(context): not the prefix")
                #expect(log.recovery == nil, "\(context): the repair left a clean file")
                log.close()
            }
            try FileManager.default.removeItem(atPath: directory)
        }
    }
}
