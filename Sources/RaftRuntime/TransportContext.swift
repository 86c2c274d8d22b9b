import Logging
import NIOCore
import RaftCore

/// What a starting node gives the transport it makes: its configuration (its id, its peers'
/// addresses, the cluster id), the loop it runs on, and where to log.
public struct TransportContext: Sendable {
    /// The node's configuration.
    public let config: RaftConfig
    /// The node's loop: a socket transport runs its channels here, so `send` needs no lock.
    public let eventLoop: any EventLoop
    /// The node's logger (its `node` metadata set).
    public let logger: Logger

    public init(config: RaftConfig, eventLoop: any EventLoop, logger: Logger) {
        self.config = config
        self.eventLoop = eventLoop
        self.logger = logger
    }
}

/// Makes a node's transport when `Raft.run()` starts it (`SocketTransport.init` by default).
public typealias TransportFactory = @Sendable (TransportContext) -> any MessageTransport
