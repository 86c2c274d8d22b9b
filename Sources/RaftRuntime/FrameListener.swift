import NIOCore
import NIOPosix

/// A listening socket that cuts each accepted connection into `WireFrame`s and hands them to
/// a fresh handler: the peer address (`SocketTransport`) and the client address
/// (`ClientServer`) are both one. A UNIX socket file it created is removed on `close`.
final class FrameListener: Sendable {
    private let channel: any Channel
    private let socketPath: String?

    private init(channel: any Channel, socketPath: String?) {
        self.channel = channel
        self.socketPath = socketPath
    }

    /// Binds `address` (a stale UNIX socket file from a killed run is replaced); every
    /// connection gets `FrameDecoder` and then `makeHandler()`, on `eventLoop`.
    static func open(at address: PeerAddress, on eventLoop: any EventLoop,
                     makeHandler: @escaping @Sendable () -> any ChannelHandler) async throws -> FrameListener {
        let bootstrap = ServerBootstrap(group: eventLoop, childGroup: eventLoop)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(makeHandler())
                }
            }
        switch address {
        case .unix(let path):
            let channel = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).get()
            return FrameListener(channel: channel, socketPath: path)
        case .tcp(let host, let port):
            return FrameListener(channel: try await bootstrap.bind(host: host, port: port).get(), socketPath: nil)
        }
    }

    /// Stops listening (connections already open close with their loop).
    func close() async {
        try? await channel.close()
        if let socketPath { unlink(socketPath) }
    }
}
