import Logging
import NIOCore
import NIOPosix
import RaftCore

/// The default `MessageTransport`: one node's peer sockets. It listens on the node's peer
/// address for peers (`PeerFrameHandler`) and keeps one outbound `PeerLink` per peer, over
/// UNIX-domain sockets or TCP as `RaftConfig.peers` says. Clients are served elsewhere
/// (`ClientServer`). Confined to the node's loop.
public final class SocketTransport: MessageTransport, @unchecked Sendable {
    let eventLoop: any EventLoop
    let config: RaftConfig
    let logger: Logger
    private var links: [NodeID: PeerLink] = [:]
    private var listener: FrameListener?
    /// Whether `start` connected the links (a link made later connects when it is made).
    private var started = false
    /// Where messages from peers go (set by `start`).
    private(set) var receive: (@Sendable (Message) -> Void)?
    /// Connections closed for breaking the protocol are logged at most once a second per sender.
    var refusalLog = PeerLogLimiter()

    /// A transport for the node of `context`; nothing is bound or connected before `start`.
    public init(context: TransportContext) {
        self.eventLoop = context.eventLoop
        self.config = context.config
        self.logger = context.logger
        let hello = WireFrame.hello(node: config.selfID, clusterID: config.clusterID)
        for (peer, address) in config.peers where peer != config.selfID {
            links[peer] = PeerLink(peer: peer, address: address, hello: hello, eventLoop: eventLoop, logger: logger)
        }
    }

    /// The link to `peer`, made on first use for a server outside `RaftConfig.peers` whose
    /// address `RaftConfig.peerAddressResolver` knows (one added while the cluster runs).
    private func link(to peer: NodeID) -> PeerLink? {
        if let link = links[peer] { return link }
        guard peer != config.selfID, let address = config.address(of: peer) else { return nil }
        let link = PeerLink(peer: peer, address: address, hello: .hello(node: config.selfID, clusterID: config.clusterID),
                            eventLoop: eventLoop, logger: logger)
        links[peer] = link
        if started { link.connect() }
        return link
    }

    public var peerBuffers: [PeerBuffer] {
        eventLoop.preconditionInEventLoop()
        return links.values.map { PeerBuffer(peer: $0.peer, bufferedBytes: $0.bufferedBytes, framesDropped: $0.framesDropped) }
    }

    /// Peer `id` connected to this node and said hello: reconnect to it now if the link waits.
    func peerConnected(_ id: NodeID) {
        eventLoop.preconditionInEventLoop()
        link(to: id)?.peerIsBack()
    }

    /// Binds the node's peer address and starts connecting to its peers. `Raft.run()` calls it
    /// once the host runs, so no peer's message reaches a node that has not restarted from its
    /// durable state yet.
    public func start(receive: @escaping @Sendable (Message) -> Void) async throws {
        let listener = try await FrameListener.open(at: config.peers[config.selfID]!, on: eventLoop) { [self] in
            PeerFrameHandler(transport: self)
        }
        try await eventLoop.submit {
            self.receive = receive
            self.listener = listener
            self.started = true
            for link in self.links.values { link.connect() }
        }.get()
    }

    public func send(_ message: Message) {
        eventLoop.preconditionInEventLoop()
        link(to: message.to)?.enqueue(.raft(message))
    }

    /// Flushes every link; one with nothing queued returns at once (a cluster has a few peers).
    public func flush() {
        eventLoop.preconditionInEventLoop()
        for link in links.values { link.flush() }
    }

    /// Closes the listening socket and every link.
    public func close() async {
        let (listener, links): (FrameListener?, [EventLoopFuture<Void>]) = (try? await eventLoop.submit { [self] in
            receive = nil
            return (self.listener, self.links.values.map { $0.close() })
        }.get()) ?? (nil, [])
        await listener?.close()
        for link in links { try? await link.get() }
    }
}
