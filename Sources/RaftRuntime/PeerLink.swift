import Logging
import NIOCore
import NIOPosix
import RaftCore

/// The outbound connection to one peer: frames are encoded into a buffer as the batch runs
/// and written with one syscall at its end. While the peer is unreachable the link retries
/// with exponential backoff (and at once when the peer connects to this node, `peerIsBack`);
/// while the peer does not read (NIO's writability, `RuntimeLimits.bytesBufferedPerPeerMax`)
/// new frames are dropped instead of buffered; and it keeps at most `RuntimeLimits.framesQueuedPerPeerMax` frames
/// and `RuntimeLimits.bytesQueuedPerUnreachablePeerMax` bytes (older ones are dropped: Raft
/// resends what matters). Confined to the host's loop.
final class PeerLink: @unchecked Sendable {
    let peer: NodeID
    private let address: PeerAddress
    private let eventLoop: any EventLoop
    private let hello: WireFrame
    private let logger: Logger
    private var channel: (any Channel)?
    private var connecting = false
    private var closed = false
    private var pending: ByteBuffer
    private var pendingFrames = 0
    private var backoffMs = RuntimeLimits.reconnectBackoffMs.lowerBound
    /// A reconnect attempt waits for its backoff delay.
    private var reconnectScheduled = false
    /// Frames dropped because the peer was unreachable for too long or did not read.
    private(set) var framesDropped = 0

    /// Bytes waiting for this peer: encoded for the next flush, plus written to the
    /// connection and not yet taken by the kernel.
    var bufferedBytes: Int {
        let written = (try? channel?.syncOptions?.getOption(.bufferedWritableBytes)) ?? 0
        return pending.readableBytes + written
    }

    init(peer: NodeID, address: PeerAddress, hello: WireFrame, eventLoop: any EventLoop, logger: Logger) {
        self.peer = peer
        self.address = address
        self.hello = hello
        self.eventLoop = eventLoop
        self.logger = logger
        pending = ByteBufferAllocator().buffer(capacity: 4096)
    }

    /// Encodes `frame` for the next flush.
    func enqueue(_ frame: WireFrame) {
        eventLoop.preconditionInEventLoop()
        let unreachable = channel?.isActive != true
        if pendingFrames >= RuntimeLimits.framesQueuedPerPeerMax
            || (unreachable && pendingFrames > 0
                && pending.readableBytes + frame.encodedBytes > RuntimeLimits.bytesQueuedPerUnreachablePeerMax) {
            framesDropped += pendingFrames
            pending.clear()
            pendingFrames = 0
        }
        do {
            try frame.encode(into: &pending)
            pendingFrames += 1
        } catch {
            logger.warning("message not sent", metadata: ["peer": "\(peer)", "error": "\(error)"])
        }
    }

    /// Writes what is queued if connected; otherwise starts connecting, unless a reconnect
    /// is already scheduled (the backoff paces attempts, not the sends).
    func flush() {
        eventLoop.preconditionInEventLoop()
        guard pendingFrames > 0 else { return }
        guard let channel, channel.isActive else {
            if !reconnectScheduled { connect() }
            return
        }
        guard channel.isWritable else {
            // The peer is not reading (its socket and our write buffer are full): drop what
            // waits rather than buffer without bound; Raft resends what matters.
            framesDropped += pendingFrames
            pending.clear()
            pendingFrames = 0
            return
        }
        channel.writeAndFlush(pending, promise: nil)
        pending = channel.allocator.buffer(capacity: max(4096, pending.capacity / 2))
        pendingFrames = 0
    }

    /// Connects now if not connected (the host calls it at start so links are ready).
    func connect() {
        eventLoop.preconditionInEventLoop()
        guard !closed, channel == nil, !connecting else { return }
        connecting = true
        let hello = self.hello
        let watermark = RuntimeLimits.bytesBufferedPerPeerMax
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(.seconds(1))
            .channelOption(.writeBufferWaterMark, value: .init(low: watermark / 4, high: watermark))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(OutboundOnlyHandler())
                }
            }
        let future: EventLoopFuture<any Channel>
        do {
            switch address {
            case .unix(let path): future = bootstrap.connect(unixDomainSocketPath: path)
            case .tcp(let host, let port): future = bootstrap.connect(host: host, port: port)
            }
        }
        future.whenComplete { [self] result in
            connecting = false
            switch result {
            case .success(let channel):
                guard !closed else { channel.close(promise: nil); return }
                self.channel = channel
                backoffMs = RuntimeLimits.reconnectBackoffMs.lowerBound
                var greeting = channel.allocator.buffer(capacity: 32)
                try? hello.encode(into: &greeting) // a hello is a few bytes
                // Flushed at once: the peer reconnects to this node when it sees the hello
                // (`peerIsBack`), and a node with nothing to send yet must not sit on it.
                channel.writeAndFlush(greeting, promise: nil)
                logger.debug("connected to peer", metadata: ["peer": "\(peer)", "address": "\(address)"])
                channel.closeFuture.whenComplete { [self] _ in
                    self.channel = nil
                    if !closed { scheduleReconnect() }
                }
                flush()
            case .failure(let error):
                logger.trace("peer unreachable", metadata: ["peer": "\(peer)", "error": "\(error)"])
                scheduleReconnect()
            }
        }
    }

    private func scheduleReconnect() {
        guard !reconnectScheduled else { return }
        reconnectScheduled = true
        let delay = backoffMs
        backoffMs = min(backoffMs * 2, RuntimeLimits.reconnectBackoffMs.upperBound)
        eventLoop.scheduleTask(in: .milliseconds(Int64(delay))) { [self] in
            reconnectScheduled = false
            connect()
        }
    }

    /// The peer just connected to this node and said hello: it is up again, so a link that
    /// waits out its backoff connects now (a restarted follower hears from its leader at
    /// once, not after up to a second of backoff).
    func peerIsBack() {
        eventLoop.preconditionInEventLoop()
        backoffMs = RuntimeLimits.reconnectBackoffMs.lowerBound
        if channel == nil { connect() }
    }

    /// Closes the connection for good.
    func close() -> EventLoopFuture<Void> {
        eventLoop.preconditionInEventLoop()
        closed = true
        guard let channel else { return eventLoop.makeSucceededVoidFuture() }
        return channel.close().recover { _ in }
    }
}

/// Outbound peer connections carry no inbound traffic; anything that arrives is discarded.
private final class OutboundOnlyHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
    func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
}
