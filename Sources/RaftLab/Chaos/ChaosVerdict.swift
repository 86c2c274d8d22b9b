import Foundation
import RaftAnalyze

/// What one chaos run found: safe or not, how available, how fast it failed over, and how
/// to run it again. `ChaosVerdict+Text.swift` prints it.
public struct ChaosVerdict: Codable, Sendable {
    /// The run's name and directory.
    public var runID: String
    public var runDirectory: String
    /// The seed of the schedule and the election timeouts.
    public var seed: UInt64
    /// The command line that repeats the run.
    public var reproduceCommand: String
    /// Faults injected (as scheduled), skipped (no leader to aim at), and planned.
    public var faultsInjected: Int
    public var faultsSkipped: Int
    public var faultsPlanned: Int
    /// Seconds of chaos (from the workload's start to the final heal).
    public var chaosSeconds: Double
    /// Whether every node caught up after the final heal, how long it took, and if not why.
    public var converged: Bool
    public var convergeSeconds: Double?
    public var convergeProblem: String?
    /// The analyzer's verdict on each safety property.
    public var safety: [PropertyVerdict]
    /// Acknowledged writes against the delivered sequence.
    public var writes: WriteLedger.Counts
    /// Client outcomes over the whole run.
    public var invoked: Int
    public var failed: Int
    public var timedOut: Int
    /// Share of the chaos period during which a leader could commit, 0...1.
    public var availability: Double
    /// Failover times per fault that struck the leader (`kill`, `pause`, `partition`).
    public var failovers: [FailoverSummary]
    /// Acknowledged writes per second while a fault was active, and while none was.
    public var faultThroughput: Double?
    public var calmThroughput: Double?
    public var faultSeconds: Double
    public var calmSeconds: Double
    /// The analyzer's election count and time without a leader.
    public var elections: Int
    public var leaderlessSeconds: Double
    /// Where the HTML report went, if written.
    public var htmlReport: String?
    /// Things that went wrong without deciding the verdict (a control command lost, ...).
    public var warnings: [String]
    /// What the trace merge recovered from: files cut by `kill -9` are expected here.
    public var traceNotes: [String]

    /// Safe: every safety check holds, no acknowledged write was lost or duplicated, and the
    /// cluster converged after the final heal.
    public var isSafe: Bool {
        safety.allSatisfy(\.holds) && writes.lost == 0 && writes.duplicates == 0 && writes.conflictingIndexes == 0 && converged
    }

    /// The failover figures of leader kills (the headline number).
    public var killFailover: FailoverSummary? { failovers.first { $0.action == "kill" } }
}

/// Failover times after one kind of leader fault.
public struct FailoverSummary: Codable, Hashable, Sendable {
    /// `kill`, `pause` or `partition`.
    public var action: String
    /// Every measured failover, in milliseconds, in the order they happened.
    public var samplesMs: [Double]
    /// Leader faults after which no new leader committed before the next fault or the end.
    public var unresolved: Int
    /// Leader faults the leader outlived (it committed again in its term after the heal).
    public var outlived: Int

    /// Failovers measured.
    public var count: Int { samplesMs.count }
    /// Nearest-rank percentiles, in milliseconds (nil without samples).
    public func percentileMs(_ percent: Double) -> Double? {
        guard !samplesMs.isEmpty else { return nil }
        let sorted = samplesMs.sorted()
        let rank = Int((percent / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count, max(1, rank)) - 1]
    }
    /// The median failover, in milliseconds.
    public var p50Ms: Double? { percentileMs(50) }
    /// The 99th percentile (nearest rank: the maximum below 100 samples), in milliseconds.
    public var p99Ms: Double? { percentileMs(99) }
    /// The slowest failover, in milliseconds.
    public var maxMs: Double? { samplesMs.max() }
}

extension ChaosVerdict {
    /// The file in the run directory that keeps the verdict (JSON).
    public static let fileName = "verdict.json"

    /// Writes the verdict as pretty JSON.
    public func write(path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try (try encoder.encode(self) + Data("\n".utf8)).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Reads a verdict written by `write(path:)`.
    public static func read(path: String) throws -> ChaosVerdict {
        guard let data = FileManager.default.contents(atPath: path) else { throw LabError("\(path): cannot read the verdict") }
        return try JSONDecoder().decode(ChaosVerdict.self, from: data)
    }
}
