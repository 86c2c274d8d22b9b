import RaftCore
import RaftRuntime

/// What `raftlab up` runs: cluster shape, node parameters, workload, duration.
public struct UpOptions: Sendable {
    public var nodes = 5
    /// Directory under which the run directory `<run-id>/` is created.
    public var tracesRoot = "traces"
    /// Election timeouts and heartbeat interval of every node.
    public var timing: ElectionTiming = .standard
    public var preVote = true
    public var checkQuorum = true
    public var fsync = true
    public var traceMessages = false
    /// Whether nodes write traces (off only to measure their cost).
    public var nodeTraces = true
    public var seed: UInt64 = UInt64.random(in: 1...UInt64(UInt32.max))
    /// Open-loop requests per second (nil: none).
    public var loadPerSecond: Double? = nil
    /// Closed-loop clients (nil: none).
    public var clients: Int? = nil
    /// Seconds to run the workload; nil runs until Ctrl-C.
    public var durationSeconds: Double? = nil
    public var payloadBytes = 64
    public var requestTimeoutMs: Int64 = 5000
    /// Print the live status line.
    public var showsStatus = true
    /// Whether nodes also write live OTLP/JSON spans next to their traces.
    public var otlpSpans = false
    /// Whether every node serves Prometheus metrics (ports chosen at start, in `run.json`).
    public var metrics = true
    /// Whether `up` starts a real Prometheus on the run's `prometheus.yml`.
    public var prometheus = false
    /// Prometheus's port (nil: a free one).
    public var prometheusPort: Int? = nil
    /// Nodes snapshot their state every this many entries (`nil`: never).
    public var snapshotEvery: Int? = nil
    /// A deliberate bug in every node (tests of the lab's detectors only).
    public var mutant: Mutant? = nil

    public init() {}

    /// The workload these options ask for, if any.
    public var workloadMode: Workload.Mode? {
        if let clients { return .closedLoop(clients: clients) }
        if let loadPerSecond { return .openLoop(ratePerSecond: loadPerSecond) }
        return nil
    }
}
