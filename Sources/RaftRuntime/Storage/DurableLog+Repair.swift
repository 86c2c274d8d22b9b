#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension DurableLog {
    /// Deliberately repairs the log in `directory` that `open` refuses with
    /// `StorageError.corruption`: cuts the file at its first bad record (`ftruncate`, then
    /// `fdatasync`, whatever the fsync setting) and reports exactly what the cut dropped —
    /// each CRC-valid record after it, with what it held, and the unreadable byte ranges.
    /// A torn tail is cut the same way; a log without a bad record is left alone.
    ///
    /// What it drops may include a synced vote or acknowledged entries: a node repaired this
    /// way can vote twice in a term or forget entries it acknowledged. Read the report.
    ///
    /// Takes the directory's lock (never while a node runs on it) and creates nothing: a
    /// missing directory or log file is `StorageError.system` (open, ENOENT). A bad header
    /// (`.badHeader`) or a record that contradicts the ones before it (`.contradiction`)
    /// is not repaired: it throws, as `open` does, and changes nothing.
    public static func repair(directory: String) throws -> RepairReport {
        let path = join(directory, LogFileFormat.logFileName)
        let descriptor = try FileSystem.openFile(path, flags: O_RDWR)
        defer { FileSystem.closeDescriptor(descriptor) }
        let lockPath = join(directory, LogFileFormat.lockFileName)
        let lockDescriptor = try FileSystem.openFile(lockPath, flags: O_RDWR | O_CREAT)
        defer { FileSystem.closeDescriptor(lockDescriptor) }
        try FileSystem.lock(lockDescriptor, directory: directory, file: lockPath)

        let replayed = try replay(descriptor: descriptor, path: path)
        guard let bad = replayed.badRecord else {
            return RepairReport(file: path, recordsKept: replayed.records, cut: nil)
        }
        let cut = try survey(tailFrom: bad, descriptor: descriptor, path: path, fileBytes: replayed.fileBytes)
        _ = try Self.cut(descriptor: descriptor, path: path, at: bad.offset, sync: true)
        return RepairReport(file: path, recordsKept: replayed.records, cut: cut)
    }

    /// Walks the tail from the bad record to the end of the file: unreadable bytes up to
    /// the next CRC-valid record, then records in order while they are valid, and again.
    private static func survey(tailFrom bad: LogRecordScanner.BadRecord, descriptor: Int32, path: String,
                               fileBytes: Int) throws -> RepairReport.Cut {
        var cut = RepairReport.Cut(offset: bad.offset, reason: bad.reason, bytesDropped: fileBytes - bad.offset, pieces: [],
                                   lostRecordCount: 0, unreadableRangeCount: 0, unreadableBytes: 0)
        func list(_ piece: RepairReport.Dropped) {
            if cut.pieces.count < StorageLimits.repairListedPiecesMax { cut.pieces.append(piece) }
        }
        var scanner = LogRecordScanner(descriptor: descriptor, file: path, fileBytes: fileBytes, offset: bad.offset)
        var unreadableStart = bad.offset
        survey: while true {
            let valid = try scanner.seekValidRecord(after: unreadableStart)
            let unreadable = unreadableStart..<(valid ?? scanner.fileBytes)
            cut.unreadableRangeCount += 1
            cut.unreadableBytes += unreadable.count
            list(.unreadable(unreadable))
            guard valid != nil else { break survey }
            while true {
                switch try scanner.next() {
                case .end:
                    break survey
                case .bad(let next):
                    unreadableStart = next.offset
                    continue survey
                case .record(let offset, let type, let payload):
                    let summary: String
                    switch scanner.withPayload(payload, { LogRecordDecoder.decode(type: type, payload: $0) }) {
                    case .success(let record): summary = record.summary
                    case .failure(let malformed): summary = "undecodable record (\(malformed.reason))"
                    }
                    cut.lostRecordCount += 1
                    list(.record(offset: offset, bytes: scanner.offset - offset, summary: summary))
                }
            }
        }
        return cut
    }
}
