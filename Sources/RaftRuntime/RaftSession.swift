import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RaftCore

/// A message the cluster committed, as every node delivers it: same index, same bytes.
public struct DeliveredMessage: Sendable, Hashable {
    /// Position in the log (1-based; indexes of the protocol's own no-op entries are skipped).
    public var index: Int
    /// The bytes some node sent.
    public var bytes: [UInt8]
    /// The id the sending node gave the message.
    public var request: RequestID
    /// Whether the node had committed the message before this run started (its index is at
    /// most the durable commit index it restarted with): an earlier run of this node may have
    /// delivered it already (see `RaftConfig.appliedIndex`).
    public var isReplay: Bool
}

/// A running node's handle: send messages, read delivered ones, ask for status, shut down.
public final class RaftSession: Sendable {
    /// Every committed message after `RaftConfig.appliedIndex` (every one for `nil`), in log
    /// order, exactly once per run: after a restart those committed before it come first,
    /// marked `isReplay`. Buffered without bound: an application must keep reading.
    public let messages: AsyncStream<DeliveredMessage>
    private let continuation: AsyncStream<DeliveredMessage>.Continuation
    let host: NodeHost
    private let group: MultiThreadedEventLoopGroup
    let clientRegistry: ClientRegistry
    /// What the durable log repaired when it opened (a torn or corrupt tail cut), if anything.
    public let recovery: RecoveryReport?
    /// This run's incarnation (1 on the first start from an empty data directory).
    public let incarnation: Int
    private let state = NIOLockedValueBox(SessionState())

    private struct SessionState {
        var nextRequest: RequestID = 0
        var transport: (any MessageTransport)?
        var clientServer: ClientServer?
        var metricsServer: MetricsServer?
        var isShutDown = false
        var failure: String?
        var failureHandlers: [@Sendable (String) -> Void] = []
    }

    /// `replayedThrough`: the durable commit index the node restarts with; deliveries up to
    /// it are replays of entries committed in an earlier run.
    init(host: NodeHost, group: MultiThreadedEventLoopGroup, recovery: RecoveryReport?, deliversMessages: Bool,
         replayedThrough: Int) {
        self.host = host
        self.group = group
        self.recovery = recovery
        self.incarnation = host.incarnation
        (messages, continuation) = AsyncStream.makeStream(of: DeliveredMessage.self, bufferingPolicy: .unbounded)
        clientRegistry = ClientRegistry(eventLoop: host.eventLoop)
        // Request ids: a random 32-bit prefix per session, then a counter (unique across nodes).
        // Below 2^63: ids with the top bit set are how trace readers mark ids read from strings.
        state.withLockedValue { $0.nextRequest = (UInt64(UInt32.random(in: 1 ... 0x7fff_ffff)) << 32) }
        let continuation = self.continuation
        let registry = clientRegistry
        if !deliversMessages { continuation.finish() }
        host.onDeliver = { index, entry, reply in
            let isReplay = index <= replayedThrough
            // A replayed entry was proposed in an earlier run: no proposal of this one waits
            // for it, even if a request id happens to match.
            if !isReplay { registry.delivered(index: index, entry: entry, reply: reply) }
            guard deliversMessages, !entry.isProtocolEntry else { return }
            continuation.yield(DeliveredMessage(index: index, bytes: entry.payload, request: entry.request, isReplay: isReplay))
        }
        host.onRestore = { [state, continuation] snapshot in
            // Entries through the snapshot will never be delivered one by one, and the
            // `messages` stream has no way to say so: an application that reads it cannot
            // go on. (Only a node whose leader compacted its log installs one.)
            guard deliversMessages else { return }
            continuation.finish()
            state.withLockedValue { session in
                if session.failure == nil {
                    session.failure = "installed a snapshot through index \(snapshot.index) from the leader: the entries it covers are not delivered as messages"
                }
            }
        }
        host.onFailure = { [state, continuation] reason in
            // The node stopped (a durable write failed): nobody waits for it any more. A
            // waiting proposal may still commit through the others: it times out, not fails.
            registry.abandonAll()
            continuation.finish()
            let handlers = state.withLockedValue { session -> [@Sendable (String) -> Void] in
                session.failure = reason
                return session.failureHandlers
            }
            for handler in handlers { handler(reason) }
        }
        host.onReject = { [unowned host] request, reason in
            guard case .duplicate(let index) = reason else { return registry.rejected(request: request, reason: reason) }
            // Already in the leader's log at `index`: its delivery here answers the client. If
            // this node knows it committed already (a retry of a request that made it), now.
            let node = host.node
            if index >= 1, index <= node.commitIndex, node.log[index].request == request {
                registry.delivered(index: index, entry: node.log[index])
            }
        }
    }

