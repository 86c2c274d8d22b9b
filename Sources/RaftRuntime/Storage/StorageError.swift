#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the durable log could not be opened, changed or written: one line naming the file,
/// the byte offset and the field when there is one.
public enum StorageError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file does not start with a valid raftlog header (wrong magic, unknown version,
    /// nonzero flags, bad header CRC, or shorter than the header).
    case badHeader(file: String, reason: String)
    /// A record passed its CRC but contradicts the records before it (an append at a wrong
    /// position, a commit past the log, an unknown record type, a malformed payload, …):
    /// the file was written by a buggy or newer program, so it is not repaired silently.
    case contradiction(file: String, offset: Int, reason: String)
    /// A record that cannot be trusted (CRC mismatch, impossible length, …) with at least
    /// one CRC-valid record after it, first at `validRecordOffset`: not a torn tail but
    /// damage in the middle of the log, which may hold a synced vote or acknowledged
    /// entries. `open` refuses it and changes nothing; `DurableLog.repair(directory:)`
    /// (`raftlab node --repair`) cuts the log at `offset` and lists what that loses.
    case corruption(file: String, offset: Int, reason: String, validRecordOffset: Int)
    /// The snapshot file is torn or corrupt (wrong magic or version, a length that does not
    /// match the file, a CRC mismatch): it is never loaded, and the node does not start, since
    /// the log no longer holds the entries the snapshot covers.
    case badSnapshot(file: String, reason: String)
    /// A change given to `apply` or `compact` breaks the log's rules (a caller bug); nothing
    /// was written.
    case invalidChange(reason: String)
    /// A system call failed.
    case system(operation: String, file: String, errno: Int32)
    /// Another `DurableLog` (in this process or another one) holds the directory.
    case locked(directory: String)
    /// An earlier write or sync failed, so what is on disk is unknown: the log refuses every
    /// further change. Restart the node (reopening replays and repairs the file).
    case failed(file: String, cause: String)

    public var description: String {
        switch self {
        case .badHeader(let file, let reason):
            return "\(file): offset 0: bad header: \(reason)"
        case .contradiction(let file, let offset, let reason):
            return "\(file): offset \(offset): \(reason)"
        case .corruption(let file, let offset, let reason, let validRecordOffset):
            return "\(file): offset \(offset): \(reason), yet a CRC-valid record follows at offset \(validRecordOffset): corruption, not a torn tail, so nothing was cut; `raftlab node --repair` cuts the log at offset \(offset) and lists what is lost"
        case .badSnapshot(let file, let reason):
            return "\(file): bad snapshot, not loaded: \(reason)"
        case .invalidChange(let reason):
            return "invalid log change: \(reason)"
        case .system(let operation, let file, let errno):
            return "\(file): \(operation) failed: \(String(cString: strerror(errno))) (errno \(errno))"
        case .locked(let directory):
            return "\(directory): the data directory is in use by another DurableLog (lock held)"
        case .failed(let file, let cause):
            return "\(file): the log failed earlier and refuses changes until reopened: \(cause)"
        }
    }
}
