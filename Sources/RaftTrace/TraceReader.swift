/// Reads the events of one trace file, streaming, with flat memory.
///
/// Handles what real runs leave behind: several gzip members (one per incarnation), a
/// member cut by `kill -9` (every complete line before the cut is returned and a warning
/// names the byte offset), malformed lines (skipped, counted and reported with their line
/// number; thrown in strict mode), and event types this code does not know (counted,
/// skipped). A missing, empty or non-gzip file fails in `init` with a `TraceIOError`.
///
/// ```swift
/// let reader = try TraceReader(path: "traces/run-1/node-0.jsonl.gz")
/// while let record = try reader.next() { print(reader.lineNumber, record.type) }
/// for warning in reader.warnings { print("warning:", warning) }
/// ```
public final class TraceReader {
    /// How to treat bad lines.
    public struct Options: Hashable, Sendable {
        /// Throw on the first malformed line instead of skipping it.
        public var strict: Bool
        /// Malformed lines described in `warnings` (the rest are only counted).
        public var malformedLinesReportedMax: Int

        /// Lenient reading, reporting the first 20 malformed lines.
        public init(strict: Bool = false, malformedLinesReportedMax: Int = 20) {
            self.strict = strict
            self.malformedLinesReportedMax = malformedLinesReportedMax
        }
    }

    /// The file read.
    public var path: String { lines.path }
    /// 1-based line number of the record last returned by `next()`.
    public private(set) var lineNumber = 0
    /// Records returned so far.
    public private(set) var recordCount = 0
    /// Malformed lines skipped so far.
    public private(set) var malformedLineCount = 0
    /// Lines of unknown event types skipped so far, by type name.
    public private(set) var unknownTypeCounts: [String: Int] = [:]
    /// Recoveries so far: cut or corrupt gzip data, dropped partial lines, and the first
    /// `Options.malformedLinesReportedMax` malformed lines.
    public var warnings: [TraceWarning] { (lines.warnings + malformedWarnings).sorted { ($0.line ?? 0, $0.byteOffset ?? 0) < ($1.line ?? 0, $1.byteOffset ?? 0) } }
    /// Size of the file in bytes, compressed.
    public var fileBytes: Int { lines.fileBytes }

    let options: Options
    private let lines: GzipLineReader
    private let scanner = TraceLineScanner()
    private var malformedWarnings: [TraceWarning] = []

    /// Opens `path`; throws `TraceIOError` if it is missing, empty, unreadable or not gzip.
    public init(path: String, options: Options = Options()) throws {
        lines = try GzipLineReader(path: path)
        self.options = options
    }

    /// The next record, or `nil` at the end of the file. Throws `TraceIOError` on a read
    /// error, or (strict mode) on a malformed line.
    public func next() throws -> TraceRecord? {
        while let line = try lines.nextLine() {
            switch line {
            case .tooLong:
                try malformed("line longer than \(TraceSchema.lineBytesMax) bytes")
            case .bytes(let bytes):
                do {
                    switch try scanner.scan(bytes) {
                    case .record(let record):
                        lineNumber = lines.lineNumber
                        recordCount += 1
                        return record
                    case .unknownType(let name, _):
                        unknownTypeCounts[name, default: 0] += 1
                    }
                } catch let error as TraceLineError {
                    try malformed(error.reason)
                }
            }
        }
        return nil
    }

    /// Calls `body` with every remaining record and its line number.
    public func forEach(_ body: (TraceRecord, Int) throws -> Void) throws {
        while let record = try next() { try body(record, lineNumber) }
    }

    private func malformed(_ reason: String) throws {
        if options.strict {
            throw TraceIOError(path: path, kind: .malformedLine, line: lines.lineNumber, detail: reason)
        }
        malformedLineCount += 1
        if malformedWarnings.count < options.malformedLinesReportedMax {
            malformedWarnings.append(TraceWarning(path: path, line: lines.lineNumber, message: "malformed line skipped: \(reason)"))
        }
    }
}
