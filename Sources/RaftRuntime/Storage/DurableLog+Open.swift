#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RaftCore

/// What replaying a log file found.
struct ReplayedLog {
    var state = PersistentState()
    var shape = LogShape()
    var entryBytes = 0
    var fileBytes = 0
    /// Records replayed (the file header is not counted).
    var records = 0
    /// The first record replay could not trust (it stopped there), if any.
    var badRecord: LogRecordScanner.BadRecord?
    var recovery: RecoveryReport?
    var syncCount = 0
    var directorySyncCount = 0
}

extension DurableLog {
    /// Opens (creating if needed) the log in `directory`: creates the directory with mode
    /// 0700 when missing (and syncs its parent, so the new entry is durable), takes its
    /// lock, replays the file, cuts a torn tail (and reports it in `recovery`), then writes
    /// this incarnation's record, synced when `fsync` is on.
    ///
    /// A tail is torn, and cut, only when no CRC-valid record follows its first bad record.
    /// A bad record with a valid one after it is damage in the middle of the log: `open`
    /// throws `StorageError.corruption` naming the file and the offset, and changes
    /// nothing (not even the incarnation record); `repair(directory:)` is the deliberate
    /// way out.
    ///
    /// Throws `StorageError.badHeader` for a file that is not a version-1 raftlog,
    /// `.contradiction` for a CRC-valid record that breaks the log's rules (the file and
    /// offset are named; nothing is cut), `.locked` when another `DurableLog` holds the
    /// directory, and `.system` when a system call fails.
    public static func open(directory: String, fsync: Bool) throws -> DurableLog {
        let createdDirectories = try FileSystem.makeDirectory(directory, mode: 0o700)
        let lockPath = join(directory, LogFileFormat.lockFileName)
        let path = join(directory, LogFileFormat.logFileName)
        let lockDescriptor = try FileSystem.openFile(lockPath, flags: O_RDWR | O_CREAT)
        var descriptor: Int32 = -1
        let replayed: ReplayedLog
        do {
            try FileSystem.lock(lockDescriptor, directory: directory, file: lockPath)
            let temporaryPath = join(directory, LogFileFormat.temporaryFileName)
            try FileSystem.removeIfPresent(temporaryPath)
            let snapshot = try SnapshotFile.read(directory: directory)
            var isDirectory = false
            var creationSyncs = (file: 0, directory: 0)
            if !FileSystem.exists(path, isDirectory: &isDirectory) {
                creationSyncs = try createEmptyLog(path: path, temporaryPath: temporaryPath, directory: directory)
            }
            descriptor = try FileSystem.openFile(path, flags: O_RDWR)
            var found = try replay(descriptor: descriptor, path: path, snapshot: snapshot ?? .none)
            try cutTornTail(of: &found, descriptor: descriptor, path: path, fsync: fsync)
            found.syncCount += creationSyncs.file
            found.directorySyncCount += createdDirectories + creationSyncs.directory
            replayed = found
        } catch {
            if descriptor >= 0 { FileSystem.closeDescriptor(descriptor) }
            FileSystem.closeDescriptor(lockDescriptor)
            throw error
        }
        let log = DurableLog(directory: directory, path: path, fsync: fsync, replayed: replayed,
                             descriptor: descriptor, lockDescriptor: lockDescriptor)
        try log.recordIncarnation() // on failure `log` closes both descriptors as it goes away
        return log
    }

    /// Writes a header-only log under a temporary name, syncs it and renames it into place,
    /// so `path` never exists without a whole header. Returns the syncs it made (of the
    /// file, and of the directory after the rename).
    static func createEmptyLog(path: String, temporaryPath: String, directory: String) throws -> (file: Int, directory: Int) {
        let descriptor = try FileSystem.openFile(temporaryPath, flags: O_RDWR | O_CREAT | O_EXCL)
        defer { FileSystem.closeDescriptor(descriptor) }
        try LogFileFormat.header.withUnsafeBytes { _ = try FileSystem.writeAll($0, at: 0, to: descriptor, file: temporaryPath) }
        try FileSystem.syncData(descriptor, file: temporaryPath)
        try FileSystem.renameFile(temporaryPath, to: path)
        try FileSystem.syncDirectory(directory)
        return (1, 1)
    }

    /// Reads the whole file: header, then records until the end or the first bad one
    /// (`badRecord`). Changes nothing.
    static func replay(descriptor: Int32, path: String, snapshot: Snapshot = .none) throws -> ReplayedLog {
        let size = try FileSystem.size(of: descriptor, file: path)
        try checkHeader(descriptor: descriptor, path: path, fileBytes: size)
        var scanner = LogRecordScanner(descriptor: descriptor, file: path, fileBytes: size, offset: LogFileFormat.headerBytes)
        var replayed = ReplayedLog()
        replayed.state.snapshot = snapshot
        replayed.shape.snapshotIndex = snapshot.index
        scan: while true {
            switch try scanner.next() {
            case .end:
                break scan
            case .bad(let bad):
                replayed.badRecord = bad
                break scan
            case .record(let offset, let type, let payload):
                let decoded = scanner.withPayload(payload) { LogRecordDecoder.decode(type: type, payload: $0) }
                let record: LogRecord
                switch decoded {
                case .failure(let malformed):
                    throw StorageError.contradiction(file: path, offset: offset, reason: malformed.reason)
                case .success(let value):
                    record = value
                }
                if let reason = replayed.shape.apply(record) ?? replayed.state.contradiction(record) {
                    let name = LogRecordType(rawValue: type)?.name ?? "unknown"
                    throw StorageError.contradiction(file: path, offset: offset, reason: "\(name) record: \(reason)")
                }
                replayed.entryBytes += replayed.state.applyLogRecord(record)
                replayed.records += 1
            }
        }
        replayed.fileBytes = scanner.fileBytes
        return replayed
    }

