#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RaftCore

/// A node's durable state (term, vote, log, commit index, incarnation) as an append-only
/// file of CRC-checked records, with group commit; the latest snapshot in a file of its own
/// (`SnapshotFile`), written before the records that drop the entries it covers.
///
/// Use it from one thread (the node's event loop); it is not `Sendable`.
///
/// ```swift
/// let log = try DurableLog.open(directory: "data/node-1", fsync: true)
/// var node = RaftNode(id: 1, members: [0, 1, 2], options: .standard)
/// _ = node.step(.restart(log.state))            // incarnation log.incarnation begins
/// // per batch of inputs:
/// log.apply(changesFromThisBatch)               // checks and encodes, no system call
/// let syncUs = try log.commit()                 // one write(2), one fdatasync when needed
/// // … only now send the batch's messages and deliver its entries.
/// ```
///
/// `commit()` syncs when the batch holds a hard-state, append or truncate record (and
/// `fsync` is on); a batch of commit-index records only is written without a sync (see
/// docs/STORAGE_FORMAT.md for why that is safe and what a power loss costs).
///
/// After a failed write or sync the log refuses every further call (`StorageError.failed`):
/// what reached the disk is unknown, and retrying an fsync after an error is not safe.
/// Reopen the directory (restart the node) to replay and repair the file.
public final class DurableLog {
    /// The data directory.
    public let directory: String
    /// The log file inside it.
    public let path: String
    /// Whether `commit()` calls `fdatasync` for batches that need it.
    public let fsync: Bool
    /// Term, vote, entries and commit index as of the last applied change (durable once
    /// `commit()` returned). `appliedIndex` is always `nil` (the application's progress is not
    /// stored here: `NodeHost.start` sets it from `RaftConfig.appliedIndex`).
    public private(set) var state: PersistentState
    /// This incarnation: 1 on the first open of a directory, +1 on every open; durable
    /// (when `fsync` is on) before `open` returns.
    public private(set) var incarnation: Int
    /// The torn or corrupt tail `open` cut, if it cut one.
    public let recovery: RecoveryReport?
    /// Bytes of the log file, header included (pending batch excluded).
    public private(set) var fileBytes: Int
    /// Successful `fdatasync` calls on the log file since `open` began (its own sync of the
    /// incarnation record and of a repaired tail included; a compaction adds one).
    public private(set) var syncCount = 0
    /// `pwrite` calls on the log file since `open` began (a batch normally takes one).
    public private(set) var writeCount = 0
    /// `fsync` calls on directories since `open` began: the parent of each directory `open`
    /// created, the data directory after a new log file is renamed into place, and after
    /// each compaction's rename.
    public private(set) var directorySyncCount = 0
    /// Compactions done since `open` (`compact(to:)` and background ones that took effect).
    public internal(set) var compactionCount = 0
    /// When `shouldCompact` says yes: by default `StorageLimits.compactionGrowthFactor` and
    /// `StorageLimits.compactionSlackBytesMin`; a test may lower them to watch compactions.
    public var compactionPolicy = (growthFactor: StorageLimits.compactionGrowthFactor,
                                   slackBytesMin: StorageLimits.compactionSlackBytesMin)

    /// Encoded records waiting for `commit()`.
    private var batch: [UInt8] = []
    /// A snapshot waiting for `commit()`, which writes it before `batch`.
    private var pendingSnapshot: Snapshot?
    /// Snapshot files written since `open`.
    public private(set) var snapshotWriteCount = 0
    /// Called once, after the next snapshot file is durable and before the batch's records
    /// are written (the `snapshot-written` failpoint).
    var afterSnapshotFileWritten: (() -> Void)?
    /// Whether `batch` holds a record that must be synced before messages leave.
    private var batchNeedsSync = false
    /// The rules' view of `state` (including the pending batch).
    private var shape: LogShape
    /// Bytes the entries of `state` take in append records (for `liveBytes`).
    private var entryBytes: Int
    /// The open log file.
    private var descriptor: Int32
    /// The open lock file (held while this object lives).
    private var lockDescriptor: Int32
    /// Set by a failed write or sync; every later call throws it.
    private var failure: StorageError?

    /// Batch capacity kept between commits; a larger buffer is released after its commit.
    private static let batchCapacityKeptBytesMax = 16 << 20

