/// What `DurableLog.open` cut from the end of a log file: the torn or corrupt tail it
/// found, where, and how many bytes it dropped. Every cut is reported; none is silent.
/// `open` cuts only a tail with no CRC-valid record in it (a bad record followed by a
/// valid one is `StorageError.corruption`, and nothing is cut).
public struct RecoveryReport: Hashable, Sendable, CustomStringConvertible {
    /// Why the tail could not be kept.
    public enum Cause: String, Hashable, Sendable {
        /// The last record ends past the end of the file (a write cut by a crash).
        case tornTail = "torn-tail"
        /// A record whose length is impossible, or whose CRC is wrong with bytes after it
        /// (none of which is a CRC-valid record).
        case corruptRecord = "corrupt-record"
    }

    /// The log file that was cut.
    public var file: String
    /// The byte offset where the file now ends (the start of the first bad record).
    public var offset: Int
    /// Bytes removed from the end of the file.
    public var bytesDropped: Int
    /// Records kept before the cut (the file header is not counted).
    public var recordsKept: Int
    /// The kind of damage.
    public var cause: Cause
    /// One line saying what was wrong with the first dropped record.
    public var reason: String

    /// A report of a cut at `offset` of `file`.
    public init(file: String, offset: Int, bytesDropped: Int, recordsKept: Int, cause: Cause, reason: String) {
        self.file = file
        self.offset = offset
        self.bytesDropped = bytesDropped
        self.recordsKept = recordsKept
        self.cause = cause
        self.reason = reason
    }

    public var description: String {
        "\(file): cut at offset \(offset), dropped \(bytesDropped) bytes after \(recordsKept) records (\(cause.rawValue): \(reason); no CRC-valid record after it)"
    }
}
