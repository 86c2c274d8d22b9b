import CZlib
import Foundation

/// Merges trace files into one gzip file ordered by `ts`, copying every line byte for byte
/// (unknown event types and extra fields survive). Each input keeps its own order; a line
/// without a readable `ts` stays right after the line before it in its file.
public enum TraceMerge {
    /// What a merge did.
    public struct Summary: Hashable, Sendable {
        /// Lines written.
        public var lineCount: Int
        /// Lines whose `ts` could not be read (copied in place, and counted here).
        public var unreadableLineCount: Int
        /// Recoveries in the inputs (cut members, corrupt data).
        public var warnings: [TraceWarning]
    }

    /// Merges `inputs` into `output` (replaced atomically: written next to it, then renamed).
    public static func merge(inputs: [String], into output: String, compressionLevel: Int32 = 1) throws -> Summary {
        let sources = try inputs.map { try Source(path: $0) }
        let temporary = output + ".partial"
        unlink(temporary)
        let member = try GzipMemberWriter(path: temporary, level: compressionLevel)
        let encoder = TraceLineEncoder(initialCapacity: 512 * 1024)
        var summary = Summary(lineCount: 0, unreadableLineCount: 0, warnings: [])
        for source in sources { try source.advance() }
        while true {
            var best: Source?
            for source in sources where source.hasLine {
                if best == nil || source.timestampUs < best!.timestampUs { best = source }
            }
            guard let source = best else { break }
            encoder.appendRawLine(source.line)
            summary.lineCount += 1
            if !source.lineHasTimestamp { summary.unreadableLineCount += 1 }
            if encoder.count >= 256 * 1024 {
                try encoder.withBytes { try member.compress($0, flush: Z_SYNC_FLUSH) }
                encoder.removeAll()
            }
            try source.advance()
        }
        try encoder.withBytes { try member.compress($0, flush: Z_FINISH) }
        try member.finish()
        guard rename(temporary, output) == 0 else {
            throw TraceIOError(path: output, kind: .system(errno: errno), detail: "rename")
        }
        summary.warnings = sources.flatMap { $0.lines.warnings }
        return summary
    }

    /// One input: its current line and that line's `ts`.
    private final class Source {
        let lines: GzipLineReader
        let scanner = TraceLineScanner()
        var line = UnsafeRawBufferPointer(start: nil, count: 0)
        var hasLine = false
        var timestampUs = Int64.min
        var lineHasTimestamp = false

        init(path: String) throws { lines = try GzipLineReader(path: path) }

        func advance() throws {
            guard let next = try lines.nextLine() else { hasLine = false; return }
            hasLine = true
            guard case .bytes(let bytes) = next else {
                // Too long to hold: nothing can be copied; keep going with the next line.
                lineHasTimestamp = false
                line = UnsafeRawBufferPointer(start: nil, count: 0)
                return try advance()
            }
            line = bytes
            lineHasTimestamp = true
            switch try? scanner.scan(bytes) {
            case .record(let record)?: timestampUs = record.timestampUs
            case .unknownType(_, let timestamp?)?: timestampUs = timestamp
            default: lineHasTimestamp = false
            }
        }
    }
}
