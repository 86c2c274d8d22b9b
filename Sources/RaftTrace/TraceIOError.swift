import Foundation

/// Why a trace file could not be opened, read or written: one line naming the file.
public struct TraceIOError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Hashable, Sendable {
        /// The file does not exist.
        case missing
        /// The file has no bytes.
        case empty
        /// The file does not start with the gzip magic bytes (`1f 8b`).
        case notGzip
        /// A system call failed with `errno`.
        case system(errno: Int32)
        /// zlib reported an error code.
        case zlib(code: Int32)
        /// A line is malformed and the reader is strict (`line` is set).
        case malformedLine
        /// The writer was already closed.
        case closed
        /// The compressor process (`CompressorCommand`) could not start, or failed.
        case compressor
    }

    /// The file concerned.
    public var path: String
    /// What went wrong.
    public var kind: Kind
    /// 1-based line number, for `malformedLine`.
    public var line: Int?
    /// Details: the failing call, zlib's message, or the line's problem.
    public var detail: String

    /// An error about `path`.
    public init(path: String, kind: Kind, line: Int? = nil, detail: String) {
        self.path = path
        self.kind = kind
        self.line = line
        self.detail = detail
    }

    public var description: String {
        let location = line.map { "\(path):\($0)" } ?? path
        switch kind {
        case .missing: return "\(location): \(detail.isEmpty ? "no such file" : detail)"
        case .empty: return "\(location): empty file (a trace holds at least one gzip member)"
        case .notGzip: return "\(location): not a gzip file (\(detail))"
        case .system(let errno): return "\(location): \(detail) failed: \(String(cString: strerror(errno)))"
        case .zlib(let code): return "\(location): zlib error \(code): \(detail)"
        case .malformedLine: return "\(location): malformed line: \(detail)"
        case .closed: return "\(location): \(detail) after close"
        case .compressor: return "\(location): compressor \(detail)"
        }
    }
}
