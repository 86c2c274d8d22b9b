import Dispatch
import Foundation
import Histogram
import LoopbackHTTP
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RaftCore
import RaftRuntime
import RaftTrace

/// `raftlab up`: creates a run directory, starts the node processes, waits for a leader,
/// runs the workload with a live status line, then stops everything cleanly and merges the
/// traces. Also the engine under benchmarks and chaos experiments. What it starts along the
/// way (client trace, workload, Prometheus, the stop's outcome) sits behind one lock, so any
/// task may call it.
public final class ClusterLauncher: Sendable {
    public let options: UpOptions
    public let run: RunDirectory
    public let cluster: ClusterFile
    public let processes: NodeProcessSet
    public let client: ClusterClient
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let started = NIOLockedValueBox(Started())

    /// What the launcher started, and how its stop went.
    private struct Started {
        var clientTrace: TraceWriter?
        var workload: Workload?
        var prometheus: PrometheusProcess?
        /// Starts and stops the nodes `raftlab member` adds and removes (`watchMembership`).
        var membershipWatch: Task<Void, Never>?
        /// Set by the first `shutdown`: the workload's statistics and the run's length.
        var stopped: (stats: Workload.Stats?, seconds: Double)?
    }

    /// The Prometheus `--prometheus` started, if any.
    public var prometheus: PrometheusProcess? { started.withLockedValue { $0.prometheus } }
    private var workload: Workload? { started.withLockedValue { $0.workload } }

    /// What a finished run reports.
    public struct Report: Sendable {
        public var runDirectory: String
        public var mergedTrace: String
        public var seconds: Double
        public var stats: Workload.Stats?
        public var mergeWarnings: [String]
    }

    /// Prepares a run (directories and descriptions); nothing starts yet.
    public init(options: UpOptions, executable: String = NodeProcessSet.currentExecutable()) throws {
        self.options = options
        run = try RunDirectory.create(root: options.tracesRoot)
        cluster = try run.writeDescriptions(options, clusterID: UInt64.random(in: 1 ... .max))
        processes = NodeProcessSet(executable: executable, clusterFile: run.clusterFilePath, logDirectory: run.logDirectory)
        client = ClusterClient(cluster: cluster, eventLoop: group.next())
    }

    /// Starts every node and waits for a leader; returns it. From then on, the nodes that
    /// `raftlab member add` writes into the cluster file are started, and those `raftlab
    /// member remove` marks removed are stopped (`watchMembership`).
    public func startCluster(leaderTimeout: Duration = .seconds(30)) async throws -> NodeID {
        for node in cluster.activeNodes { try processes.start(node.id) }
        watchMembership()
        let leader = try await client.waitForLeader(timeout: leaderTimeout)
        client.startPolling()
        return leader
    }

    /// Says where the nodes' metrics are and starts Prometheus when the options ask for it
    /// (after `startCluster`, so its first scrapes find every node).
    public func startObservability(say: (String) -> Void) async throws {
        if options.metrics {
            let ports = cluster.nodes.compactMap(\.metrics).map(String.init).joined(separator: ", ")
            say("metrics: http://127.0.0.1:<port>/metrics on ports \(ports); Prometheus config \(run.prometheus.configPath)")
        }
        if options.otlpSpans { say("spans: \(run.layout.directory)/node-<id>.otlp.jsonl (OTLP/JSON lines)") }
        if options.prometheus {
            let prometheus = try await startPrometheus()
            say("prometheus: \(prometheus.url) (graphs at \(prometheus.url)/graph, alerts at \(prometheus.url)/alerts; log \(prometheus.logPath))")
        }
    }

    /// Starts a real Prometheus on the run's `prometheus.yml` (`up --prometheus`).
    public func startPrometheus() async throws -> PrometheusProcess {
        guard options.metrics else { throw LabError("--prometheus needs the nodes' metrics, which are off") }
        let port = try options.prometheusPort ?? LoopbackPorts.free(1)[0]
        let started = try await PrometheusProcess.start(setup: run.prometheus, dataDirectory: run.layout.directory + "/prometheus-data",
                                                        port: port, logPath: run.logDirectory + "/prometheus.log")
        self.started.withLockedValue { $0.prometheus = started }
        return started
    }

    /// Starts the workload the options ask for (if any).
    public func startWorkload() throws {
        guard let mode = options.workloadMode else { return }
        let trace = try TraceWriter(path: run.layout.clientTracePath, node: 0, incarnation: 1)
        let workload = Workload(cluster: client, mode: mode, payloadBytes: options.payloadBytes,
                                requestTimeoutMs: options.requestTimeoutMs, trace: trace)
        started.withLockedValue { started in
            precondition(started.workload == nil, "the workload was started already")
            started.clientTrace = trace
            started.workload = workload
        }
        workload.start()
    }

    /// Starts the workload's statistics afresh.
    public func resetWorkloadStatistics() async {
        await workload?.resetStatistics()
    }

    /// The workload's statistics so far.
    public func workloadStats() async -> Workload.Stats? {
        await workload?.snapshot()
    }

    /// Stops the workload and waits for its outstanding requests, leaving the nodes running
    /// (chaos lets the cluster converge without new writes before `shutdown`, which may
    /// follow and stops it again harmlessly).
    public func stopWorkload() async {
        await workload?.stop()
    }

