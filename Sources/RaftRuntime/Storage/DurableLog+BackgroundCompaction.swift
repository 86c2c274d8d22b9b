#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RaftCore
import SerialAccess

/// A compaction whose heavy part runs off the log's thread, so a node's loop keeps its
/// heartbeats while a large log is rewritten (`DurableLog.startCompaction`).
///
/// 1. `startCompaction` (on the log's thread, O(1)): takes the live state as it is (a value:
///    no copy of the entries), the file offset it covers, and opens the new file and a
///    read-only view of the live one.
/// 2. `runInBackground` (any thread, once): writes the whole new file from that state and
///    syncs it — the part that takes seconds for a gigabyte.
/// 3. `finishCompaction` (on the log's thread): copies the records the log appended since
///    step 1 (they replay the same on the new file: records carry their own positions),
///    syncs that small tail, renames the new file over the log and syncs the directory.
/// A failure in 1 or 2 leaves the log untouched (the job is dropped); one after the rename
/// fails the log, as any failed write does.
public final class CompactionJob: StorageCompaction, @unchecked Sendable {
    let state: PersistentState
    let incarnation: Int
    let temporaryPath: String
    /// The new file.
    let output: Int32
    /// The live file, read-only, for the tail copy.
    let input: Int32
    /// Live-file bytes the state covers.
    let coveredBytes: Int
    /// Bytes of the new file written by the background part.
    private(set) var written = 0
    /// Set when the background part failed.
    private(set) var error: StorageError?
    private(set) var isWritten = false
    /// The hand-off between the log's thread and the background one, checked in debug builds.
    let access = SerialAccess("CompactionJob")

    init(state: PersistentState, incarnation: Int, temporaryPath: String, output: Int32, input: Int32, coveredBytes: Int) {
        self.state = state
        self.incarnation = incarnation
        self.temporaryPath = temporaryPath
        self.output = output
        self.input = input
        self.coveredBytes = coveredBytes
    }

    /// Writes and syncs the new file; call once, on any thread, before `finishCompaction`.
    public func runInBackground() {
        access.enter(); defer { access.leave() }
        precondition(!isWritten, "a compaction job runs once")
        do {
            written = try DurableLog.writeCompacted(state, incarnation: incarnation, to: output, file: temporaryPath)
            try FileSystem.syncData(output, file: temporaryPath)
        } catch let failure as StorageError {
            error = failure
        } catch {
            self.error = .system(operation: "compaction", file: temporaryPath, errno: EIO)
        }
        isWritten = true
    }
}

extension DurableLog {
    /// Starts a compaction of the live state whose heavy part `CompactionJob.runInBackground`
    /// does off this thread; `finishCompaction` completes it here. Throws (changing nothing)
    /// when a batch is pending, the log failed, or the files cannot be opened.
    public func startCompaction() throws -> (any StorageCompaction)? {
        try requireIdle("compact")
        let temporaryPath = Self.join(directory, LogFileFormat.temporaryFileName)
        let output = try FileSystem.openFile(temporaryPath, flags: O_RDWR | O_CREAT | O_TRUNC)
        let input: Int32
        do {
            input = try FileSystem.openFile(path, flags: O_RDONLY)
        } catch {
            FileSystem.closeDescriptor(output)
            try? FileSystem.removeIfPresent(temporaryPath)
            throw error
        }
        return CompactionJob(state: state, incarnation: incarnation, temporaryPath: temporaryPath, output: output, input: input,
                             coveredBytes: fileBytes)
    }

    /// Completes `job` (whose background part ran): appends what the log wrote since it
    /// started, syncs, renames the new file over the log and syncs the directory. Returns
    /// whether the log now is the compacted file; `false` (the log untouched, the job
    /// dropped) when the background part failed or the log changed underneath (a pending
    /// batch, a failure, a close). Throws only when the rename happened and the directory
    /// sync failed (the log is failed then, as after any failed write).
    @discardableResult
    public func finishCompaction(_ compaction: any StorageCompaction) throws -> Bool {
        guard let job = compaction as? CompactionJob else { return false }
        job.access.enter(); defer { job.access.leave() }
        precondition(job.isWritten, "finishCompaction before the job's background part ran")
        defer { FileSystem.closeDescriptor(job.input) }
        func drop() -> Bool {
            FileSystem.closeDescriptor(job.output)
            try? FileSystem.removeIfPresent(job.temporaryPath)
            return false
        }
        guard job.error == nil, (try? requireIdle("compact")) != nil, job.coveredBytes <= fileBytes else { return drop() }
        var written = job.written
        do {
            // The tail: records appended since the job started, copied as they are.
            let chunkBytes = StorageLimits.compactionChunkBytes
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkBytes, alignment: 16)
            defer { buffer.deallocate() }
            var offset = job.coveredBytes
            while offset < fileBytes {
                let count = try FileSystem.readSome(into: buffer, count: min(chunkBytes, fileBytes - offset), at: offset,
                                                    from: job.input, file: path)
                guard count > 0 else { throw StorageError.system(operation: "pread (the log ended early)", file: path, errno: EIO) }
                try FileSystem.writeAll(UnsafeRawBufferPointer(rebasing: buffer[..<count]), at: written, to: job.output, file: job.temporaryPath)
                written += count
                offset += count
            }
            try FileSystem.syncData(job.output, file: job.temporaryPath)
            try FileSystem.renameFile(job.temporaryPath, to: path)
        } catch {
            return drop()
        }
        replaceFile(descriptor: job.output, fileBytes: written, syncs: 2)
        compactionCount += 1
        try syncDirectory()
        return true
    }
}