    /// Cuts the tail from the bad record replay stopped at (`ftruncate`, then `fdatasync`
    /// when `fsync` is on) and reports it in `recovery`, unless a CRC-valid record follows
    /// the bad one: then the tail is not torn but corrupt, and it throws
    /// `StorageError.corruption` without changing the file.
    static func cutTornTail(of replayed: inout ReplayedLog, descriptor: Int32, path: String, fsync: Bool) throws {
        guard let bad = replayed.badRecord else { return }
        var search = LogRecordScanner(descriptor: descriptor, file: path, fileBytes: replayed.fileBytes, offset: bad.offset)
        if let valid = try search.seekValidRecord(after: bad.offset) {
            throw StorageError.corruption(file: path, offset: bad.offset, reason: bad.reason, validRecordOffset: valid)
        }
        replayed.syncCount += try cut(descriptor: descriptor, path: path, at: bad.offset, sync: fsync)
        replayed.recovery = RecoveryReport(file: path, offset: bad.offset, bytesDropped: replayed.fileBytes - bad.offset,
                                           recordsKept: replayed.records, cause: bad.cause, reason: bad.reason)
        replayed.fileBytes = bad.offset
    }

    /// Truncates the file to `offset` bytes and, when `sync` is on, syncs it; returns the syncs made.
    static func cut(descriptor: Int32, path: String, at offset: Int, sync: Bool) throws -> Int {
        try FileSystem.truncateFile(descriptor, to: offset, file: path)
        guard sync else { return 0 }
        try FileSystem.syncData(descriptor, file: path)
        return 1
    }

    /// Throws `badHeader` unless the file starts with a version-1 raftlog header.
    static func checkHeader(descriptor: Int32, path: String, fileBytes: Int) throws {
        let headerBytes = LogFileFormat.headerBytes
        guard fileBytes >= headerBytes else {
            throw StorageError.badHeader(file: path, reason: "the file is \(fileBytes) bytes, shorter than the \(headerBytes)-byte header")
        }
        var header = [UInt8](repeating: 0, count: headerBytes)
        let read = try header.withUnsafeMutableBytes {
            try FileSystem.readSome(into: $0, count: headerBytes, at: 0, from: descriptor, file: path)
        }
        guard read == headerBytes else {
            throw StorageError.badHeader(file: path, reason: "read \(read) of the \(headerBytes) header bytes")
        }
        guard Array(header[0..<8]) == LogFileFormat.magic else {
            let shown = header[0..<8].map { String($0, radix: 16) }.joined(separator: " ")
            throw StorageError.badHeader(file: path, reason: "magic is \(shown), not a raftlog file (expected \"raftlog\\n\")")
        }
        let (version, flags, storedCRC) = header.withUnsafeBytes {
            (LittleEndian.load(UInt16.self, at: 8, from: $0), LittleEndian.load(UInt16.self, at: 10, from: $0),
             LittleEndian.load(UInt32.self, at: 12, from: $0))
        }
        let computedCRC = CRC32.checksum(Array(header[0..<12]))
        guard storedCRC == computedCRC else {
            throw StorageError.badHeader(file: path, reason: "header CRC mismatch (stored \(storedCRC), computed \(computedCRC))")
        }
        guard version == LogFileFormat.version else {
            throw StorageError.badHeader(file: path, reason: "unsupported version \(version) (this program reads version \(LogFileFormat.version))")
        }
        guard flags == 0 else {
            throw StorageError.badHeader(file: path, reason: "unknown flags \(flags) (version 1 defines none)")
        }
    }

    /// `directory/name`.
    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}

extension PersistentState {
    /// What `record` contradicts in the entries themselves (the shape has only numbers): a
    /// compaction through an entry the log holds with another term.
    func contradiction(_ record: LogRecord) -> String? {
        guard case .compact(let index, let term) = record, index > compactedIndex, index <= lastIndex,
              entries[index - compactedIndex - 1].term != term else { return nil }
        return "compact through \(index) of term \(term), but the log holds term \(entries[index - compactedIndex - 1].term) there"
    }

    /// Applies a record that passed `LogShape`'s rules; returns the change in the bytes the
    /// entries take in append records.
    mutating func applyLogRecord(_ record: LogRecord) -> Int {
        switch record {
        case .incarnation:
            return 0
        case .hardState(let term, let votedFor):
            currentTerm = term
            self.votedFor = votedFor
            return 0
        case .append(_, let newEntries):
            entries.append(contentsOf: newEntries)
            return newEntries.reduce(0) { $0 + LogFileFormat.encodedBytes(of: $1) }
        case .truncate(let length):
            let dropped = entries[(length - compactedIndex)...].reduce(0) { $0 + LogFileFormat.encodedBytes(of: $1) }
            entries.removeSubrange((length - compactedIndex)...)
            return -dropped
        case .compact(let index, let term):
            let count = index <= lastIndex ? index - compactedIndex : entries.count
            let dropped = entries[..<count].reduce(0) { $0 + LogFileFormat.encodedBytes(of: $1) }
            entries.removeSubrange(..<count)
            compactedIndex = index
            compactedTerm = term
            return -dropped
        case .commit(let index):
            commitIndex = index
            return 0
        }
    }
}