    /// Runs until `seconds` pass (or forever when nil) or `stop` fires, showing the status line.
    public func runFor(seconds: Double?, stop: StopSignal) async {
        var line = StatusLine()
        let clock = ContinuousClock()
        let end = seconds.map { clock.now + .milliseconds(Int($0 * 1000)) }
        while !stop.hasFired, end.map({ clock.now < $0 }) ?? true {
            // A second at a time (the status line's pace), but not past the end.
            try? await Task.sleep(for: min(.seconds(1), end.map { $0 - clock.now } ?? .seconds(1)))
            if options.showsStatus {
                let (statuses, leader, members) = (try? await client.eventLoop.submit {
                    (self.client.statuses, self.client.leader, self.client.memberIDs)
                }.get()) ?? ([:], nil, client.nodeIDs)
                line.show(line.render(statuses: statuses, nodeIDs: members, leader: leader, stats: await workloadStats()))
            }
        }
        if options.showsStatus { line.finish() }
    }

    /// Every 200 ms, reads the cluster file: starts a node it lists that never ran (added by
    /// `raftlab member add`, which waits for it to answer), and stops with SIGTERM a running
    /// node marked removed (`raftlab member remove`, once its removal committed).
    func watchMembership() {
        let task = Task { [processes, run, client] in
            var stopping: Set<NodeID> = []
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(200))
                guard !Task.isCancelled, let file = try? ClusterFile.read(path: run.clusterFilePath) else { continue }
                let started = Set(processes.ids)
                for node in file.nodes where node.isActive && !started.contains(node.id) {
                    do {
                        try processes.start(node.id)
                        await client.adopt(node) // the status line and the workload see it
                    } catch {
                        FileHandle.standardError.write(Data("raftlab up: cannot start the added node \(node.id): \(error)\n".utf8))
                    }
                }
                for node in file.nodes where !node.isActive && processes.isRunning(node.id) && !stopping.contains(node.id) {
                    stopping.insert(node.id)
                    client.retire(node.id)
                    processes.signal(node.id, SIGTERM)
                }
            }
        }
        started.withLockedValue { $0.membershipWatch = task }
    }

    /// Stops the workload and the nodes, closes the client trace and merges the traces.
    /// Calling it again (a caller's error path after a failed merge) stops nothing twice:
    /// the client's event loop is gone by then, and work submitted to it would never run.
    public func shutdown(startedAt: ContinuousClock.Instant) async throws -> Report {
        let (stats, seconds) = await stopCluster(startedAt: startedAt)
        let summary = try run.layout.writeMergedTrace()
        return Report(runDirectory: run.layout.directory, mergedTrace: run.layout.mergedTracePath, seconds: seconds,
                      stats: stats, mergeWarnings: summary.warnings.map { "\($0)" })
    }
}

extension ClusterLauncher {
    /// Stops the workload, the client and the nodes without merging the traces (`shutdown`
    /// merges too) and returns the workload's statistics and the run's length. Later calls
    /// stop nothing and return those again.
    public func stopCluster(startedAt: ContinuousClock.Instant) async -> (stats: Workload.Stats?, seconds: Double) {
        if let stopped = started.withLockedValue({ $0.stopped }) { return stopped }
        if let watch = started.withLockedValue({ $0.membershipWatch }) {
            watch.cancel()
            await watch.value
        }
        await workload?.stop()
        let stats = await workloadStats()
        let seconds = (ContinuousClock.now - startedAt).secondsDouble
        client.close()
        if let clientTrace = started.withLockedValue({ $0.clientTrace }) {
            try? await client.eventLoop.submit { try clientTrace.close() }.get()
        }
        processes.stopAll()
        prometheus?.stop()
        try? await group.shutdownGracefully()
        if run.socketDirectory.hasPrefix("/tmp/raftlab-") { try? FileManager.default.removeItem(atPath: run.socketDirectory) }
        started.withLockedValue { $0.stopped = (stats, seconds) }
        return (stats, seconds)
    }
}

/// A request to stop that signals, a timer or a test may fire; awaited once.
public final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var reason: String?
    private var waiters: [CheckedContinuation<String, Never>] = []

    public init() {}

    /// Whether `fire` was called.
    public var hasFired: Bool { lock.withLock { reason != nil } }

    /// Requests the stop (the first reason wins).
    public func fire(_ why: String) {
        let toResume: [CheckedContinuation<String, Never>] = lock.withLock {
            guard reason == nil else { return [] }
            reason = why
            defer { waiters = [] }
            return waiters
        }
        for waiter in toResume { waiter.resume(returning: why) }
    }

    /// Waits for the stop; returns its reason.
    public func wait() async -> String {
        await withCheckedContinuation { continuation in
            let ready: String? = lock.withLock {
                if let reason { return reason }
                waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Fires on SIGINT or SIGTERM (keep the returned sources alive).
    public func fireOnSignals() -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in fire(number == SIGINT ? "Ctrl-C" : "SIGTERM") }
            source.resume()
            return source
        }
    }
}

extension Duration {
    /// The duration in seconds.
    package var secondsDouble: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
