import NIOCore
import NIOPosix
import RaftCore
import RaftRuntime

/// One client connection to one node's client socket: proposals matched to their replies by
/// request id, status requests answered in order. Connects lazily and again after a failure;
/// while disconnected, requests fail at once (the caller decides whether to retry).
/// Confined to its event loop.
final class NodeClientConnection: @unchecked Sendable {
    /// How a proposal ended at the node.
    enum Reply: Sendable {
        /// Committed at `index`; `reply` is the node's state machine's answer (empty for none).
        case committed(index: Int, reply: [UInt8])
        /// The node refused it or stopped waiting for it (`RaftError`, a code on the wire).
        case rejected(RaftError)
        /// It never reached a node that could take it: it did not happen.
        case unreachable(reason: String)
        /// It was sent, and the connection closed before its answer came: it may or may not
        /// commit (a client history records it as unknown, not as failed).
        case lost(reason: String)
    }

    let node: NodeID
    private let address: PeerAddress
    private let eventLoop: any EventLoop
    private var channel: (any Channel)?
    private var connecting: [(Result<any Channel, any Error>) -> Void] = []
    private var proposals: [RequestID: (Reply) -> Void] = [:]
    private var statusWaiters: [(Result<NodeStatus, any Error>) -> Void] = []
    /// Membership changes asked on this connection, answered in the order asked.
    private var membershipWaiters: [(Result<MembershipAnswer, any Error>) -> Void] = []
    /// A flush of the channel is queued on the loop.
    private var flushScheduled = false

    init(node: NodeID, address: PeerAddress, eventLoop: any EventLoop) {
        self.node = node
        self.address = address
        self.eventLoop = eventLoop
    }

    /// Sends a proposal; `completion` runs once on the loop.
    func propose(request: RequestID, payload: [UInt8], completion: @escaping (Reply) -> Void) {
        withChannel { [self] result in
            switch result {
            case .failure(let error):
                completion(.unreachable(reason: "\(error)"))
            case .success(let channel):
                if let problem = write(.propose(request: request, payload: payload), on: channel) {
                    completion(.unreachable(reason: problem))
                } else {
                    proposals[request] = completion
                }
            }
        }
    }

    /// Asks the node for its status.
    func status(completion: @escaping (Result<NodeStatus, any Error>) -> Void) {
        withChannel { [self] result in
            switch result {
            case .failure(let error): completion(.failure(error))
            case .success(let channel):
                statusWaiters.append(completion)
                write(.statusRequest, on: channel)
            }
        }
    }

    /// Sends a chaos control command; completes with the node's status after it applied it.
    func control(_ command: ControlCommand, completion: @escaping (Result<NodeStatus, any Error>) -> Void) {
        send(.control(command), completion: completion)
    }

    /// Asks the node, if it leads, to hand leadership to `target`; completes with its status
    /// as it answered (the transfer itself happens after).
    func transferLeader(to target: NodeID, completion: @escaping (Result<NodeStatus, any Error>) -> Void) {
        send(.transferLeader(to: target), completion: completion)
    }

    /// Asks the node, if it leads, to change the configuration; completes with its answer
    /// (appended at an index, or refused and why).
    func changeMembership(_ change: MembershipChange, completion: @escaping (Result<MembershipAnswer, any Error>) -> Void) {
        withChannel { [self] result in
            switch result {
            case .failure(let error): completion(.failure(error))
            case .success(let channel):
                membershipWaiters.append(completion)
                write(.changeMembership(change), on: channel)
            }
        }
    }

    /// Sends `frame`, whose answer is a status.
    private func send(_ frame: WireFrame, completion: @escaping (Result<NodeStatus, any Error>) -> Void) {
        withChannel { [self] result in
            switch result {
            case .failure(let error): completion(.failure(error))
            case .success(let channel):
                statusWaiters.append(completion)
                write(frame, on: channel)
            }
        }
    }

    /// Closes the connection; everything waiting fails.
    func close() {
        eventLoop.preconditionInEventLoop()
        channel?.close(promise: nil)
        channel = nil
    }

    /// Writes `frame` and flushes once the loop's current work is done, as the node does
    /// with its replies: a read that completes many requests, whose callbacks propose again,
    /// sends them in one syscall. Returns why `frame` could not be encoded (a payload too
    /// large for a frame).
    @discardableResult
    private func write(_ frame: WireFrame, on channel: any Channel) -> String? {
        var buffer = channel.allocator.buffer(capacity: frame.encodedBytes)
        do {
            try frame.encode(into: &buffer)
        } catch {
            return "\(error)"
        }
        channel.write(buffer, promise: nil)
        guard !flushScheduled else { return nil }
        flushScheduled = true
        eventLoop.execute { [self] in
            flushScheduled = false
            channel.flush()
        }
        return nil
    }

    private func withChannel(_ body: @escaping (Result<any Channel, any Error>) -> Void) {
        eventLoop.preconditionInEventLoop()
        if let channel, channel.isActive { return body(.success(channel)) }
        connecting.append(body)
        guard connecting.count == 1 else { return }
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(.seconds(1))
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(ReplyHandler(connection: self))
                }
            }
        let future: EventLoopFuture<any Channel>
        switch address {
        case .unix(let path): future = bootstrap.connect(unixDomainSocketPath: path)
        case .tcp(let host, let port): future = bootstrap.connect(host: host, port: port)
        }
        future.whenComplete { [self] result in
            if case .success(let channel) = result {
                self.channel = channel
                channel.closeFuture.whenComplete { [self] _ in connectionLost(channel) }
            }
            let waiting = connecting
            connecting = []
            for body in waiting { body(result) }
        }
    }

    fileprivate func received(_ frame: WireFrame) {
        eventLoop.preconditionInEventLoop()
        switch frame {
        case .committed(let request, let index):
            proposals.removeValue(forKey: request)?(.committed(index: index, reply: []))
        case .answered(let request, let index, let reply):
            proposals.removeValue(forKey: request)?(.committed(index: index, reply: reply))
        case .rejected(let request, let reason):
            proposals.removeValue(forKey: request)?(.rejected(reason))
        case .redirect(let request, let leader):
            proposals.removeValue(forKey: request)?(.unreachable(reason: "redirect to \(leader.map(String.init) ?? "unknown leader")"))
        case .status(let status):
            if !statusWaiters.isEmpty { statusWaiters.removeFirst()(.success(status)) }
        case .membershipAnswer(let answer):
            if !membershipWaiters.isEmpty { membershipWaiters.removeFirst()(.success(answer)) }
        default:
            close()
        }
    }

    private func connectionLost(_ lost: any Channel) {
        guard channel === lost else { return }
        channel = nil
        let waitingProposals = proposals
        proposals = [:]
        let waitingStatus = statusWaiters
        statusWaiters = []
        let waitingMembership = membershipWaiters
        membershipWaiters = []
        for completion in waitingMembership { completion(.failure(LabError("connection to node \(node) lost"))) }
        for completion in waitingProposals.values { completion(.lost(reason: "connection to node \(node) lost")) }
        for completion in waitingStatus { completion(.failure(LabError("connection to node \(node) lost"))) }
    }
}

private final class ReplyHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = WireFrame
    let connection: NodeClientConnection
    init(connection: NodeClientConnection) { self.connection = connection }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) { connection.received(unwrapInboundIn(data)) }
    func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
}
