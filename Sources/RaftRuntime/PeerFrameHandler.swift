import Logging
import NIOCore
import RaftCore

/// Reads frames from one connection accepted on a node's peer address: a `hello` (with the
/// right cluster id, from a member) first, then `raft` messages from that peer to this node.
/// Anything else breaks the peer protocol and closes the connection with a logged reason; the
/// node keeps running. Confined to the transport's loop.
final class PeerFrameHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = WireFrame

    private let transport: SocketTransport
    private var peer: NodeID?

    init(transport: SocketTransport) {
        self.transport = transport
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.eventLoop.preconditionInEventLoop()
        let config = transport.config
        switch unwrapInboundIn(data) {
        case .hello(let node, let clusterID):
            guard peer == nil else { return refuse(context, "second hello on one connection") }
            guard clusterID == config.clusterID else {
                return refuse(context, "peer \(node) belongs to cluster \(clusterID), not \(config.clusterID)")
            }
            guard config.address(of: node) != nil, node != config.selfID else {
                return refuse(context, "hello from \(node), which is not a peer of this node")
            }
            peer = node
            transport.peerConnected(node)
        case .raft(let message):
            guard let peer else { return refuse(context, "raft message before hello") }
            guard message.from == peer, message.to == config.selfID else {
                return refuse(context, "message from \(message.from) to \(message.to) on peer \(peer)'s connection")
            }
            transport.receive?(message)
        case let frame:
            refuse(context, "\(frame.kind) frame on the peer address (clients use the client address)")
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        refuse(context, "\(error)")
    }

    /// Closes the connection, saying why (at most once a second per sender: a hostile one
    /// cannot flood the log).
    private func refuse(_ context: ChannelHandlerContext, _ reason: String) {
        let (admitted, heldBack) = transport.refusalLog.admit(peer, nowNs: NIODeadline.now().uptimeNanoseconds)
        if admitted {
            transport.logger.warning("closing peer connection: \(reason)\(PeerLogLimiter.suffix(heldBack))",
                                     metadata: ["peer": "\(peer.map(String.init) ?? "unknown")"])
        }
        context.close(promise: nil)
    }
}
