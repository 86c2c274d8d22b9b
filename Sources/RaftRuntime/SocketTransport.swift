import Logging
import NIOCore
import NIOPosix
import RaftCore

/// Sockets of one node: it listens for peers (and, if configured, clients) and keeps one
/// outbound `PeerLink` per peer. Implements `MessageTransport` for the host, and the drop
/// rules chaos experiments use to partition the network. Confined to the host's loop.
final class SocketTransport: MessageTransport, @unchecked Sendable {
    let host: NodeHost
    let config: RaftConfig
    let clients: ClientRegistry
    let logger: Logger
    private var links: [NodeID: PeerLink] = [:]
    private var servers: [any Channel] = []
    /// UNIX socket files this transport created (removed again on close).
    private var boundSocketPaths: [String] = []
    private var clientChannelsToFlush: [ObjectIdentifier: any Channel] = [:]
    private var clientFlushScheduled = false
    /// Peers whose messages this node neither sends nor accepts (a partition).
    private(set) var droppedOutbound: Set<NodeID> = []
    private(set) var droppedInbound: Set<NodeID> = []
    /// Connections closed for breaking the protocol are logged at most once a second per sender.
    var refusalLog = PeerLogLimiter()

    private init(host: NodeHost, config: RaftConfig, clients: ClientRegistry, logger: Logger) {
        self.host = host
        self.config = config
        self.clients = clients
        self.logger = logger
        let hello = WireFrame.hello(node: config.selfID, clusterID: config.clusterID)
        for (peer, address) in config.peers where peer != config.selfID {
            links[peer] = PeerLink(peer: peer, address: address, hello: hello, eventLoop: host.eventLoop, logger: logger)
        }
    }

    /// Per peer: bytes waiting for it and frames dropped so far (for the metrics).
    func peerBuffers() -> [(peer: NodeID, bufferedBytes: Int, framesDropped: Int)] {
        links.values.map { ($0.peer, $0.bufferedBytes, $0.framesDropped) }
    }

    /// Peer `id` connected to this node and said hello: reconnect to it now if the link waits.
    func peerConnected(_ id: NodeID) {
        links[id]?.peerIsBack()
    }

    /// A transport for `host` that neither listens nor connects yet (see `listen()`).
    static func make(config: RaftConfig, host: NodeHost, clients: ClientRegistry) -> SocketTransport {
        var logger = Logger(label: "raftlab.node")
        logger[metadataKey: "node"] = "\(config.selfID)"
        return SocketTransport(host: host, config: config, clients: clients, logger: logger)
    }

    /// Binds the node's addresses and starts connecting to its peers. Called once the host
    /// runs, so nothing (a peer's message, a client's status request) reaches a node that has
    /// not restarted from its durable state yet.
    func listen() async throws {
        var addresses = [config.peers[config.selfID]!]
        if let client = config.clientAddress { addresses.append(client) }
        for address in addresses {
            let channel = try await bind(address).get()
            try await host.eventLoop.submit {
                self.servers.append(channel)
                if case .unix(let path) = address { self.boundSocketPaths.append(path) }
            }.get()
        }
        try await host.eventLoop.submit { for link in self.links.values { link.connect() } }.get()
    }

    private func bind(_ address: PeerAddress) -> EventLoopFuture<any Channel> {
        let bootstrap = ServerBootstrap(group: host.eventLoop, childGroup: host.eventLoop)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(InboundFrameHandler(transport: self))
                }
            }
        switch address {
        case .unix(let path): return bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true)
        case .tcp(let host, let port): return bootstrap.bind(host: host, port: port)
        }
    }

    // MARK: MessageTransport

    func send(_ message: Message) {
        guard !droppedOutbound.contains(message.to), let link = links[message.to] else { return }
        link.enqueue(.raft(message))
    }

    /// Flushes every link; one with nothing queued returns at once (a cluster has a few peers).
    func flush() {
        for link in links.values { link.flush() }
    }

    // MARK: Clients

    /// Writes `frame` to a client connection and flushes it once the current batch is over:
    /// a batch that commits many requests answers each connection with one syscall.
    func reply(_ frame: WireFrame, on channel: any Channel) {
        guard channel.isActive else { return }
        var buffer = channel.allocator.buffer(capacity: 64)
        guard (try? frame.encode(into: &buffer)) != nil else { return } // replies are small; cannot exceed a frame
        channel.write(buffer, promise: nil)
        clientChannelsToFlush[ObjectIdentifier(channel)] = channel
        guard !clientFlushScheduled else { return }
        clientFlushScheduled = true
        host.eventLoop.execute { [self] in
            clientFlushScheduled = false
            let channels = clientChannelsToFlush.values
            clientChannelsToFlush.removeAll(keepingCapacity: true)
            for channel in channels { channel.flush() }
        }
    }

    // MARK: Inbound

    /// Whether a message from `peer` may be handed to the node.
    func accepts(from peer: NodeID) -> Bool { !droppedInbound.contains(peer) }

    /// Applies a chaos control frame.
    func apply(_ control: ControlCommand) {
        switch control {
        case .dropPeers(let peers, let direction):
            if direction != .inbound { droppedOutbound.formUnion(peers) }
            if direction != .outbound { droppedInbound.formUnion(peers) }
        case .heal:
            droppedOutbound.removeAll()
            droppedInbound.removeAll()
        }
        logger.info("network rules changed", metadata: ["dropOut": "\(droppedOutbound.sorted())", "dropIn": "\(droppedInbound.sorted())"])
    }

    /// Closes every socket.
    func close() async {
        let (futures, paths): ([EventLoopFuture<Void>], [String]) = (try? await host.eventLoop.submit { [self] in
            (servers.map { $0.close().recover { _ in } } + links.values.map { $0.close() }, boundSocketPaths)
        }.get()) ?? ([], [])
        for future in futures { try? await future.get() }
        for path in paths { unlink(path) }
    }
}
