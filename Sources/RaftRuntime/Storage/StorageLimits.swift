/// Bounds of the durable log, and the compaction policy it suggests.
public enum StorageLimits {
    /// Bytes of one record, its 8-byte header included. An append larger than this is
    /// written as several consecutive append records; a single entry that cannot fit in
    /// one record is refused (`StorageError.invalidChange`).
    public static let recordBytesMax = 8 << 20

    /// Bytes read from the log file per `read(2)` while replaying it.
    public static let replayChunkBytes = 1 << 20

    /// Pieces of a dropped tail (lost records, unreadable ranges) a `RepairReport` lists
    /// one by one; it counts the rest.
    public static let repairListedPiecesMax = 100_000

    /// Bytes a compaction writes per `write(2)` (it never builds the whole file in memory).
    public static let compactionChunkBytes = 4 << 20

    /// Suggested policy: compact once the file holds more than this many times the bytes
    /// the live state needs …
    public static let compactionGrowthFactor = 2

    /// … and at least this many bytes more than the live state (so small logs never churn).
    public static let compactionSlackBytesMin = 64 << 20
}

extension StorageLimits {
    /// Payload bytes of the largest entry the log can hold (one entry alone in a record).
    public static let entryPayloadBytesMax = recordBytesMax - LogFileFormat.recordHeaderBytes - 1
        - LogFileFormat.appendHeaderBytes - LogFileFormat.entryHeaderBytes
}
