import Logging
import NIOCore
import RaftCore

/// Reads frames from one connection accepted on a node's client address: proposals, status
/// requests and (when the embedding takes them) control commands. Anything else breaks the
/// client protocol and closes the connection with a logged reason; the node keeps running.
/// Confined to the node's loop.
final class ClientFrameHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = WireFrame

    /// How long a client proposal waits for its delivery here before the client is told it timed out.
    static let proposalTimeout: Duration = .seconds(10)

    private let server: ClientServer

    init(server: ClientServer) {
        self.server = server
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.eventLoop.preconditionInEventLoop()
        let host = server.host
        let channel = context.channel
        switch unwrapInboundIn(data) {
        case .propose(let request, let payload):
            let server = self.server
            let registered = server.clients.register(request: request, timeout: Self.proposalTimeout) { result in
                switch result {
                case .success(let committed) where committed.reply.isEmpty:
                    server.reply(.committed(request: request, index: committed.index), on: channel)
                case .success(let committed):
                    server.reply(.answered(request: request, index: committed.index, reply: committed.reply), on: channel)
                case .failure(let reason): server.reply(.rejected(request: request, reason: reason), on: channel)
                }
            }
            if registered { host.submit(.propose([Proposal(request: request, payload: payload)])) }
        case .statusRequest:
            server.reply(.status(NodeStatus(host.node)), on: channel)
        case .transferLeader(let target):
            host.submit(.transferLeadership(to: target))
            server.reply(.status(NodeStatus(host.node)), on: channel)
        case .changeMembership(let change):
            let server = self.server
            host.changeMembership(change) { answer in server.reply(.membershipAnswer(answer), on: channel) }
        case .control(let command):
            guard let control = server.control else { return refuse(context, "control frame, and this node takes no control commands") }
            control(command)
            server.reply(.status(NodeStatus(host.node)), on: channel)
        case let frame:
            refuse(context, "\(frame.kind) frame on the client address")
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        refuse(context, "\(error)")
    }

    /// Closes the connection, saying why (at most once a second for all clients).
    private func refuse(_ context: ChannelHandlerContext, _ reason: String) {
        let (admitted, heldBack) = server.refusalLog.admit(nil, nowNs: NIODeadline.now().uptimeNanoseconds)
        if admitted {
            server.logger.warning("closing client connection: \(reason)\(PeerLogLimiter.suffix(heldBack))")
        }
        context.close(promise: nil)
    }
}
