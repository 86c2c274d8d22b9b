/// Why bytes from a connection are not a valid frame (or why a frame cannot be encoded).
/// The description is one line; the connection that sent the bytes should be closed.
public enum WireError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A frame of `bytes` (header included) exceeds `limit` (`RuntimeLimits.frameBytesMax`).
    case frameTooLarge(bytes: Int, limit: Int)
    /// The length field says `length`, less than the version and kind bytes it must cover.
    case frameTooShort(length: Int)
    /// The version byte is not one this node speaks.
    case unsupportedVersion(UInt8)
    /// The kind byte is not a known `FrameKind`.
    case unknownKind(UInt8)
    /// The body is malformed: `field` at byte `offset` of the frame (the length prefix is
    /// byte 0) broke the rule in `reason`.
    case malformed(kind: FrameKind, field: String, offset: Int, reason: String)
    /// The connection ended `bytesBuffered` bytes into a frame.
    case endedMidFrame(bytesBuffered: Int)

    public var description: String {
        switch self {
        case .frameTooLarge(let bytes, let limit):
            return "frame of \(bytes) bytes exceeds frameBytesMax \(limit)"
        case .frameTooShort(let length):
            return "frame length \(length) is shorter than its version and kind bytes (2)"
        case .unsupportedVersion(let version):
            return "unsupported wire version \(version) (this node speaks version \(WireFrame.version))"
        case .unknownKind(let kind):
            return "unknown frame kind \(kind) (known: 1...\(FrameKind.allCases.count))"
        case .malformed(let kind, let field, let offset, let reason):
            return "malformed \(kind) frame at byte \(offset) (\(field)): \(reason)"
        case .endedMidFrame(let bytes):
            return "connection ended \(bytes) bytes into a frame"
        }
    }
}
