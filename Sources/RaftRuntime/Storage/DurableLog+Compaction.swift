#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RaftCore

extension DurableLog {
    /// Rewrites the file so it holds only what `state` needs: this incarnation, the hard
    /// state, the compaction (the entries the snapshot file covers are not written), the
    /// entries after it and the commit index. The new file is written under
    /// a temporary name, synced, renamed over the log, and the directory is synced; a crash
    /// at any point leaves either the old file or the new one, whole. It always syncs (even
    /// with `fsync` off): losing the whole log to a half-done rename would be worse than slow.
    ///
    /// `state` must be the log's own state (`self.state`, which is what the node's
    /// `persistentState` is after `commit()`): a different one would silently rewrite
    /// history, so it throws `StorageError.invalidChange`, as does a pending batch.
    public func compact(to state: PersistentState) throws {
        try requireIdle("compact")
        if let difference = Self.difference(between: state, and: self.state) {
            throw StorageError.invalidChange(reason: "compact to a state that is not the log's: \(difference)")
        }
        let temporaryPath = Self.join(directory, LogFileFormat.temporaryFileName)
        let newDescriptor = try FileSystem.openFile(temporaryPath, flags: O_RDWR | O_CREAT | O_TRUNC)
        let written: Int
        do {
            written = try Self.writeCompacted(state, incarnation: incarnation, to: newDescriptor, file: temporaryPath)
            try FileSystem.syncData(newDescriptor, file: temporaryPath)
            try FileSystem.renameFile(temporaryPath, to: path)
        } catch {
            // The old file is untouched: drop the temporary one and keep going with the old.
            FileSystem.closeDescriptor(newDescriptor)
            try? FileSystem.removeIfPresent(temporaryPath)
            throw error
        }
        replaceFile(descriptor: newDescriptor, fileBytes: written, syncs: 1)
        compactionCount += 1
        try syncDirectory()
    }

    /// Writes a whole log file holding `state` and `incarnation` (header, incarnation, hard
    /// state, entries from index 1, commit index) to `descriptor` from offset 0, in chunks of
    /// whole records; returns the bytes written. Touches nothing of any `DurableLog`: the
    /// background part of a compaction calls it off the log's thread.
    static func writeCompacted(_ state: PersistentState, incarnation: Int, to descriptor: Int32, file: String) throws -> Int {
        var written = 0
        var chunk = LogFileFormat.header
        LogRecordEncoder.appendIncarnation(incarnation, to: &chunk)
        if state.currentTerm > 0 || state.votedFor != nil {
            LogRecordEncoder.appendHardState(term: state.currentTerm, votedFor: state.votedFor, to: &chunk)
        }
        if state.compactedIndex > 0 {
            LogRecordEncoder.appendCompact(index: state.compactedIndex, term: state.compactedTerm, to: &chunk)
        }
        var position = 0
        while position < state.entries.count {
            // Whole records per chunk: take entries until the chunk holds enough bytes.
            var end = position
            var bytes = 0
            while end < state.entries.count && bytes < StorageLimits.compactionChunkBytes {
                bytes += LogFileFormat.encodedBytes(of: state.entries[end])
                end += 1
            }
            LogRecordEncoder.appendEntries(firstIndex: state.compactedIndex + position + 1, entries: state.entries[position..<end], to: &chunk)
            position = end
            if chunk.count >= StorageLimits.compactionChunkBytes {
                try chunk.withUnsafeBytes { _ = try FileSystem.writeAll($0, at: written, to: descriptor, file: file) }
                written += chunk.count
                chunk.removeAll(keepingCapacity: true)
            }
        }
        if state.commitIndex > 0 {
            LogRecordEncoder.appendCommit(index: state.commitIndex, to: &chunk)
        }
        try chunk.withUnsafeBytes { _ = try FileSystem.writeAll($0, at: written, to: descriptor, file: file) }
        written += chunk.count
        return written
    }

    /// Bytes a compaction would write now (the live state's size on disk).
    public var liveBytes: Int {
        var bytes = LogFileFormat.headerBytes + Self.fixedRecordBytes(payload: 8) // incarnation
        bytes += Self.fixedRecordBytes(payload: LogFileFormat.hardStateBytes)
        bytes += Self.fixedRecordBytes(payload: 8) // commit
        if state.compactedIndex > 0 { bytes += Self.fixedRecordBytes(payload: LogFileFormat.compactBytes) }
        let records = liveEntryBytes / LogRecordEncoder.appendPayloadBytesMax + 1
        return bytes + liveEntryBytes + records * (LogFileFormat.recordHeaderBytes + 1 + LogFileFormat.appendHeaderBytes)
    }

    /// The suggested policy (`compactionPolicy`): compact when the file is more than
    /// `growthFactor` times the live state and at least `slackBytesMin` bytes beyond it.
    public var shouldCompact: Bool {
        let live = liveBytes
        return fileBytes > compactionPolicy.growthFactor * live
            && fileBytes - live >= compactionPolicy.slackBytesMin
    }

    private static func fixedRecordBytes(payload: Int) -> Int { LogFileFormat.recordHeaderBytes + 1 + payload }

    /// A one-line description of the first way `given` differs from `own`, or nil.
    private static func difference(between given: PersistentState, and own: PersistentState) -> String? {
        if given.currentTerm != own.currentTerm { return "term \(given.currentTerm), the log has \(own.currentTerm)" }
        if given.votedFor != own.votedFor {
            return "vote \(given.votedFor.map(String.init) ?? "none"), the log has \(own.votedFor.map(String.init) ?? "none")"
        }
        if given.commitIndex != own.commitIndex { return "commit index \(given.commitIndex), the log has \(own.commitIndex)" }
        if given.compactedIndex != own.compactedIndex || given.compactedTerm != own.compactedTerm {
            return "compacted through \(given.compactedIndex), the log through \(own.compactedIndex)"
        }
        if given.snapshot.index != own.snapshot.index { return "snapshot through \(given.snapshot.index), the log's through \(own.snapshot.index)" }
        if given.entries.count != own.entries.count { return "\(given.entries.count) entries, the log has \(own.entries.count)" }
        if let index = given.entries.indices.first(where: { given.entries[$0] != own.entries[$0] }) {
            return "entry \(index + 1) differs"
        }
        return nil
    }
}
