import Foundation
import RaftCore
import RaftRuntime
import Testing

/// Changes that break the log's rules never reach the disk; syncs happen exactly when the
/// batch needs one; one directory has one owner.
@Suite struct StorageRulesTests {
    private func openWithThreeEntries(_ temporary: TemporaryDirectory, fsync: Bool = false) throws -> DurableLog {
        let log = try DurableLog.open(directory: temporary.path, fsync: fsync)
        try log.write([.hardState(term: 2, votedFor: 1),
                       .append(firstIndex: 1, entries: sampleEntries(count: 3, term: 2, firstRequest: 1, seed: 4)),
                       .commit(index: 2)])
        return log
    }

    @Test func changesThatBreakTheRulesThrowAndWriteNothing() throws {
        let entry = Entry(term: 2, request: 99, payload: [1])
        let cases: [(name: String, change: PersistentChange, reason: String)] = [
            ("append gap", .append(firstIndex: 5, entries: [entry]), "append at index 5 but the log holds 3 entries"),
            ("append overlap", .append(firstIndex: 3, entries: [entry]), "append at index 3"),
            ("truncate committed", .truncate(length: 1), "truncate to 1 below the commit index 2"),
            ("truncate beyond", .truncate(length: 4), "truncate to 4 but the log holds 3 entries"),
            ("commit past", .commit(index: 4), "commit index 4 past the log's 3 entries"),
            ("commit back", .commit(index: 1), "commit index goes back from 2 to 1"),
            ("term back", .hardState(term: 1, votedFor: nil), "term goes back from 2 to 1"),
            ("vote range", .hardState(term: 3, votedFor: 64), "vote for node 64 outside 0..<64"),
            ("entry size", .append(firstIndex: 4, entries: [Entry(term: 2, request: 5,
                payload: [UInt8](repeating: 0, count: StorageLimits.entryPayloadBytesMax + 1))]), "exceeds entryPayloadBytesMax"),
        ]
        for (name, change, reason) in cases {
            let temporary = TemporaryDirectory("rules")
            let log = try openWithThreeEntries(temporary)
            let stateBefore = log.state
            let bytesBefore = log.fileBytes
            // A valid change first: the whole batch must be dropped, not just the bad change.
            log.apply([.hardState(term: 2, votedFor: 1)])
            log.apply([.commit(index: 2), change])
            let error = #expect(throws: StorageError.self, "\(name)") { try log.commit() }
            guard case .invalidChange(let text)? = error else {
                Issue.record("\(name): expected invalidChange, got \(String(describing: error))")
                continue
            }
            #expect(text.contains("change 2 of 2"), "\(name): \(text)")
            #expect(text.contains(reason), "\(name): \(text)")
            #expect(throws: StorageError.self, "\(name): the log stays refused") { try log.commit() }
            #expect(log.fileBytes == bytesBefore)
            #expect(try fileSize(log.path) == bytesBefore, "\(name): nothing written")
            log.close()
            let reopened = try DurableLog.open(directory: temporary.path, fsync: false)
            #expect(reopened.state == stateBefore, "\(name)")
            #expect(reopened.recovery == nil)
        }
    }

    @Test func syncsOnlyForHardStateAppendAndTruncate() throws {
        let temporary = TemporaryDirectory("sync")
        let log = try DurableLog.open(directory: temporary.path, fsync: true)
        #expect(log.syncCount == 2, "creating the file, then this incarnation's record")
        let entries = sampleEntries(count: 4, term: 1, firstRequest: 1, seed: 2)
        let batches: [(name: String, changes: [PersistentChange], syncs: Bool)] = [
            ("hard state", [.hardState(term: 1, votedFor: 0)], true),
            ("append", [.append(firstIndex: 1, entries: entries)], true),
            ("commit only", [.commit(index: 1)], false),
            ("commits only", [.commit(index: 2), .commit(index: 3)], false),
            ("truncate", [.truncate(length: 3)], true),
            ("commit and append", [.commit(index: 3), .append(firstIndex: 4, entries: [entries[3]])], true),
        ]
        for (name, changes, syncs) in batches {
            let syncsBefore = log.syncCount
            let writesBefore = log.writeCount
            log.apply(changes)
            let duration = try log.commit()
            #expect((duration != nil) == syncs, "\(name)")
            #expect(log.syncCount == syncsBefore + (syncs ? 1 : 0), "\(name)")
            #expect(log.writeCount == writesBefore + 1, "\(name): one write per batch")
        }
        let writesBefore = log.writeCount
        #expect(try log.commit() == nil, "an empty batch")
        #expect(log.writeCount == writesBefore)
    }