    init(directory: String, path: String, fsync: Bool, replayed: ReplayedLog, descriptor: Int32, lockDescriptor: Int32) {
        self.directory = directory
        self.path = path
        self.fsync = fsync
        self.state = replayed.state
        self.incarnation = replayed.shape.incarnation
        self.recovery = replayed.recovery
        self.fileBytes = replayed.fileBytes
        self.shape = replayed.shape
        self.entryBytes = replayed.entryBytes
        self.descriptor = descriptor
        self.lockDescriptor = lockDescriptor
        self.syncCount = replayed.syncCount
        self.directorySyncCount = replayed.directorySyncCount
    }

    deinit { close() }

    /// Bytes encoded by `apply` and not yet written.
    public var batchBytes: Int { batch.count }

    /// Encodes `changes` into the pending batch (no system call). The changes are checked
    /// first, all of them: an append must start at the log's length + 1, a truncation must
    /// keep at least the commit index and at most the log, a commit index must not pass the
    /// log nor go back, a term must not go back, a vote must name a node in range, an
    /// entry must fit in one record (`StorageLimits.entryPayloadBytesMax`).
    ///
    /// A violation is a caller bug and must never reach the disk: the whole pending batch
    /// is discarded, nothing of it is written, and the next `commit()` (and every call after
    /// it) throws `StorageError.invalidChange` naming the change and the rule.
    public func apply(_ changes: [PersistentChange]) {
        guard failure == nil else { return }
        switch check(changes) {
        case .failure(let violation):
            batch.removeAll()
            batchNeedsSync = false
            pendingSnapshot = nil
            failure = violation
        case .success(let checked):
            shape = checked
            for change in changes { encode(change) }
        }
    }

    /// The log's shape after `changes`, or the first rule they break, given the log as it
    /// stands (pending batch included).
    private func check(_ changes: [PersistentChange]) -> Result<LogShape, StorageError> {
        var checked = shape
        for (position, change) in changes.enumerated() {
            if case .append(_, let entries) = change,
               let large = entries.first(where: { $0.payload.count > StorageLimits.entryPayloadBytesMax }) {
                return .failure(.invalidChange(reason: "change \(position + 1) of \(changes.count): an entry of \(large.payload.count) payload bytes exceeds entryPayloadBytesMax \(StorageLimits.entryPayloadBytesMax)"))
            }
            if case .snapshot(let snapshot) = change {
                guard snapshot.index > checked.snapshotIndex else {
                    return .failure(.invalidChange(reason: "change \(position + 1) of \(changes.count): a snapshot through \(snapshot.index) does not replace the one through \(checked.snapshotIndex)"))
                }
                checked.snapshotIndex = snapshot.index
                continue
            }
            if let record = Self.record(of: change), let reason = checked.apply(record) {
                return .failure(.invalidChange(reason: "change \(position + 1) of \(changes.count): \(reason)"))
            }
        }
        return .success(checked)
    }

    /// Writes the pending batch with one `write(2)` and, when it holds a hard-state, append
    /// or truncate record and `fsync` is on, one `fdatasync`. Returns that sync's duration
    /// in microseconds, or `nil` when it did not sync (empty batch, commit indexes only, or
    /// `fsync` off). After it returns, the batch's messages may leave.
    @discardableResult
    public func commit() throws -> UInt64? {
        if let failure { throw failure }
        if let snapshot = pendingSnapshot {
            // Before the records: a compact record must never be durable without its snapshot.
            do {
                let syncs = try SnapshotFile.write(snapshot, directory: directory, fsync: fsync)
                directorySyncCount += syncs.directory
            } catch let error as StorageError {
                throw fail(error)
            }
            pendingSnapshot = nil
            snapshotWriteCount += 1
            if let hook = afterSnapshotFileWritten {
                afterSnapshotFileWritten = nil
                hook()
            }
        }
        guard !batch.isEmpty else { return nil }
        let needsSync = batchNeedsSync && fsync
        do {
            let calls = try batch.withUnsafeBytes { try FileSystem.writeAll($0, at: fileBytes, to: descriptor, file: path) }
            writeCount += calls
        } catch let error as StorageError {
            // Best effort: drop a partial record so that this process's view stays simple.
            _ = ftruncate(descriptor, off_t(fileBytes))
            throw fail(error)
        }
        fileBytes += batch.count
        if batch.capacity > Self.batchCapacityKeptBytesMax {
            batch = []
        } else {
            batch.removeAll(keepingCapacity: true)
        }
        batchNeedsSync = false
        guard needsSync else { return nil }
        return try timedSync()
    }

