import RaftCore

/// The byte layout of the durable log file (docs/STORAGE_FORMAT.md is the prose version).
///
/// ```
/// header : magic "raftlog\n" (8) | u16 version = 1 | u16 flags = 0 | u32 CRC-32 of the 12 bytes before
/// record : u32 length | u32 CRC-32 of (length bytes ++ type ++ payload) | u8 type | payload
/// ```
/// Integers are little-endian. `length` counts the type byte and the payload.
enum LogFileFormat {
    /// First eight bytes of every log file.
    static let magic: [UInt8] = Array("raftlog\n".utf8)
    /// The only version this code reads and writes.
    static let version: UInt16 = 1
    /// Bytes of the file header.
    static let headerBytes = 16
    /// Bytes before a record's type byte: length and CRC.
    static let recordHeaderBytes = 8
    /// Name of the log inside the data directory.
    static let logFileName = "raft.log"
    /// Name of a log being created or compacted (removed when found at open).
    static let temporaryFileName = "raft.log.tmp"
    /// Name of the lock file that keeps a second process out of the directory.
    static let lockFileName = "LOCK"

    /// Bytes of an entry inside an append record, payload excluded: term, request, payload length.
    static let entryHeaderBytes = 20
    /// Bytes of an append record's payload before its entries: first index and count.
    static let appendHeaderBytes = 12
    /// Payload bytes of a hard-state record: term, vote tag, vote.
    static let hardStateBytes = 11
    /// Payload bytes of an incarnation, truncate or commit record: one u64.
    static let numberRecordBytes = 8
    /// Payload bytes of a compact record: index and term.
    static let compactBytes = 16

    /// The 16-byte file header.
    static var header: [UInt8] {
        var bytes = magic
        LittleEndian.append(version, to: &bytes)
        LittleEndian.append(UInt16(0), to: &bytes)
        LittleEndian.append(CRC32.checksum(bytes), to: &bytes)
        return bytes
    }

    /// Bytes one entry takes inside an append record.
    static func encodedBytes(of entry: Entry) -> Int { entryHeaderBytes + entry.payload.count }
}

/// What a record says (its type byte).
enum LogRecordType: UInt8, CaseIterable {
    /// u64 incarnation number (1, 2, 3, … one per open).
    case incarnation = 1
    /// u64 term, u8 vote tag (0 none, 1 some), u16 vote (0 when none).
    case hardState = 2
    /// u64 first index, u32 count, then per entry: u64 term, u64 request, u32 payload bytes, payload.
    case append = 3
    /// u64 length kept.
    case truncate = 4
    /// u64 commit index.
    case commit = 5
    /// u64 index, u64 term: the entries through `index` are in the snapshot file and dropped.
    case compact = 6

    /// The type bytes in use.
    static let rawValues: ClosedRange<UInt8> = incarnation.rawValue...compact.rawValue

    /// The name used in error messages.
    var name: String {
        switch self {
        case .incarnation: return "incarnation"
        case .hardState: return "hard-state"
        case .append: return "append"
        case .truncate: return "truncate"
        case .commit: return "commit"
        case .compact: return "compact"
        }
    }

    /// The payload sizes a well-formed record of this type can have: exact for the
    /// fixed-size types, at least one entry's header for an append. A cheap plausibility
    /// check before a CRC is computed over bytes that may not be a record at all.
    var payloadBytes: ClosedRange<Int> {
        switch self {
        case .incarnation, .truncate, .commit: return LogFileFormat.numberRecordBytes...LogFileFormat.numberRecordBytes
        case .hardState: return LogFileFormat.hardStateBytes...LogFileFormat.hardStateBytes
        case .compact: return LogFileFormat.compactBytes...LogFileFormat.compactBytes
        case .append:
            return (LogFileFormat.appendHeaderBytes + LogFileFormat.entryHeaderBytes)...(StorageLimits.recordBytesMax - LogFileFormat.recordHeaderBytes - 1)
        }
    }
}
