import NIOCore
import RaftCore

/// Strict, bounds-checked reads from one frame's body. Every failure is a
/// `WireError.malformed` naming the frame kind, the field and its byte offset in the frame.
struct WireReader {
    private(set) var body: ByteBuffer
    let kind: FrameKind
    /// Frame offset of the body's first byte (the header comes before it).
    private let bodyOffset = WireFrame.headerBytes
    private let bodyBytes: Int

    init(body: ByteBuffer, kind: FrameKind) {
        self.body = body
        self.kind = kind
        bodyBytes = body.readableBytes
    }

    /// Frame offset of the next byte.
    var offset: Int { bodyOffset + bodyBytes - body.readableBytes }
    /// Bytes left in the body.
    var bytesLeft: Int { body.readableBytes }

    func failure(_ field: String, _ reason: String, at offset: Int? = nil) -> WireError {
        .malformed(kind: kind, field: field, offset: offset ?? self.offset, reason: reason)
    }

    mutating func integer<T: FixedWidthInteger>(_ type: T.Type, _ field: @autoclosure () -> String) throws -> T {
        guard let value = body.readInteger(as: T.self) else {
            throw failure(field(), "needs \(MemoryLayout<T>.size) bytes, \(bytesLeft) left")
        }
        return value
    }

    /// A u64 that must fit an `Int` (an index, length or count).
    mutating func count(_ field: @autoclosure () -> String) throws -> Int {
        let at = offset
        let value = try integer(UInt64.self, field())
        guard value <= UInt64(Int.max) else { throw failure(field(), "\(value) exceeds Int.max", at: at) }
        return Int(value)
    }

    /// A campaign id: u64 incarnation, u64 round.
    mutating func campaign() throws -> CampaignID {
        let incarnation = try integer(UInt64.self, "campaign incarnation")
        return CampaignID(incarnation: incarnation, round: try integer(UInt64.self, "campaign round"))
    }

    /// A u8 that must be 0 or 1.
    mutating func bool(_ field: @autoclosure () -> String) throws -> Bool {
        let at = offset
        switch try integer(UInt8.self, field()) {
        case 0: return false
        case 1: return true
        case let other: throw failure(field(), "boolean byte \(other) (expected 0 or 1)", at: at)
        }
    }

    /// A u16 node id in `0..<RaftLimits.clusterSizeMax`.
    mutating func nodeID(_ field: @autoclosure () -> String) throws -> NodeID {
        let at = offset
        let value = Int(try integer(UInt16.self, field()))
        guard value < RaftLimits.clusterSizeMax else {
            throw failure(field(), "node id \(value) outside 0..<\(RaftLimits.clusterSizeMax)", at: at)
        }
        return value
    }

    /// A tag byte (0 none, 1 some) and, when some, a node id.
    mutating func optionalNodeID(_ field: @autoclosure () -> String) throws -> NodeID? {
        let at = offset
        switch try integer(UInt8.self, field() + " tag") {
        case WireTags.absent: return nil
        case WireTags.present: return try nodeID(field())
        case let other: throw failure(field() + " tag", "tag \(other) (expected 0 none or 1 some)", at: at)
        }
    }

    /// A u32 length, then that many bytes (checked against what is left before allocating).
    mutating func payload(_ field: @autoclosure () -> String) throws -> [UInt8] {
        let at = offset
        let length = Int(try integer(UInt32.self, field() + " length"))
        guard length <= bytesLeft else {
            throw failure(field() + " length", "\(length) bytes declared, \(bytesLeft) left", at: at)
        }
        return body.readBytes(length: length)!
    }

    /// A u32 element count, bounded by `WireLimits.entriesPerMessageMax` and by the bytes
    /// left (each element takes at least `elementBytesMin`).
    mutating func elementCount(_ field: @autoclosure () -> String, elementBytesMin: Int) throws -> Int {
        let at = offset
        let count = Int(try integer(UInt32.self, field()))
        guard count <= WireLimits.entriesPerMessageMax else {
            throw failure(field(), "\(count) exceeds entriesPerMessageMax \(WireLimits.entriesPerMessageMax)", at: at)
        }
        guard count <= bytesLeft / elementBytesMin else {
            throw failure(field(), "\(count) elements need at least \(count * elementBytesMin) bytes, \(bytesLeft) left", at: at)
        }
        return count
    }

    /// A refusal: u8 code (`ProposalRejection.code`, or 7 timed out) and u64 detail.
    mutating func rejection() throws -> RaftError {
        let at = offset
        let code = try integer(UInt8.self, "rejection code")
        let detail = try count("rejection detail")
        guard let reason = WireTags.reason(code: code, detail: detail) else {
            throw failure("rejection code", "code \(code) with detail \(detail) (expected 1...6, or 7 timed out with 0)", at: at)
        }
        return reason
    }

    /// Valid UTF-8 of `length` bytes.
    mutating func utf8(_ field: @autoclosure () -> String, length: Int) throws -> String {
        let at = offset
        guard length <= bytesLeft else { throw failure(field(), "\(length) bytes declared, \(bytesLeft) left", at: at) }
        let bytes = body.readBytes(length: length)!
        guard let text = String(validating: bytes, as: UTF8.self) else { throw failure(field(), "not valid UTF-8", at: at) }
        return text
    }

    /// Throws unless the body was read to its end.
    func requireEnd() throws {
        guard bytesLeft == 0 else { throw failure("end of body", "\(bytesLeft) trailing bytes") }
    }
}
