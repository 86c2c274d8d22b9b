import Histogram
import NIOCore
import RaftCore
import RaftTrace

/// A client workload against a running cluster: unique requests, each recorded in the client
/// trace as `invoke` and then `ok`, `fail` or `timeout`, with latencies in an HdrHistogram.
/// Requests go to the current leader (followers would forward them, one hop slower).
/// Confined to the cluster client's loop.
public final class Workload: @unchecked Sendable {
    /// How requests are issued.
    public enum Mode: Sendable, Hashable, CustomStringConvertible {
        /// `clients` clients, each sending its next request when the previous one ends.
        case closedLoop(clients: Int)
        /// Requests at a fixed rate, whatever the replies (bounded by `outstandingMax`).
        case openLoop(ratePerSecond: Double)

        public var description: String {
            switch self {
            case .closedLoop(let clients): return "\(clients) closed-loop client\(clients == 1 ? "" : "s")"
            case .openLoop(let rate): return "\(Int(rate)) requests/s open loop"
            }
        }
    }

    /// Counts and latencies so far.
    public struct Stats: Sendable {
        public var invoked = 0
        public var ok = 0
        public var failed = 0
        public var timedOut = 0
        /// Client-observed latency from invoke to ok, in microseconds.
        public var latencyUs = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)

        /// Nothing invoked yet.
        public init() {}
    }

    /// Requests outstanding at once in open-loop mode; beyond it a tick's requests are skipped.
    public static let outstandingMax = 10_000
    /// How often the open loop issues the requests that fell due.
    static let openLoopTick = TimeAmount.milliseconds(1)

    public let mode: Mode
    public private(set) var stats = Stats()
    private let cluster: ClusterClient
    private let trace: TraceWriter?
    private let payloadBytes: Int
    private let requestTimeout: TimeAmount
    private var nextSequence: [Int]
    private var outstanding = 0
    /// Open-loop requests issued so far (the schedule is due to have issued `elapsed × rate`).
    private var openLoopIssued = 0
    private var running = false
    private var ticker: RepeatedTask?
    private var drained: EventLoopPromise<Void>?
    /// Requests waiting for their reply: when each gives up, and whose it is.
    private var waiting: [RequestID: (deadline: NIODeadline, client: Int, node: NodeID)] = [:]
    /// Sweeps `waiting` for requests past their deadline (one timer, not one per request:
    /// a schedule and a cancel per request cost more than the request's own work here).
    private var timeoutSweep: RepeatedTask?

    /// A workload of `mode` against `cluster`, writing `trace` (client events) if given.
    public init(cluster: ClusterClient, mode: Mode, payloadBytes: Int, requestTimeoutMs: Int64, trace: TraceWriter?) {
        self.cluster = cluster
        self.mode = mode
        self.trace = trace
        self.payloadBytes = payloadBytes
        self.requestTimeout = .milliseconds(requestTimeoutMs)
        switch mode {
        case .closedLoop(let clients): nextSequence = Array(repeating: 0, count: clients)
        case .openLoop: nextSequence = [0]
        }
    }

    /// Starts issuing requests.
    public func start() {
        cluster.eventLoop.execute { [self] in
            running = true
            // A tenth of the timeout (at most 100 ms): a timeout is recorded at most that late.
            let sweepEvery = TimeAmount.nanoseconds(max(1_000_000, min(100_000_000, requestTimeout.nanoseconds / 10)))
            timeoutSweep = cluster.eventLoop.scheduleRepeatedTask(initialDelay: sweepEvery, delay: sweepEvery) { [self] _ in
                sweepTimeouts()
            }
            switch mode {
            case .closedLoop(let clients):
                for client in 0..<clients { issue(client: client) }
            case .openLoop(let rate):
                // The schedule follows the clock, not the tick count: a tick that fires late
                // (timer slack, a busy machine) issues every request that fell due since.
                let started = NIODeadline.now()
                openLoopIssued = 0
                ticker = cluster.eventLoop.scheduleRepeatedTask(initialDelay: .zero, delay: Self.openLoopTick) { [self] _ in
                    let elapsedSeconds = Double((NIODeadline.now() - started).nanoseconds) / 1e9
                    let target = Int(elapsedSeconds * rate) + 1
                    while openLoopIssued < target {
                        openLoopIssued += 1
                        if outstanding < Self.outstandingMax { issue(client: 0) }
                    }
                }
            }
        }
    }

    /// Stops issuing and waits until every outstanding request ended (or timed out).
    public func stop() async {
        let promise = cluster.eventLoop.makePromise(of: Void.self)
        cluster.eventLoop.execute { [self] in
            running = false
            ticker?.cancel()
            if outstanding == 0 {
                timeoutSweep?.cancel()
                promise.succeed()
            } else {
                drained = promise
            }
        }
        try? await promise.futureResult.get()
    }

    /// Starts the statistics afresh (after a warm-up, say).
    public func resetStatistics() async {
        try? await cluster.eventLoop.submit { self.stats = Stats() }.get()
    }

    /// A copy of the statistics, taken on the loop.
    public func snapshot() async -> Stats {
        (try? await cluster.eventLoop.submit { self.stats }.get()) ?? Stats()
    }

    private func issue(client: Int) {
        cluster.eventLoop.preconditionInEventLoop()
        guard running else { return }
        nextSequence[client] += 1
        let request = (RequestID(client + 1) << 40) | RequestID(nextSequence[client])
        let target = cluster.leader ?? {
            let members = cluster.memberIDs // no leader known: any member, spread by request
            return members[Int(request % UInt64(members.count))]
        }()
        guard let connection = cluster.connections[target] else { return }
        let payload = Self.payload(request: request, bytes: payloadBytes)
        let started = NIODeadline.now()
        outstanding += 1
        stats.invoked += 1
        record(.invoke(client: client, request: request), node: target)
        waiting[request] = (started + requestTimeout, client, target)
        connection.propose(request: request, payload: payload) { [self] reply in
            guard waiting.removeValue(forKey: request) != nil else { return } // timed out already
            var pause = false
            switch reply {
            case .committed(let index, _):
                stats.ok += 1
                let micros = (NIODeadline.now() - started).nanoseconds / 1000
                stats.latencyUs.record(UInt64(max(0, micros)))
                record(.ok(client: client, request: request, index: index), node: target)
            case .rejected(.timedOut):
                stats.timedOut += 1 // the node gave up waiting: the request may still commit
                record(.timeout(client: client, request: request), node: target)
            case .rejected(.rejected(let reason)):
                stats.failed += 1
                pause = true
                record(.fail(client: client, request: request, reason: reason.name), node: target)
            case .unreachable(let reason):
                stats.failed += 1
                pause = true
                record(.fail(client: client, request: request, reason: reason), node: target)
            case .lost:
                stats.timedOut += 1 // sent, and the node went away: it may still commit
                pause = true
                record(.timeout(client: client, request: request), node: target)
            }
            done(client: client, pause: pause)
        }
    }

    /// Time a closed-loop client waits after a failed request (no leader, node down) so it
    /// does not spin.
    static let pauseAfterFailureMs: Int64 = 10

    /// Records a timeout for every request past its deadline.
    private func sweepTimeouts() {
        cluster.eventLoop.preconditionInEventLoop()
        let now = NIODeadline.now()
        var expired: [RequestID] = []
        for (request, entry) in waiting where entry.deadline <= now { expired.append(request) }
        for request in expired {
            guard let entry = waiting.removeValue(forKey: request) else { continue }
            stats.timedOut += 1
            record(.timeout(client: entry.client, request: request), node: entry.node)
            done(client: entry.client, pause: false)
        }
    }

    private func done(client: Int, pause: Bool) {
        cluster.eventLoop.preconditionInEventLoop()
        outstanding -= 1
        if case .closedLoop = mode, running {
            if pause {
                cluster.eventLoop.scheduleTask(in: .milliseconds(Self.pauseAfterFailureMs)) { [self] in issue(client: client) }
            } else {
                issue(client: client)
            }
        }
        if !running && outstanding == 0, let drained {
            timeoutSweep?.cancel()
            drained.succeed()
            self.drained = nil
        }
    }

    private func record(_ body: TraceBody, node: NodeID) {
        cluster.eventLoop.preconditionInEventLoop()
        try? trace?.write(body, term: 0, node: node)
    }

    /// A payload naming its request, padded to `bytes`.
    static func payload(request: RequestID, bytes: Int) -> [UInt8] {
        var payload = Array("r\(request)".utf8)
        if payload.count < bytes { payload.append(contentsOf: repeatElement(UInt8(ascii: "."), count: bytes - payload.count)) }
        return payload
    }
}
