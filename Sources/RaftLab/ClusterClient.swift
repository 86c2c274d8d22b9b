import NIOCore
import NIOPosix
import RaftCore
import RaftRuntime

/// The launcher's view of a running cluster through the nodes' client sockets: status of
/// every node (polled), the current leader, proposals and chaos control. Confined to one
/// event loop; `…Async` methods may be called from anywhere.
public final class ClusterClient: @unchecked Sendable {
    /// The loop every connection and callback runs on.
    public let eventLoop: any EventLoop
    /// A connection per node; grows on the loop when a node is added (`adopt`).
    private(set) var connections: [NodeID: NodeClientConnection]
    /// The last status each node reported (nil: unreachable at the last poll); read on the loop.
    public var statuses: [NodeID: NodeStatus] {
        eventLoop.preconditionInEventLoop()
        return lastStatuses
    }
    /// The leader of the highest term among the last statuses, if any (kept with them: the
    /// workload asks on every request); read on the loop.
    public var leader: NodeID? {
        eventLoop.preconditionInEventLoop()
        return lastLeader
    }
    private var lastStatuses: [NodeID: NodeStatus] = [:] {
        didSet { lastLeader = lastStatuses.values.leaderOfHighestTerm?.id }
    }
    private var lastLeader: NodeID?
    /// Node ids in increasing order.
    public let nodeIDs: [NodeID]
    private var pollTask: RepeatedTask?

    /// Clients for every node of `cluster`, on `eventLoop`.
    public init(cluster: ClusterFile, eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        var connections: [NodeID: NodeClientConnection] = [:]
        for node in cluster.nodes {
            connections[node.id] = NodeClientConnection(node: node.id, address: node.client, eventLoop: eventLoop)
        }
        self.connections = connections
        nodeIDs = connections.keys.sorted()
    }

    /// Polls every node's status every `intervalMs`.
    public func startPolling(intervalMs: Int64 = 100) {
        eventLoop.execute { [self] in
            pollTask?.cancel()
            pollTask = eventLoop.scheduleRepeatedTask(initialDelay: .zero, delay: .milliseconds(intervalMs)) { [self] _ in
                pollOnce()
            }
        }
    }

    private func pollOnce() {
        eventLoop.preconditionInEventLoop()
        for (id, connection) in connections {
            connection.status { [self] result in
                switch result {
                case .success(let status): lastStatuses[id] = status
                case .failure: lastStatuses[id] = nil
                }
            }
        }
    }

    /// The nodes this client talks to and polls, in increasing order: the founding ones
    /// (`nodeIDs`), with those adopted since and without those retired; read on the loop.
    public var memberIDs: [NodeID] {
        eventLoop.preconditionInEventLoop()
        return connections.keys.sorted()
    }

    /// Talks to `node` too from now on, and polls it (a member added while the cluster runs).
    public func adopt(_ node: ClusterFile.Node) async {
        try? await eventLoop.submit { [self] in
            guard connections[node.id] == nil else { return }
            connections[node.id] = NodeClientConnection(node: node.id, address: node.client, eventLoop: eventLoop)
        }.get()
    }

    /// Stops talking to node `id` (it left the cluster): no more polls, no status, no leader.
    public func retire(_ id: NodeID) {
        eventLoop.execute { [self] in
            connections.removeValue(forKey: id)?.close()
            lastStatuses[id] = nil
        }
    }

    /// Forgets node `id`'s status (it was killed) until it answers again.
    public func forget(_ id: NodeID) {
        eventLoop.execute { [self] in
            lastStatuses[id] = nil
            connections[id]?.close()
        }
    }

    /// Node `id`'s status, asked now; fails after `timeout` (a paused node never answers).
    public func statusAsync(_ id: NodeID, timeout: Duration = .seconds(5)) async throws -> NodeStatus {
        try await ask(id, timeout: timeout, what: "answer") { connection, completion in connection.status(completion: completion) }
    }