    /// Closes the file and releases the directory lock (also done on deinit). Pending
    /// changes that were not committed are dropped; later calls throw.
    public func close() {
        if descriptor >= 0 { FileSystem.closeDescriptor(descriptor) }
        if lockDescriptor >= 0 { FileSystem.closeDescriptor(lockDescriptor) }
        descriptor = -1
        lockDescriptor = -1
        if failure == nil { failure = .failed(file: path, cause: "closed") }
    }

    // MARK: Internals shared with compaction

    /// The pending batch is empty and the log is healthy.
    func requireIdle(_ operation: String) throws {
        if let failure { throw failure }
        guard batch.isEmpty && pendingSnapshot == nil else {
            throw StorageError.invalidChange(reason: "\(operation) with \(batch.count) uncommitted bytes\(pendingSnapshot == nil ? "" : " and a snapshot"): call commit() first")
        }
    }

    /// Adopts the file a compaction wrote (already synced and renamed into place).
    func replaceFile(descriptor newDescriptor: Int32, fileBytes newBytes: Int, syncs: Int) {
        FileSystem.closeDescriptor(descriptor)
        descriptor = newDescriptor
        fileBytes = newBytes
        syncCount += syncs
    }

    /// Syncs the data directory (after a rename into it); a failure fails the log.
    func syncDirectory() throws {
        do {
            try FileSystem.syncDirectory(directory)
        } catch let error as StorageError {
            throw fail(error)
        }
        directorySyncCount += 1
    }

    /// Bytes the entries of `state` take in append records.
    var liveEntryBytes: Int { entryBytes }

    /// Marks the log failed with `error` and returns it for throwing.
    func fail(_ error: StorageError) -> StorageError {
        let failed = StorageError.failed(file: path, cause: error.description)
        failure = failed
        return error
    }

    private func timedSync() throws -> UInt64 {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            try FileSystem.syncData(descriptor, file: path)
        } catch let error as StorageError {
            throw fail(error)
        }
        syncCount += 1
        let elapsed = (clock.now - start).components
        return UInt64(elapsed.seconds) * 1_000_000 + UInt64(elapsed.attoseconds / 1_000_000_000_000)
    }

    /// Encodes one checked change (its shape is applied already) and applies it to `state`.
    private func encode(_ change: PersistentChange) {
        switch change {
        case .hardState(let term, let votedFor):
            LogRecordEncoder.appendHardState(term: term, votedFor: votedFor, to: &batch)
            batchNeedsSync = true
        case .append(let firstIndex, let entries):
            guard !entries.isEmpty else { return }
            LogRecordEncoder.appendEntries(firstIndex: firstIndex, entries: entries[...], to: &batch)
            batchNeedsSync = true
        case .truncate(let length):
            LogRecordEncoder.appendTruncate(length: length, to: &batch)
            batchNeedsSync = true
        case .commit(let index):
            LogRecordEncoder.appendCommit(index: index, to: &batch)
        case .snapshot(let snapshot):
            pendingSnapshot = snapshot
            state.snapshot = snapshot
            return
        case .compact(let index, let term):
            LogRecordEncoder.appendCompact(index: index, term: term, to: &batch)
            batchNeedsSync = true
        }
        entryBytes += state.applyLogRecord(Self.record(of: change)!)
    }

    /// Writes and syncs this incarnation's record (called once by `open`).
    func recordIncarnation() throws {
        let next = incarnation + 1
        LogRecordEncoder.appendIncarnation(next, to: &batch)
        precondition(shape.apply(.incarnation(next)) == nil, "incarnations only grow")
        incarnation = next
        batchNeedsSync = true
        try commit()
    }

    /// The record a change is written as (`nil` for a snapshot: it goes to its own file).
    static func record(of change: PersistentChange) -> LogRecord? {
        switch change {
        case .hardState(let term, let votedFor): return .hardState(term: term, votedFor: votedFor)
        case .append(let firstIndex, let entries): return .append(firstIndex: firstIndex, entries: entries)
        case .truncate(let length): return .truncate(length: length)
        case .commit(let index): return .commit(index: index)
        case .snapshot: return nil
        case .compact(let index, let term): return .compact(index: index, term: term)
        }
    }
}
