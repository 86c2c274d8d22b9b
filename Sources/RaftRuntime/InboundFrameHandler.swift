import Logging
import NIOCore
import RaftCore

/// Reads frames from one accepted connection. A connection is a peer's once it says hello
/// (with the right cluster id); otherwise it is a client's (proposals, status, control).
/// A frame that breaks the protocol closes the connection with a logged reason; the node
/// keeps running.
final class InboundFrameHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = WireFrame
    typealias OutboundOut = ByteBuffer

    /// How long a client proposal waits for its delivery here before the client is told it timed out.
    static let clientProposalTimeout: Duration = .seconds(10)

    private let transport: SocketTransport
    private var peer: NodeID?

    init(transport: SocketTransport) {
        self.transport = transport
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        let host = transport.host
        switch frame {
        case .hello(let node, let clusterID):
            guard peer == nil else { return refuse(context, "second hello on one connection") }
            guard clusterID == transport.config.clusterID else {
                return refuse(context, "peer \(node) belongs to cluster \(clusterID), not \(transport.config.clusterID)")
            }
            guard transport.config.peers[node] != nil, node != transport.config.selfID else {
                return refuse(context, "hello from \(node), which is not a peer of this node")
            }
            peer = node
            transport.peerConnected(node)
        case .raft(let message):
            guard let peer else { return refuse(context, "raft message before hello") }
            guard message.from == peer, message.to == transport.config.selfID else {
                return refuse(context, "message from \(message.from) to \(message.to) on peer \(peer)'s connection")
            }
            if transport.accepts(from: peer) { host.submit(.receive(message)) }
        case .propose(let request, let payload):
            guard peer == nil else { return refuse(context, "client frame on a peer connection") }
            let channel = context.channel
            let transport = self.transport
            let registered = transport.clients.register(request: request, timeout: Self.clientProposalTimeout) { result in
                let reply: WireFrame
                switch result {
                case .success(let index): reply = .committed(request: request, index: index)
                case .failure(let reason): reply = .rejected(request: request, reason: reason)
                }
                transport.reply(reply, on: channel)
            }
            if registered { host.submit(.propose([Proposal(request: request, payload: payload)])) }
        case .statusRequest:
            let node = host.node
            transport.reply(.status(NodeStatus(node)), on: context.channel)
        case .control(let command):
            guard peer == nil else { return refuse(context, "control frame on a peer connection") }
            transport.apply(command)
            transport.reply(.status(NodeStatus(host.node)), on: context.channel)
        case .committed, .rejected, .redirect, .status:
            refuse(context, "a response frame sent to a node")
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
            transport.logger.warning("closing connection: \(reason)\(PeerLogLimiter.suffix(heldBack))",
                                     metadata: ["peer": "\(peer.map(String.init) ?? "client")"])
        }
        context.close(promise: nil)
    }

}
