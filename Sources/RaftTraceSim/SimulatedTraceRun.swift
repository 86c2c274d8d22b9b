import Foundation
import RaftCore
import RaftTrace
import RaftCoreTrace

/// A seeded `SimulatedCluster` on simulated time that writes a complete run
/// directory, exactly as real nodes would: `node-<id>.jsonl.gz` per node (a new gzip member
/// per incarnation; a kill loses the unflushed tail), `client.jsonl.gz` from closed-loop
/// clients, `chaos.jsonl.gz` with kills and restarts, `run.json` and the merged
/// `trace.jsonl.gz`. The analyzer's tests and benchmark use it until real runs exist; a
/// seed reproduces a run byte for byte.
public struct SimulatedTraceRun {
    /// What to simulate.
    public struct Configuration: Sendable {
        /// Cluster size.
        public var nodeCount: Int
        /// Seed of every random choice.
        public var seed: UInt64
        /// Closed-loop clients, each with one request outstanding.
        public var clients: Int
        /// Simulated time to run, in microseconds.
        public var durationUs: Int64
        /// Stop early once this many events were written (all streams).
        public var eventsMax: Int
        /// Mean simulated time between kills; `nil` for a calm run.
        public var killIntervalUs: Int64?
        /// Whether `send` / `recv` events are written (the runtime's verbose level).
        public var tracesMessages: Bool
        /// Probability that a message is lost.
        public var dropProbability: Double
        /// Protocol options (set `mutant` to produce unsafe runs).
        public var options: ProtocolOptions
        /// Whether Raft's invariants are checked on every node's state after every step
        /// (`Summary.violations`). Off by default: each check compares whole logs, so it costs
        /// time quadratic in the run's length; the analyzer checks the traces either way.
        public var checksInvariants = false
        /// A node's application hands it a snapshot whenever it applied another this many
        /// entries (`nil`: never); followers that fall behind then get snapshots installed.
        public var snapshotEveryEntries: Int? = nil
        /// `ts` of the run's start.
        public var startUs: Int64

        /// A calm 5-node run of 5 simulated seconds with 8 clients.
        public init(nodeCount: Int = 5, seed: UInt64 = 1, clients: Int = 8, durationUs: Int64 = 5_000_000,
                    eventsMax: Int = .max, killIntervalUs: Int64? = nil, tracesMessages: Bool = true,
                    dropProbability: Double = 0, options: ProtocolOptions = .standard,
                    startUs: Int64 = 1_790_000_000_000_000) {
            precondition(nodeCount >= 1 && nodeCount <= RaftLimits.clusterSizeMax, "cluster of \(nodeCount) nodes")
            precondition(clients >= 0 && durationUs > 0 && eventsMax > 0, "clients, duration and events must be positive")
            self.nodeCount = nodeCount
            self.seed = seed
            self.clients = clients
            self.durationUs = durationUs
            self.eventsMax = eventsMax
            self.killIntervalUs = killIntervalUs
            self.tracesMessages = tracesMessages
            self.dropProbability = dropProbability
            self.options = options
            self.startUs = startUs
        }
    }

    /// What a run produced.
    public struct Summary: Sendable {
        /// Lines written, every stream together.
        public var eventCount: Int
        /// Requests acknowledged `ok`.
        public var acknowledgedCount: Int
        /// Kills injected.
        public var killCount: Int
        /// Simulated time covered, in microseconds.
        public var elapsedUs: Int64
        /// The run directory's layout.
        public var layout: RunLayout
        /// What the in-memory invariant checks (`RaftInvariants`, delivery order) found after
        /// every step, first ones first: empty for a safe run.
        public var violations: [String]
    }

    /// Election timeouts are drawn from this range.
    public static let electionTimeoutUs: ClosedRange<Int64> = 150_000...300_000
    /// Leader heartbeat period.
    public static let heartbeatIntervalUs: Int64 = 30_000
    /// One-way message latency range.
    public static let messageLatencyUs: ClosedRange<Int64> = 40...400
    /// How long a client waits before giving up on a request.
    public static let clientTimeoutUs: Int64 = 1_000_000
    /// How long a killed node stays down.
    public static let downtimeUs: ClosedRange<Int64> = 300_000...1_500_000

    public let configuration: Configuration

    /// A run of `configuration`.
    public init(configuration: Configuration) { self.configuration = configuration }

    /// Simulates and writes the run directory `directory` (created if needed).
    @discardableResult
    public func write(to directory: String) throws -> Summary {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let layout = RunLayout(directory: directory)
        let simulation = try Simulation(configuration: configuration, layout: layout)
        try simulation.run()
        let manifest = RunManifest(runID: (directory as NSString).lastPathComponent, startedUs: configuration.startUs,
                                   nodes: Array(0..<configuration.nodeCount), seed: configuration.seed,
                                   parameters: ["driver": "simulated", "clients": "\(configuration.clients)",
                                                "kill_interval_us": configuration.killIntervalUs.map { "\($0)" } ?? "none",
                                                "mutant": configuration.options.mutant?.rawValue ?? "none"])
        try manifest.write(path: layout.manifestPath)
        try layout.writeMergedTrace()
        return Summary(eventCount: simulation.eventCount, acknowledgedCount: simulation.acknowledged,
                       killCount: simulation.kills, elapsedUs: simulation.nowUs - configuration.startUs, layout: layout,
                       violations: simulation.violations)
    }
}
