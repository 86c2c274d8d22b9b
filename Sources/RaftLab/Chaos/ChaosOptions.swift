import Foundation
import RaftCore

/// What `raftlab chaos` runs: the cluster and workload (as for `raftlab up`), which faults,
/// how often and for how long, and the seed that fixes the schedule.
public struct ChaosOptions: Sendable {
    /// Cluster shape, node parameters, workload, traces root, status line. Its `seed` is the
    /// run's seed: it fixes the fault schedule and the nodes' election timeouts.
    public var cluster: UpOptions
    /// The faults to draw from.
    public var nemeses: [NemesisKind] = NemesisKind.defaultSelection
    /// Seconds from one fault to the next (the first strikes after one calm interval).
    public var intervalSeconds = 5.0
    /// Seconds of chaos; then everything is healed.
    public var durationSeconds = 60.0
    /// How long each fault lasts (a killed node is restarted, a paused one resumed, a
    /// partition healed); nil means half the interval.
    public var faultSeconds: Double? = nil
    /// How long the cluster may take to converge after the final heal.
    public var convergeTimeoutSeconds = 30.0
    /// Whether to write `report.html` into the run directory.
    public var writesHTMLReport = true

    /// Smallest cluster chaos runs on (one fault must leave a majority).
    public static let nodesMin = 3
    /// Largest cluster (the node id space of `NodeSet`).
    public static let nodesMax = RaftLimits.clusterSizeMax
    /// Request timeout chaos uses unless told otherwise: short, so clients stuck on a paused
    /// leader move on to the next one.
    public static let requestTimeoutMsDefault: Int64 = 1_000
    /// Closed-loop clients when neither clients nor a load is given.
    public static let clientsDefault = 4

    /// Chaos over a default cluster (5 nodes, 4 closed-loop clients, 1 s request timeout).
    public init(cluster: UpOptions = UpOptions()) {
        self.cluster = cluster
        if self.cluster.clients == nil && self.cluster.loadPerSecond == nil { self.cluster.clients = Self.clientsDefault }
        if self.cluster.requestTimeoutMs == UpOptions().requestTimeoutMs { self.cluster.requestTimeoutMs = Self.requestTimeoutMsDefault }
    }

    /// The run's seed (schedule and election timeouts).
    public var seed: UInt64 {
        get { cluster.seed }
        set { cluster.seed = newValue }
    }

    /// How long each fault lasts, resolved.
    public var resolvedFaultSeconds: Double { faultSeconds ?? intervalSeconds / 2 }

    /// The schedule the seed gives for these options.
    public var schedule: ChaosSchedule {
        ChaosSchedule.plan(seed: seed, kinds: nemeses, nodes: Array(0..<cluster.nodes), intervalSeconds: intervalSeconds,
                           durationSeconds: durationSeconds, faultSeconds: resolvedFaultSeconds)
    }

    /// Throws a one-line `LabError` naming the flag when the options make no sense.
    public func validate() throws {
        guard (Self.nodesMin...Self.nodesMax).contains(cluster.nodes) else {
            throw LabError("--nodes must be \(Self.nodesMin)...\(Self.nodesMax) for chaos (a fault must leave a majority), got \(cluster.nodes)")
        }
        guard !nemeses.isEmpty else { throw LabError("--nemesis names no fault") }
        guard intervalSeconds.isFinite, intervalSeconds >= 0.1 else {
            throw LabError("--interval must be at least 0.1 seconds, got \(intervalSeconds)")
        }
        guard durationSeconds.isFinite, durationSeconds > 0 else {
            throw LabError("--duration must be positive, got \(durationSeconds)")
        }
        if let faultSeconds {
            guard faultSeconds.isFinite, faultSeconds > 0, faultSeconds < intervalSeconds else {
                throw LabError("--fault-duration must be positive and shorter than --interval (\(intervalSeconds) s), got \(faultSeconds)")
            }
        }
        guard durationSeconds >= intervalSeconds + resolvedFaultSeconds else {
            throw LabError("--duration (\(durationSeconds) s) leaves no room for a fault: it must be at least --interval plus the fault duration (\(intervalSeconds + resolvedFaultSeconds) s)")
        }
        guard convergeTimeoutSeconds.isFinite, convergeTimeoutSeconds > 0 else {
            throw LabError("--converge-timeout must be positive, got \(convergeTimeoutSeconds)")
        }
        guard cluster.requestTimeoutMs > 0 else {
            throw LabError("--request-timeout must be positive, got \(cluster.requestTimeoutMs)")
        }
    }

    /// The `raftlab chaos` command line that repeats a run of these options with `seed`.
    public func reproduceCommand(seed: UInt64) -> String {
        var words = ["raftlab", "chaos", "--nodes", "\(cluster.nodes)",
                     "--nemesis", nemeses.map(\.rawValue).joined(separator: ","),
                     "--interval", Self.number(intervalSeconds), "--duration", Self.number(durationSeconds)]
        if let faultSeconds { words += ["--fault-duration", Self.number(faultSeconds)] }
        words += ["--election-timeout", cluster.timing.electionTimeoutText,
                  "--heartbeat", "\(cluster.timing.heartbeatIntervalMs)"]
        if !cluster.preVote { words.append("--no-pre-vote") }
        if !cluster.checkQuorum { words.append("--no-check-quorum") }
        if !cluster.fsync { words.append("--no-fsync") }
        if cluster.traceMessages { words.append("--trace-messages") }
        if let every = cluster.snapshotEvery { words += ["--snapshot-every", "\(every)"] }
        if let clients = cluster.clients { words += ["--clients", "\(clients)"] }
        if let load = cluster.loadPerSecond { words += ["--load", Self.number(load)] }
        words += ["--payload", "\(cluster.payloadBytes)", "--request-timeout", "\(cluster.requestTimeoutMs)", "--seed", "\(seed)"]
        var command = words.joined(separator: " ")
        if let mutant = cluster.mutant {
            command += "   (and nodes built with the test-only mutant \(mutant.rawValue), as in the test that set it)"
        }
        return command
    }

    /// A number as the command line takes it back: `5`, `0.5`, `2.25`.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }
}