    /// Asks node `id` through `request` and waits for its answer, failing after `timeout`.
    private func ask<Answer: Sendable>(_ id: NodeID, timeout: Duration, what: String,
                                       _ request: @escaping @Sendable (NodeClientConnection, @escaping (Result<Answer, any Error>) -> Void) -> Void)
        async throws -> Answer {
        let promise = eventLoop.makePromise(of: Answer.self)
        eventLoop.execute { [self] in
            guard let connection = connections[id] else { return promise.fail(LabError("no node \(id)")) }
            let completed = NIOLoopBoundBox(false, eventLoop: eventLoop)
            let timer = eventLoop.scheduleTask(in: TimeAmount(timeout)) {
                guard !completed.value else { return }
                completed.value = true
                promise.fail(LabError("node \(id) did not \(what) within \(timeout)"))
            }
            request(connection) { result in
                guard !completed.value else { return }
                completed.value = true
                timer.cancel()
                promise.completeWith(result)
            }
        }
        return try await promise.futureResult.get()
    }

    /// Sends a chaos control command to node `id`.
    public func controlAsync(_ id: NodeID, _ command: ControlCommand) async throws {
        let promise = eventLoop.makePromise(of: NodeStatus.self)
        eventLoop.execute { [self] in
            guard let connection = connections[id] else { return promise.fail(LabError("no node \(id)")) }
            connection.control(command) { promise.completeWith($0) }
        }
        _ = try await promise.futureResult.get()
    }

    /// Asks node `id` (the leader) to hand leadership to `target`; returns its status as it
    /// answered.
    public func transferLeaderAsync(at id: NodeID, to target: NodeID) async throws -> NodeStatus {
        let promise = eventLoop.makePromise(of: NodeStatus.self)
        eventLoop.execute { [self] in
            guard let connection = connections[id] else { return promise.fail(LabError("no node \(id)")) }
            connection.transferLeader(to: target) { promise.completeWith($0) }
        }
        return try await promise.futureResult.get()
    }

    /// Asks node `id` (the leader) to change the configuration; returns its answer. Fails
    /// when the node cannot be reached or does not answer within `timeout`.
    public func changeMembershipAsync(at id: NodeID, _ change: MembershipChange,
                                      timeout: Duration = .seconds(10)) async throws -> MembershipAnswer {
        try await ask(id, timeout: timeout, what: "answer the membership change") { connection, completion in
            connection.changeMembership(change, completion: completion)
        }
    }

    /// Runs `body` with a client of `cluster`'s nodes on a loop of its own, closed after.
    public static func with<T: Sendable>(_ cluster: ClusterFile, _ body: @Sendable (ClusterClient) async throws -> T) async throws -> T {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let client = ClusterClient(cluster: cluster, eventLoop: group.next())
        do {
            let result = try await body(client)
            client.close()
            try? await group.shutdownGracefully()
            return result
        } catch {
            client.close()
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// Waits until one node reports leading and a majority answer; returns the leader.
    public func waitForLeader(timeout: Duration) async throws -> NodeID {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            var answered: [NodeStatus] = []
            for id in nodeIDs { if let status = try? await statusAsync(id) { answered.append(status) } }
            if answered.count > nodeIDs.count / 2,
               let leader = answered.leaderOfHighestTerm {
                return leader.id
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw LabError("no leader within \(timeout)")
    }

    /// Closes every connection.
    public func close() {
        eventLoop.execute { [self] in
            pollTask?.cancel()
            for connection in connections.values { connection.close() }
        }
    }
}

extension ClusterClient {
    /// Proposes `payload` as `request` at node `id` (or the current leader) and waits for the
    /// node's reply.
    public func proposeAsync(_ request: RequestID, _ payload: [UInt8], at id: NodeID? = nil) async -> ProposalOutcome {
        let promise = eventLoop.makePromise(of: ProposalOutcome.self)
        eventLoop.execute { [self] in
            let target = id ?? leader ?? memberIDs.first ?? nodeIDs[0]
            guard let connection = connections[target] else { return promise.succeed(.failed("no node \(target)")) }
            connection.propose(request: request, payload: payload) { reply in
                switch reply {
                case .committed(let index, _): promise.succeed(.committed(index: index))
                case .rejected(.rejected(let reason)): promise.succeed(.failed(reason.name))
                case .rejected(.timedOut): promise.succeed(.failed("timed_out"))
                case .unreachable(let reason): promise.succeed(.failed(reason))
                case .lost(let reason): promise.succeed(.failed("\(reason) (outcome unknown)"))
                }
            }
        }
        return (try? await promise.futureResult.get()) ?? .failed("event loop gone")
    }
}

/// How one proposal ended.
public enum ProposalOutcome: Sendable, Equatable {
    case committed(index: Int)
    case failed(String)
}
