import NIOCore
import NIOHTTP1
import NIOPosix

/// The explorer's HTTP server: the page and the JSON API of one `Explorer`, on 127.0.0.1 only.
///
/// ```swift
/// let server = try await ExplorerServer.start(Explorer(RaftModelConfiguration()), port: 3000)
/// print("http://127.0.0.1:\(server.port)/")
/// try await server.waitUntilClosed()
/// ```
///
/// One event-loop thread answers every connection: a request replays a path of at most
/// `ExplorerPath.stepCountMax` memoized steps, so none holds the loop for long; searches run
/// on their own threads.
public final class ExplorerServer: Sendable {
    /// The only address the server binds: the explorer can start searches, so it is never
    /// reachable from another machine.
    public static let host = "127.0.0.1"

    /// What is served.
    public let explorer: Explorer
    /// The port bound (the one asked for, or the one the system chose for port 0).
    public let port: Int

    private let group: MultiThreadedEventLoopGroup
    private let channel: Channel

    private init(explorer: Explorer, port: Int, group: MultiThreadedEventLoopGroup, channel: Channel) {
        self.explorer = explorer
        self.port = port
        self.group = group
        self.channel = channel
    }

    /// Binds 127.0.0.1:`port` (0: any free port) and starts serving `explorer`.
    public static func start(_ explorer: Explorer, port: Int) async throws -> ExplorerServer {
        precondition((0...65535).contains(port), "port \(port) outside 0...65535")
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let router = ExplorerRouter(explorer: explorer)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(ExplorerHTTPHandler(router: router))
                }
            }
            .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
        do {
            let channel = try await bootstrap.bind(host: host, port: port).get()
            guard let bound = channel.localAddress?.port else {
                preconditionFailure("a bound TCP channel has a port")
            }
            return ExplorerServer(explorer: explorer, port: bound, group: group, channel: channel)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// `http://127.0.0.1:<port>/`.
    public var url: String { "http://\(Self.host):\(port)/" }

    /// Stops accepting connections, stops any search (waiting for its threads), and shuts the
    /// event loop down.
    public func stop() async throws {
        try? await channel.close()
        explorer.search.cancelAndWait()
        try await group.shutdownGracefully()
    }

    /// Returns when the server's listening socket is closed (by `stop()`).
    public func waitUntilClosed() async throws {
        try await channel.closeFuture.get()
    }
}