    func attach(transport: any MessageTransport, clientServer: ClientServer?) {
        state.withLockedValue {
            $0.transport = transport
            $0.clientServer = clientServer
        }
    }

    func attach(metricsServer: MetricsServer) {
        state.withLockedValue { $0.metricsServer = metricsServer }
    }

    /// Where this node serves its Prometheus metrics (with `RaftConfig.metricsPort`).
    public var metricsServer: MetricsServer? { state.withLockedValue { $0.metricsServer } }

    /// This node's id.
    public var nodeID: NodeID { host.node.id }

    /// Sends `bytes` to the cluster without waiting: it is delivered to every node (this one
    /// included) once committed, or lost if the leader fails first. Returns its request id.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> RequestID {
        let request = makeRequestID()
        host.submitFromAnyThread(.propose([Proposal(request: request, payload: bytes)]))
        return request
    }

    /// Sends `bytes` and waits until this node delivers it; returns its log index. Throws
    /// `RaftError.rejected` if the cluster refuses it and `RaftError.timedOut` after `timeout`
    /// (the message may still commit later: a timeout is not a failure).
    public func propose(_ bytes: [UInt8], timeout: Duration = .seconds(5)) async throws -> Int {
        try await call(bytes, timeout: timeout).index
    }

    /// Sends `bytes` and waits until this node applied it; returns its log index and what the
    /// state machine (`RaftConfig.stateMachine`) answered. Throws as `propose` does.
    public func call(_ bytes: [UInt8], timeout: Duration = .seconds(5)) async throws -> Committed {
        let request = makeRequestID()
        return try await clientRegistry.await(request: request, timeout: timeout) {
            self.host.submit(.propose([Proposal(request: request, payload: bytes)]))
        }
    }

    /// Why the node stopped on its own, if it did: its durable write failed (a full disk, an
    /// I/O error at fdatasync), one line naming the file. The session answers nothing any
    /// more; shut it down and restart the node when the disk is fixed.
    public var failure: String? { state.withLockedValue { $0.failure } }

    /// Calls `handler` (on the node's loop, or at once if it happened already) with the
    /// one-line reason when the node stops on its own (`failure`).
    public func whenFailed(_ handler: @escaping @Sendable (String) -> Void) {
        let failure = state.withLockedValue { session -> String? in
            if session.failure == nil { session.failureHandlers.append(handler) }
            return session.failure
        }
        if let failure { handler(failure) }
    }

    /// This node's role, term, leader, commit index and log length.
    public func status() async throws -> NodeStatus {
        let host = self.host
        return try await host.eventLoop.submit { NodeStatus(host.node) }.get()
    }

    /// If this node leads, asks it to hand leadership to `target` (Raft thesis §3.10): it
    /// stops appending proposals, brings `target` up to date and tells it to campaign at once.
    /// Returns without waiting; a node that does not lead ignores it.
    public func transferLeadership(to target: NodeID) {
        host.eventLoop.execute { [host] in host.submit(.transferLeadership(to: target)) }
    }

    /// For a graceful stop: if this node leads, hands leadership to its most up-to-date
    /// voter and waits until it no longer leads, at most `timeout`. Returns the follower
    /// it chose, or `nil` when it did not lead.
    public func handOverLeadership(timeout: Duration) async -> NodeID? {
        let host = self.host
        let target: NodeID?? = try? await host.eventLoop.submit { () -> NodeID? in
            let node = host.node
            guard node.role == .leader else { return nil }
            // Only a voter can take over (a learner neither campaigns nor counts).
            let best = node.configuration.voters.filter { $0 != node.id }
                .max { node.progress[$0].ackedLength < node.progress[$1].ackedLength }
            if let best { host.submit(.transferLeadership(to: best)) }
            return best
        }.get()
        guard let chosen = target ?? nil else { return nil }
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline, (try? await status().role) == .leader {
            try? await Task.sleep(for: .milliseconds(2))
        }
        return chosen
    }

    /// Stops the node cleanly (trace closed with `stop`), closes its sockets and threads.
    public func shutdown() async {
        let (transport, clientServer, metricsServer): ((any MessageTransport)?, ClientServer?, MetricsServer?) = state.withLockedValue {
            guard !$0.isShutDown else { return (nil, nil, nil) }
            $0.isShutDown = true
            return ($0.transport, $0.clientServer, $0.metricsServer)
        }
        guard let transport else { return }
        await metricsServer?.stop()
        let host = self.host
        let registry = clientRegistry
        try? await host.eventLoop.submit {
            host.stop()
            registry.close()
        }.get()
        await clientServer?.close()
        await transport.close()
        continuation.finish()
        try? await group.shutdownGracefully()
    }

    private func makeRequestID() -> RequestID {
        state.withLockedValue {
            $0.nextRequest += 1
            return $0.nextRequest
        }
    }
}
