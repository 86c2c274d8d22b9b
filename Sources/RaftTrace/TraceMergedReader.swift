/// Reads several trace files as one stream ordered by `ts`, keeping each file's own order
/// (a k-way merge; ties go to the file listed first). Used for a run directory that has no
/// merged `trace.jsonl.gz`, or for files named one by one.
public final class TraceMergedReader {
    /// One reader per file, in the order given.
    public let readers: [TraceReader]
    private var heads: [TraceRecord?]
    private var headLines: [Int]
    /// Index in `readers` of the file the last record came from.
    public private(set) var currentReader = 0
    /// Line of the last record in its file.
    public private(set) var currentLine = 0

    /// Opens every file in `paths` (throws on the first that cannot be opened).
    public init(paths: [String], options: TraceReader.Options = TraceReader.Options()) throws {
        precondition(!paths.isEmpty, "nothing to read")
        readers = try paths.map { try TraceReader(path: $0, options: options) }
        heads = []
        headLines = []
        for reader in readers {
            heads.append(try reader.next())
            headLines.append(reader.lineNumber)
        }
    }

    /// Path of the file the last record came from.
    public var currentPath: String { readers[currentReader].path }

    /// The next record by `ts`, or `nil` when every file is done.
    public func next() throws -> TraceRecord? {
        if readers.count == 1 {
            // One file: no merging, no buffering of a head record.
            guard let record = heads[0] else { return nil }
            currentLine = headLines[0]
            heads[0] = try readers[0].next()
            headLines[0] = readers[0].lineNumber
            return record
        }
        var best = -1
        var bestTimestamp = Int64.max
        for (position, head) in heads.enumerated() {
            if let head, best < 0 || head.timestampUs < bestTimestamp {
                best = position
                bestTimestamp = head.timestampUs
            }
        }
        guard best >= 0, let record = heads[best] else { return nil }
        currentReader = best
        currentLine = headLines[best]
        heads[best] = try readers[best].next()
        headLines[best] = readers[best].lineNumber
        return record
    }

    /// Warnings of every file.
    public var warnings: [TraceWarning] { readers.flatMap(\.warnings) }
    /// Malformed lines skipped in every file.
    public var malformedLineCount: Int { readers.reduce(0) { $0 + $1.malformedLineCount } }
    /// Unknown event types skipped in every file, by name.
    public var unknownTypeCounts: [String: Int] {
        readers.reduce(into: [:]) { total, reader in total.merge(reader.unknownTypeCounts, uniquingKeysWith: +) }
    }
}
