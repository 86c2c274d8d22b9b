/// What `DurableLog.repair(directory:)` did to a log file: where it cut it and exactly what
/// the cut dropped, in file order — each CRC-valid record found after the cut (what it
/// held) and the unreadable byte ranges around them.
public struct RepairReport: Hashable, Sendable, CustomStringConvertible {
    /// One piece of the dropped tail.
    public enum Dropped: Hashable, Sendable, CustomStringConvertible {
        /// A CRC-valid record of `bytes` bytes at `offset`; `summary` says what it held
        /// (`hard state term 5 vote 2`, `append 3 entries at 10...12`, `commit 11`,
        /// `truncate to 7`, `incarnation 4`, or why its payload does not decode).
        case record(offset: Int, bytes: Int, summary: String)
        /// Bytes in which no CRC-valid record starts (the first bad record among them).
        case unreadable(Range<Int>)

        /// One line: `offset 4317: lost hard state term 5 vote 2 (21 bytes)` or
        /// `offset 4211: 106 unreadable bytes (4211..<4317)`.
        public var description: String {
            switch self {
            case .record(let offset, let bytes, let summary):
                return "offset \(offset): lost \(summary) (\(bytes) bytes)"
            case .unreadable(let range):
                return "offset \(range.lowerBound): \(range.count) unreadable bytes (\(range.lowerBound)..<\(range.upperBound))"
            }
        }
    }

    /// The cut a repair made.
    public struct Cut: Hashable, Sendable {
        /// Where the file now ends: the start of its first bad record.
        public var offset: Int
        /// One line saying what was wrong with that record.
        public var reason: String
        /// Bytes removed from the end of the file.
        public var bytesDropped: Int
        /// The dropped tail in file order, its first `StorageLimits.repairListedPiecesMax`
        /// pieces (the counts below cover all of it).
        public var pieces: [Dropped]
        /// CRC-valid records dropped.
        public var lostRecordCount: Int
        /// Unreadable ranges dropped, and their bytes.
        public var unreadableRangeCount: Int
        public var unreadableBytes: Int

        /// Pieces of the dropped tail that `pieces` does not list.
        public var unlistedPieceCount: Int { lostRecordCount + unreadableRangeCount - pieces.count }

        /// What each listed lost record held, in file order.
        public var lostRecords: [String] {
            pieces.compactMap { if case .record(_, _, let summary) = $0 { return summary } else { return nil } }
        }
    }

    /// The log file.
    public var file: String
    /// Records kept before the cut (all of them when nothing was cut; the header is not counted).
    public var recordsKept: Int
    /// The cut, or nil when the log had no bad record and was left alone.
    public var cut: Cut?

    /// A report on `file`.
    public init(file: String, recordsKept: Int, cut: Cut?) {
        self.file = file
        self.recordsKept = recordsKept
        self.cut = cut
    }

    /// One line per listed piece of the dropped tail, one for the unlisted ones if any,
    /// then the summary (`description`).
    public var lines: [String] {
        guard let cut else { return [description] }
        var lines = cut.pieces.map(\.description)
        if cut.unlistedPieceCount > 0 {
            lines.append("… and \(cut.unlistedPieceCount) more pieces, not listed (repairListedPiecesMax \(StorageLimits.repairListedPiecesMax))")
        }
        return lines + [description]
    }

    /// The summary line.
    public var description: String {
        guard let cut else { return "\(file): nothing to repair: \(Self.count(recordsKept, "record")) and no bad record" }
        return "\(file): cut at offset \(cut.offset), dropped \(cut.bytesDropped) bytes: "
            + "\(Self.count(cut.lostRecordCount, "CRC-valid record")) lost, \(cut.unreadableBytes) unreadable bytes in "
            + "\(Self.count(cut.unreadableRangeCount, "range")); \(Self.count(recordsKept, "record")) kept (the first bad record: \(cut.reason))"
    }

    /// `1 record`, `2 records`.
    private static func count(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }
}
