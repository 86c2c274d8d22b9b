import NIOCore
import NIOPosix
import RaftCore
import RaftTrace

/// A Raft node an application embeds (raft-lite's API in Swift): configure it, `run()` it,
/// then send byte messages and read every node's messages back in one total order.
///
/// ```swift
/// let raft = Raft(config: RaftConfig(peers: peers, self: 0, dataDirectory: "data/0"))
/// let session = try await raft.run()
/// try await session.send(Array("pizza".utf8))
/// for await message in session.messages { print(message.index, message.bytes) }
/// ```
/// Several `Raft` values can run in one process (each on its own event loop) or in separate
/// processes; they talk over UNIX-domain sockets or TCP as `RaftConfig.peers` says.
public final class Raft: Sendable {
    /// The configuration this node runs with.
    public let config: RaftConfig
    private let makeTransport: TransportFactory
    private let control: ControlHandler?

    /// A node for `config`; nothing runs until `run()`. `transport` makes the node's
    /// `MessageTransport` (sockets at `config.peers` by default: `SocketTransport`); `control`
    /// takes the control commands clients send to `config.clientAddress` (without it, a
    /// control frame closes the client's connection).
    public init(config: RaftConfig, transport: @escaping TransportFactory = { SocketTransport(context: $0) },
                control: ControlHandler? = nil) {
        self.config = config
        self.makeTransport = transport
        self.control = control
    }

    /// Opens the durable log, starts listening and connecting to peers, starts the timers,
    /// and returns the session through which the application talks to the cluster. The
    /// committed messages after `config.appliedIndex` are in `RaftSession.messages` by then.
    /// Throws `RaftConfigError` for options that cannot work (`NodeTuning.problem`) and for
    /// an `appliedIndex` the durable state contradicts. Crash
    /// tests can switch on failpoints with `RAFTLAB_FAILPOINTS` (`Failpoints`); a term that
    /// does not parse is thrown before anything starts.
    public func run() async throws -> RaftSession {
        if let problem = config.tuning.problem { throw RaftConfigError.unusableOption(problem) }
        try config.validate()
        let failpoints = try Failpoints.fromEnvironment(node: config.selfID)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let eventLoop = group.next()
        var openedStorage: (any NodeStorage)?
        do {
            let storage: any NodeStorage
            if let directory = config.dataDirectory {
                storage = try DurableLog.open(directory: directory, fsync: config.tuning.fsync)
            } else {
                storage = InMemoryStorage().reopen()
            }
            openedStorage = storage
            let durableCommitIndex = storage.state.commitIndex
            let appliedIndex = try config.restartAppliedIndex(durableCommitIndex: durableCommitIndex)
            var trace: TraceWriter?
            if let directory = config.traceDirectory {
                trace = try TraceWriter(path: RunLayout(directory: directory).nodeTracePath(node: config.selfID),
                                        node: config.selfID, incarnation: storage.incarnation,
                                        options: TraceWriter.Options(compressorProcess: config.traceCompressor))
            }
            let host = NodeHost(id: config.selfID, bootstrap: config.bootstrap, tuning: config.tuning,
                                storage: storage, trace: trace, eventLoop: eventLoop, failpoints: failpoints)
            host.stateMachine = config.stateMachine
            host.snapshotEveryEntries = config.snapshotEveryEntries
            let metrics = config.metricsPort.map { _ in NodeMetrics(id: config.selfID, members: config.members) }
            if let metrics { host.observers.append(metrics) }
            if let directory = config.spanDirectory {
                host.observers.append(try NodeSpanExport(directory: directory, node: config.selfID, clusterID: config.clusterID,
                                                         incarnation: storage.incarnation))
            }
            let session = RaftSession(host: host, group: group, recovery: (storage as? DurableLog)?.recovery,
                                      deliversMessages: config.deliversMessages, replayedThrough: durableCommitIndex)
            session.clientRegistry.metrics = metrics
            let transport = makeTransport(TransportContext(config: config, eventLoop: eventLoop, logger: host.logger))
            let clientServer = config.clientAddress.map { _ in
                ClientServer(host: host, clients: session.clientRegistry, control: control, logger: host.logger)
            }
            try await eventLoop.submit {
                session.attach(transport: transport, clientServer: clientServer)
                host.start(transport: transport, appliedIndex: appliedIndex)
            }.get()
            do {
                // Peers and clients reach the node only once it restarted from its durable state.
                try await transport.start { [host] message in host.receive(message) }
                if let clientServer, let address = config.clientAddress { try await clientServer.start(at: address) }
                if let metrics, let port = config.metricsPort {
                    let registry = session.clientRegistry
                    let server = try await MetricsServer.start(port: port, eventLoop: eventLoop) {
                        metrics.refresh(host.node, proposalsPending: registry.count)
                        metrics.refresh(peerBuffers: transport.peerBuffers)
                        return metrics.registry.emitToBuffer()
                    }
                    session.attach(metricsServer: server)
                }
            } catch {
                await session.shutdown()
                throw error
            }
            return session
        } catch {
            openedStorage?.close() // releases the data directory for the next attempt
            try? await group.shutdownGracefully()
            throw error
        }
    }
}
