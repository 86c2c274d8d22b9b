import RaftCore

/// Carries a node's messages to and from its peers: sockets (`SocketTransport`, the default),
/// an in-process network (`InProcessNetwork`), or a decorator around either (the lab's
/// partitions). `Raft` makes one with its `TransportFactory`; `NodeHost` drives it.
///
/// The contract, on the host's loop: `start` once, before any `send`; `send` may only queue;
/// `flush` writes what is queued and is called once per stage of a batch, only after what the
/// queued messages vouch for is durable (docs/STORAGE_FORMAT.md); `close` once, at the end.
/// `receive` (given to `start`) may be called on any thread: the host takes the message on
/// its loop. Loss, delay and reordering are allowed (Raft retries); corruption is not.
public protocol MessageTransport: AnyObject, Sendable {
    /// Starts carrying messages (binds, connects): every message from a peer goes to
    /// `receive` from now on. Throws when the node cannot listen.
    func start(receive: @escaping @Sendable (Message) -> Void) async throws
    /// Queues `message` for `message.to` (it may be lost).
    func send(_ message: Message)
    /// Writes everything queued.
    func flush()
    /// Stops carrying messages and releases every socket or file.
    func close() async
    /// Per peer: bytes waiting to be written to it, and frames dropped so far (for metrics;
    /// read on the host's loop).
    var peerBuffers: [PeerBuffer] { get }
}

extension MessageTransport {
    /// A transport without write buffers reports none.
    public var peerBuffers: [PeerBuffer] { [] }
}

/// What one peer's outbound buffer holds, as a transport reports it.
public struct PeerBuffer: Sendable, Hashable {
    /// The peer.
    public var peer: NodeID
    /// Bytes written and not yet taken by the kernel, plus those queued while it is unreachable.
    public var bufferedBytes: Int
    /// Frames dropped because the peer did not read fast enough or could not be reached.
    public var framesDropped: Int

    public init(peer: NodeID, bufferedBytes: Int, framesDropped: Int) {
        self.peer = peer
        self.bufferedBytes = bufferedBytes
        self.framesDropped = framesDropped
    }
}
