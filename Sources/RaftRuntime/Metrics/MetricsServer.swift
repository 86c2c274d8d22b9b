import NIOCore
import NIOHTTP1
import NIOPosix

/// Serves a node's `/metrics` over HTTP on 127.0.0.1, on the node's own event loop: a scrape
/// reads the node's state where it lives, with no lock and no copy across threads.
public final class MetricsServer: Sendable {
    /// The only host bound: metrics describe a lab cluster on this machine.
    public static let host = "127.0.0.1"

    /// The port bound (the one asked for, or the one the system chose for port 0).
    public let port: Int
    private let channel: any Channel

    private init(port: Int, channel: any Channel) {
        self.port = port
        self.channel = channel
    }

    /// Binds 127.0.0.1:`port` on `eventLoop`; each scrape answers with `render()`, called on
    /// that loop.
    public static func start(port: Int, eventLoop: any EventLoop,
                             render: @escaping @Sendable () -> [UInt8]) async throws -> MetricsServer {
        precondition((0...65535).contains(port), "port \(port) outside 0...65535")
        let bootstrap = ServerBootstrap(group: eventLoop)
            .serverChannelOption(.backlog, value: 16)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(MetricsHTTPHandler(render: render))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: host, port: port).get()
        } catch {
            throw MetricsServerError(description: "cannot serve metrics on \(host):\(port): \(error)")
        }
        guard let bound = channel.localAddress?.port else { preconditionFailure("a bound TCP channel has a port") }
        return MetricsServer(port: bound, channel: channel)
    }

    /// `http://127.0.0.1:<port>/metrics`.
    public var url: String { "http://\(Self.host):\(port)/metrics" }

    /// Stops accepting scrapes.
    public func stop() async {
        try? await channel.close()
    }
}

/// The metrics endpoint could not start (the port is taken, most often).
public struct MetricsServerError: Error, CustomStringConvertible {
    public var description: String
}
