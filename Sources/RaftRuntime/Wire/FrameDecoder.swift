import NIOCore

/// Cuts a byte stream into `WireFrame`s: a NIO `ByteToMessageDecoder` (wrap it in a
/// `ByteToMessageHandler`), also usable by hand through `decodeFrame(from:)`.
///
/// The header is checked as soon as its bytes arrive — an oversized or undersized length, an
/// unknown version or kind is an error before the body is awaited — and a frame is decoded
/// only once all its bytes are buffered, so no length from the network is allocated ahead.
/// Every error is a `WireError` whose description is a one-line reason; the connection
/// should then be closed (NIO's handler stops decoding after an error).
public struct FrameDecoder: ByteToMessageDecoder {
    /// What the decoder passes down the pipeline.
    public typealias InboundOut = WireFrame

    /// A decoder for a new connection.
    public init() {}

    /// Decodes the frame at the front of `buffer` and moves the reader index past it, or
    /// returns nil (moving nothing) while the frame is incomplete. Throws on a bad header or
    /// body; the reader index is then left where the bad frame starts.
    public static func decodeFrame(from buffer: inout ByteBuffer) throws -> WireFrame? {
        let start = buffer.readerIndex
        let available = buffer.readableBytes
        guard available >= 4, let length = buffer.getInteger(at: start, as: UInt32.self).map(Int.init) else { return nil }
        guard 4 + length <= RuntimeLimits.frameBytesMax else {
            throw WireError.frameTooLarge(bytes: 4 + length, limit: RuntimeLimits.frameBytesMax)
        }
        guard length >= 2 else { throw WireError.frameTooShort(length: length) }
        guard available >= 5, let version = buffer.getInteger(at: start + 4, as: UInt8.self) else { return nil }
        guard version == WireFrame.version else { throw WireError.unsupportedVersion(version) }
        guard available >= 6, let kindByte = buffer.getInteger(at: start + 5, as: UInt8.self) else { return nil }
        guard let kind = FrameKind(rawValue: kindByte) else { throw WireError.unknownKind(kindByte) }
        guard available >= 4 + length, let body = buffer.getSlice(at: start + WireFrame.headerBytes, length: length - 2) else {
            return nil
        }
        let frame = try WireFrame.decodeBody(body, kind: kind)
        buffer.moveReaderIndex(forwardBy: 4 + length)
        return frame
    }

    /// Passes on the next whole frame, if one is buffered.
    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try Self.decodeFrame(from: &buffer) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }

    /// At the end of the stream: passes on the frames left, then refuses a partial one
    /// (`WireError.endedMidFrame`).
    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while let frame = try Self.decodeFrame(from: &buffer) {
            context.fireChannelRead(wrapInboundOut(frame))
        }
        if buffer.readableBytes > 0 { throw WireError.endedMidFrame(bytesBuffered: buffer.readableBytes) }
        return .needMoreData
    }
}
