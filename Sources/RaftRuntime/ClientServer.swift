import Logging
import NIOCore
import NIOPosix
import RaftCore

/// Serves the client protocol on a node's client address (`RaftConfig.clientAddress`), for
/// processes other than the embedding application: proposals wait in the session's
/// `ClientRegistry`, replies are flushed once per loop turn, and control commands go to the
/// embedding's handler (the lab's partitions), if it gave one. Confined to the node's loop.
final class ClientServer: @unchecked Sendable {
    let host: NodeHost
    let clients: ClientRegistry
    let control: ControlHandler?
    let logger: Logger
    private var listener: FrameListener?
    private var channelsToFlush: [ObjectIdentifier: any Channel] = [:]
    private var flushScheduled = false
    /// Connections closed for breaking the protocol are logged at most once a second.
    var refusalLog = PeerLogLimiter()

    init(host: NodeHost, clients: ClientRegistry, control: ControlHandler?, logger: Logger) {
        self.host = host
        self.clients = clients
        self.control = control
        self.logger = logger
    }

    /// Binds `address` and starts serving clients there.
    func start(at address: PeerAddress) async throws {
        let listener = try await FrameListener.open(at: address, on: host.eventLoop) { [self] in ClientFrameHandler(server: self) }
        try await host.eventLoop.submit { self.listener = listener }.get()
    }

    /// Writes `frame` to a client connection and flushes it once the current batch is over:
    /// a batch that commits many requests answers each connection with one syscall.
    func reply(_ frame: WireFrame, on channel: any Channel) {
        host.eventLoop.preconditionInEventLoop()
        guard channel.isActive else { return }
        var buffer = channel.allocator.buffer(capacity: 64)
        guard (try? frame.encode(into: &buffer)) != nil else { return } // replies are small; cannot exceed a frame
        channel.write(buffer, promise: nil)
        channelsToFlush[ObjectIdentifier(channel)] = channel
        guard !flushScheduled else { return }
        flushScheduled = true
        host.eventLoop.execute { [self] in
            flushScheduled = false
            let channels = channelsToFlush.values
            channelsToFlush.removeAll(keepingCapacity: true)
            for channel in channels { channel.flush() }
        }
    }

    /// Closes the listening socket (connections already open close with the loop).
    func close() async {
        await (try? host.eventLoop.submit { self.listener }.get())??.close()
    }
}

/// What the embedding does with a control command a client sent (`Raft.init(config:transport:control:)`);
/// called on the node's loop. The lab's node process partitions its transport with them.
public typealias ControlHandler = @Sendable (ControlCommand) -> Void