    @Test func aBatchOfManyChangesIsOneWriteAndOneSync() throws {
        let temporary = TemporaryDirectory("group")
        let log = try DurableLog.open(directory: temporary.path, fsync: true)
        let syncsBefore = log.syncCount, writesBefore = log.writeCount
        log.apply([.hardState(term: 1, votedFor: 0)])
        for index in 1...100 {
            log.apply([.append(firstIndex: index, entries: [Entry(term: 1, request: RequestID(index), payload: [UInt8(index)])]),
                       .commit(index: index)])
        }
        #expect(log.batchBytes > 0)
        #expect(log.writeCount == writesBefore, "apply makes no system call")
        #expect(try log.commit() != nil)
        #expect(log.syncCount == syncsBefore + 1)
        #expect(log.writeCount == writesBefore + 1)
        #expect(log.batchBytes == 0)
        #expect(log.state.commitIndex == 100)
    }

    @Test func fsyncOffNeverSyncsAfterCreatingTheFile() throws {
        let temporary = TemporaryDirectory("nosync")
        let log = try DurableLog.open(directory: temporary.path, fsync: false)
        #expect(log.syncCount == 1, "only the new file's header, so the name never points at an empty file")
        #expect(try log.write([.hardState(term: 1, votedFor: 0),
                               .append(firstIndex: 1, entries: [Entry.noOp(term: 1)]), .truncate(length: 0)]) == nil)
        #expect(log.syncCount == 1)
        log.close()
        let reopened = try DurableLog.open(directory: temporary.path, fsync: false)
        #expect(reopened.syncCount == 0)
    }

    @Test func aCreatedDirectoryIsSyncedIntoItsParentOnlyWhenOpenCreatesIt() throws {
        let temporary = TemporaryDirectory("dirsync")
        let nested = try DurableLog.open(directory: temporary.child("a/b"), fsync: false)
        #expect(nested.directorySyncCount == 3, "the parents of a and of b, then b after the new log's rename")
        nested.close()
        let reopened = try DurableLog.open(directory: temporary.child("a/b"), fsync: false)
        #expect(reopened.directorySyncCount == 0, "nothing was created")
        try reopened.compact(to: reopened.state)
        #expect(reopened.directorySyncCount == 1, "the compaction's rename")
        reopened.close()
        let existing = try DurableLog.open(directory: temporary.path, fsync: true)
        #expect(existing.directorySyncCount == 1, "only the new log's rename: the directory was there")
    }

    @Test func aDirectoryHasOneOwnerAtATime() throws {
        let temporary = TemporaryDirectory("lock")
        let log = try DurableLog.open(directory: temporary.path, fsync: false)
        let error = #expect(throws: StorageError.self) { try DurableLog.open(directory: temporary.path, fsync: false) }
        #expect(error == .locked(directory: temporary.path))
        log.close()
        #expect(throws: StorageError.self, "a closed log refuses changes") { try log.write([.commit(index: 0)]) }
        let reopened = try DurableLog.open(directory: temporary.path, fsync: false)
        #expect(reopened.incarnation == 2)
    }

    @Test func aFileWhereTheDirectoryShouldBeIsAnError() throws {
        let temporary = TemporaryDirectory("notdir")
        try FileBytes.write([1], to: temporary.child("data"))
        let error = #expect(throws: StorageError.self) { try DurableLog.open(directory: temporary.child("data"), fsync: false) }
        #expect(error?.description.contains(temporary.child("data")) == true)
    }
}
