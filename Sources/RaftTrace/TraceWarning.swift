/// Something a reader recovered from: a file cut by `kill -9`, corrupt bytes, a malformed
/// line it skipped. Reading goes on; the warning says what was lost and where.
public struct TraceWarning: Hashable, Sendable, CustomStringConvertible {
    /// The file concerned.
    public var path: String
    /// Byte offset in the (compressed) file, when the problem is in the gzip layer.
    public var byteOffset: Int?
    /// 1-based line number in the decompressed stream, when the problem is a line.
    public var line: Int?
    /// What happened and what was lost.
    public var message: String

    /// A warning about `path`.
    public init(path: String, byteOffset: Int? = nil, line: Int? = nil, message: String) {
        self.path = path
        self.byteOffset = byteOffset
        self.line = line
        self.message = message
    }

    public var description: String {
        if let line { return "\(path):\(line): \(message)" }
        if let byteOffset { return "\(path): byte \(byteOffset): \(message)" }
        return "\(path): \(message)"
    }
}
