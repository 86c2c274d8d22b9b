import ArgumentParser
import Foundation
import RaftLab
import RaftRuntime

/// `raftlab up`: start a local cluster of node processes, run a workload, record everything.
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start a local Raft cluster of node processes over UNIX sockets and record every event.",
        discussion: """
        Creates traces/<run-id>/ (run.json, cluster.json, one gzip JSON-lines trace per node, the
        client trace), starts one `raftlab node` process per member, waits for a leader, shows a
        live status line and runs a client workload. On Ctrl-C or after --duration it stops the
        nodes cleanly and merges everything into traces/<run-id>/trace.jsonl.gz.
        Every node serves Prometheus metrics on 127.0.0.1 (ports in run.json); the run directory
        holds a prometheus.yml that scrapes them, and --prometheus starts a real Prometheus on it.
        --otlp-spans adds live OTLP/JSON spans per node for an OpenTelemetry collector.
        With no flags: 5 nodes, 100 requests/s, until Ctrl-C.

        Examples:
          raftlab up
          raftlab up --nodes 5 --clients 16 --duration 10
          raftlab up --nodes 3 --load 2000 --duration 30 --trace-messages
          raftlab up --nodes 3 --load 200 --prometheus
        """
    )

    @Option(help: "Cluster size.") var nodes = 5
    @Option(help: "Open-loop requests per second (default 100 when no --clients).") var load: Double?
    @Option(help: "Closed-loop clients, each waiting for its reply before the next request.") var clients: Int?
    @Option(help: "Seconds to run; without it, runs until Ctrl-C.") var duration: Double?
    @Option(help: "Payload bytes per request.") var payload = 64
    @OptionGroup var node: NodeParameterOptions
    @Option(help: "Directory for run directories.") var traces = "traces"
    @Flag(help: "No live status line.") var quiet = false

    func validate() throws {
        guard (1...64).contains(nodes) else { throw ValidationError("--nodes must be 1...64") }
        try NodeParameterOptions.validateWorkload(clients: clients, load: load, payload: payload)
        if let duration, duration <= 0 { throw ValidationError("--duration must be positive") }
        try node.validate()
    }

    func run() async throws {
        var options = try node.upOptions()
        options.nodes = nodes
        options.clients = clients
        options.loadPerSecond = clients == nil ? (load ?? 100) : nil
        options.durationSeconds = duration
        options.payloadBytes = payload
        options.tracesRoot = traces
        options.showsStatus = !quiet
        // Unbuffered, so lines reach a pipe (a log, a test) as they happen.
        let report = try await UpRun.run(options, say: { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) })
        if let stats = report.stats, stats.ok == 0, stats.invoked > 0 { throw ExitCode.failure }
    }
}

/// Node parameters shared by `up`, `chaos` and `bench cluster`.
struct NodeParameterOptions: ParsableArguments {
    @Option(help: "Election timeout range in ms, LOW-HIGH.") var electionTimeout = "150-300"
    @Option(help: "Heartbeat interval in ms.") var heartbeat = 50
    @Flag(help: "Turn pre-vote off.") var noPreVote = false
    @Flag(help: "Turn check-quorum off.") var noCheckQuorum = false
    @Flag(help: "Skip fsync (measures its cost; unsafe on power loss).") var noFsync = false
    @Flag(help: "Trace every message (send/recv events).") var traceMessages = false
    @Flag(help: "Nodes serve no Prometheus /metrics endpoint (and no prometheus.yml is written).") var noMetrics = false
    @Flag(help: "Start a real Prometheus (Debian package `prometheus`) on the run's prometheus.yml and stop it at the end.")
    var prometheus = false
    @Option(help: "Prometheus's port on 127.0.0.1 (default: a free one).") var prometheusPort: Int?
    @Flag(help: "Nodes also write live OTLP/JSON spans (elections, replication, fsync, votes) to node-<id>.otlp.jsonl for a collector.")
    var otlpSpans = false
    @Option(help: "Seed of the nodes' election timeouts (printed and saved in run.json).") var seed: UInt64?
    @Option(help: "Nodes snapshot their state every N applied entries and drop the log it covers, keeping min(N, 5000) entries behind it (default: never).")
    var snapshotEvery: Int?

    /// The workload flags of `up` and `chaos`: `--clients` (closed loop) or `--load` (open
    /// loop), not both, and a payload size a frame can carry.
    static func validateWorkload(clients: Int?, load: Double?, payload: Int) throws {
        if let clients, clients < 1 { throw ValidationError("--clients must be at least 1") }
        if let load, !(load > 0) { throw ValidationError("--load must be positive") }
        if clients != nil && load != nil { throw ValidationError("--clients and --load pick the workload: give one") }
        guard (1...65536).contains(payload) else { throw ValidationError("--payload must be 1...65536 bytes") }
    }

    /// The timing the flags give, parsed and checked once.
    func timing() throws -> ElectionTiming {
        do {
            return try ElectionTiming(electionTimeout: electionTimeout, heartbeatIntervalMs: heartbeat)
        } catch {
            throw ValidationError("--election-timeout \(electionTimeout) --heartbeat \(heartbeat): \(error)")
        }
    }

    func validate() throws {
        _ = try timing()
        if prometheus && noMetrics { throw ValidationError("--prometheus scrapes the nodes' metrics: drop --no-metrics") }
        if let prometheusPort, !(1...65535).contains(prometheusPort) { throw ValidationError("--prometheus-port must be 1...65535") }
        if let snapshotEvery, snapshotEvery < 1 { throw ValidationError("--snapshot-every must be at least 1, got \(snapshotEvery)") }
    }

    func upOptions() throws -> UpOptions {
        var options = UpOptions()
        options.timing = try timing()
        options.preVote = !noPreVote
        options.checkQuorum = !noCheckQuorum
        options.fsync = !noFsync
        options.traceMessages = traceMessages
        options.metrics = !noMetrics
        options.otlpSpans = otlpSpans
        options.prometheus = prometheus
        options.prometheusPort = prometheusPort
        if let seed { options.seed = seed }
        options.snapshotEvery = snapshotEvery
        return options
    }
}
